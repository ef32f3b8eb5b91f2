import { residentIdCheckChar } from '../../server/domain/id-number';

/** A valid resident ID: region 410105, the given birth date, a sequence, and its MOD 11-2 check. */
export function residentId(seq = 1, birth = '19900101', region = '410105') {
  const first17 = `${region}${birth}${String(seq).padStart(3, '0')}`;
  return `${first17}${residentIdCheckChar(first17)}`;
}

export function visitorInput(over: Record<string, unknown> = {}, seq = 1) {
  return {
    name: `访客${seq}`,
    idType: 'resident_id',
    idNumber: residentId(seq),
    phone: `1380000${String(seq).padStart(4, '0')}`,
    fromRegion: '410105',
    visitedRegions: [],
    closeContact: false,
    ...over,
  };
}

export function requestInput(gateId: number, over: Record<string, unknown> = {}) {
  return {
    visitDateFrom: '2026-11-21',
    timeFrom: '09:00',
    timeTo: '17:00',
    gateIds: [gateId],
    purpose: '学术交流',
    destination: '计算机楼 301',
    escortName: '李老师',
    escortPhone: '13911112222',
    visitors: [visitorInput()],
    ...over,
  };
}

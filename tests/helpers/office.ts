import { ok } from '../../server/domain/api-result';
import { randomUUID } from 'node:crypto';
import { silentLogger } from '../../server/lib/logger';
import { runDailyJobs } from '../../server/jobs/daily';
import type { TestApp } from './app';
import { approvedRequest, enrollDevice } from './kiosk';
import { visitorInput } from './filing';

/** 2026-11-21 at a Shanghai wall-clock time, as an ISO instant. */
export const on21 = (hhmm: string) => new Date(`2026-11-21T${hhmm}:00+08:00`).toISOString();

export const temps = (readings: [number, string][]) =>
  readings.map(([celsius, hhmm]) => ({ celsius, method: 'forehead_ir', at: on21(hhmm) }));
const input = (over: Record<string, unknown> = {}) => ({
  pass: { ok: true },
  healthCode: { colour: 'green', method: 'seen_by_guard' },
  temperatures: temps([[36.5, '09:00']]),
  testRequired: false,
  testConfirmed: null,
  idConfirmed: null,
  snapshotFresh: true,
  ...over,
});

export function admitAt(seq: number, passId: string, hhmm: string, over: Record<string, unknown> = {}) {
  return {
    id: randomUUID(),
    seq,
    type: 'decision',
    at: on21(hhmm),
    startedAt: null,
    guardUserId: null,
    passId,
    verdict: 'admit',
    reasons: [],
    checks: [],
    input: input(over),
    ruleVersion: 1,
  };
}
export function refuseAt(seq: number, hhmm: string, reasons: string[], over: Record<string, unknown> = {}) {
  return {
    id: randomUUID(),
    seq,
    type: 'decision',
    at: on21(hhmm),
    startedAt: null,
    guardUserId: null,
    passId: null,
    verdict: 'refuse',
    reasons,
    checks: [],
    input: input(over),
    ruleVersion: 1,
  };
}
export function exitAt(seq: number, passId: string, hhmm: string) {
  return {
    id: randomUUID(),
    seq,
    type: 'exit',
    at: on21(hhmm),
    startedAt: null,
    guardUserId: null,
    passId,
    verdict: null,
    reasons: [],
    checks: [],
    input: null,
    ruleVersion: null,
  };
}

export const runJobs = (t: TestApp) => runDailyJobs(t.db, t.clock.now(), silentLogger);

/**
 * A day at the north and east gates on 2026-11-21, counted by hand in tests/server/reports.test.ts.
 * The clock starts 2026-11-20 10:00 Shanghai (tablets enrolled then) and ends 2026-11-21 17:00,
 * when both tablets sync the day in one request each. One food-delivery refusal is held back
 * (`late`) for the test to sync days later.
 */
export async function gateDay(t: TestApp) {
  const north = await enrollDevice(t, t.campus.gateIds.north);
  const east = await enrollDevice(t, t.campus.gateIds.east);
  const req = await approvedRequest(t, t.campus.gateIds.north, [
    visitorInput({ name: '甲一' }, 1),
    visitorInput({ name: '乙二' }, 2),
    visitorInput({ name: '丙三' }, 3),
  ]);
  const [a, b, c] = req.visitors.map((v: { pass: { id: string } }) => v.pass.id) as [string, string, string];
  const eastReq = await approvedRequest(t, t.campus.gateIds.east, [visitorInput({ name: '丁四' }, 4)]);
  const d = eastReq.visitors[0].pass.id as string;

  t.clock.set('2026-11-21T02:00:00Z'); // 10:00 on the 21st: a walk-in sent to the office and approved
  const em = await ok(
    t.client({ bearer: north.token }).kiosk.emergency.$post({
      json: {
        departmentId: t.campus.departmentIds.cs,
        visitorName: '戊五',
        visitorPhone: '13800009999',
        purpose: '抢修网络',
        reason: '机房断网，需立即抢修',
      },
    }),
  );
  const office = await t.signIn('office');
  const approved = await ok(
    t.client({ cookie: office }).review[':id'].approve.$post({ param: { id: String(em.requestId) }, json: {} }),
  );
  const e = approved.visitors?.[0]?.pass?.id;
  if (!e) throw new Error('the approved emergency request has no pass');

  t.clock.set('2026-11-21T09:00:00Z'); // 17:00: the gates sync the day
  const northEvents = [
    admitAt(1, a, '09:30'),
    exitAt(2, a, '12:00'),
    admitAt(3, b, '10:00'),
    admitAt(4, c, '10:31', {
      temperatures: temps([
        [37.4, '10:25'],
        [36.8, '10:31'],
      ]),
    }),
    exitAt(5, c, '16:00'),
    admitAt(6, e, '11:00'),
    refuseAt(7, '11:10', ['courier'], { quickRefusal: 'courier' }),
    refuseAt(8, '11:20', ['courier'], { quickRefusal: 'courier' }),
    refuseAt(9, '11:30', ['code_red'], { healthCode: { colour: 'red', method: 'seen_by_guard' } }),
    refuseAt(10, '11:46', ['fever'], {
      temperatures: temps([
        [37.6, '11:40'],
        [37.5, '11:46'],
      ]),
    }),
    refuseAt(11, '11:50', ['pass_expired'], { pass: { ok: false, reason: 'expired' } }),
  ];
  const late = refuseAt(12, '12:30', ['food_delivery'], { quickRefusal: 'food_delivery' });
  await ok(t.client({ bearer: north.token }).kiosk.events.$post({ json: { events: northEvents } }));
  await ok(t.client({ bearer: east.token }).kiosk.events.$post({ json: { events: [admitAt(1, d, '10:00')] } }));
  return { north, east, office, passes: { a, b, c, d, e }, late, visitors: { a: req.visitors[0].id as number } };
}

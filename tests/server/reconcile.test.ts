import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app';
import { approvedRequest, decisionEvent, enrollDevice } from '../helpers/kiosk';

let t: TestApp;
afterEach(() => t?.cleanup());

const alertsOf = async (type: string) =>
  (
    (await t.request('GET', '/api/v1/alerts', { cookie: await t.signIn('office') })).json as {
      type: string;
      detail: string;
      passId: string | null;
    }[]
  ).filter((a) => a.type === type);

describe('reconciliation of late events', () => {
  it('finds a single-use pass admitted at two gates that were both offline', async () => {
    t = createTestApp();
    // the pass is good at both gates
    const filer = await t.signIn('filer');
    const office = await t.signIn('office');
    const body = {
      visitDateFrom: '2026-11-21',
      timeFrom: '09:00',
      timeTo: '17:00',
      gateIds: [t.campus.gateIds.north, t.campus.gateIds.east],
      purpose: '学术交流',
      destination: '图书馆',
      escortName: '李老师',
      escortPhone: '13911112222',
      visitors: [
        {
          name: '张三',
          idType: 'passport',
          idNumber: 'E12345678',
          phone: '13800000001',
          fromRegion: '410105',
          visitedRegions: [],
          closeContact: false,
        },
      ],
    };
    const filed = await t.request('POST', '/api/v1/requests', { cookie: filer, body });
    const approved = (await t.request('POST', `/api/v1/review/${filed.json.id}/approve`, { cookie: office, body: {} }))
      .json;
    const passId = approved.visitors[0].pass.id;
    const north = await enrollDevice(t, t.campus.gateIds.north);
    const east = await enrollDevice(t, t.campus.gateIds.east);
    await t.request('POST', '/api/v1/kiosk/events', {
      bearer: north.token,
      body: { events: [decisionEvent(1, { passId })] },
    });
    await t.request('POST', '/api/v1/kiosk/events', {
      bearer: east.token,
      body: { events: [decisionEvent(1, { passId, at: '2026-11-21T01:35:00Z' })] },
    });
    t.clock.set('2026-11-21T01:40:00Z');
    const conflicts = await alertsOf('double_use');
    expect(conflicts).toEqual([
      expect.objectContaining({ passId, detail: expect.stringContaining('2 admits for 1 entries') }),
    ]);
    expect(t.sqlite.prepare('select count(*) n from gate_events where pass_id = ?').get(passId)).toEqual({ n: 2 }); // both stored
  });

  it('finds an offline admit of a pass revoked before it, and a decision on rules that had changed', async () => {
    t = createTestApp();
    const req = await approvedRequest(t, t.campus.gateIds.north);
    const passId = req.visitors[0].pass.id;
    const office = await t.signIn('office');
    t.clock.set('2026-11-21T01:00:00Z');
    await t.request('POST', `/api/v1/passes/${passId}/revoke`, {
      cookie: await t.signIn('office'),
      body: { reason: '来访取消' },
    });
    const rules = (await t.request('GET', '/api/v1/rules', { cookie: office })).json.rules;
    await t.request('PUT', '/api/v1/rules', {
      cookie: await t.signIn('office'),
      body: { rules: { ...rules, feverThresholdC: 37.2 }, reason: '收紧体温标准' },
    });
    const { token } = await enrollDevice(t, t.campus.gateIds.north);
    await t.request('POST', '/api/v1/kiosk/events', {
      bearer: token,
      body: { events: [decisionEvent(1, { passId, at: '2026-11-21T01:30:00Z', ruleVersion: 1 })] },
    });
    expect(await alertsOf('revoked_before_admit')).toEqual([expect.objectContaining({ passId })]);
    expect(await alertsOf('stale_rules')).toEqual([
      expect.objectContaining({ passId, detail: 'decided on v1, v2 in force' }),
    ]);
  });

  it('stores a poison event as rejected, visible to the office, without holding up the rest', async () => {
    t = createTestApp();
    const { token } = await enrollDevice(t, t.campus.gateIds.north);
    const good = decisionEvent(2);
    const res = await t.request('POST', '/api/v1/kiosk/events', {
      bearer: token,
      body: { events: [{ id: 'not-a-uuid', seq: 1 }, good] },
    });
    expect(res.json.acked).toEqual([good.id]);
    expect(await alertsOf('rejected_event')).toEqual([
      expect.objectContaining({ detail: expect.stringContaining('id') }),
    ]);
  });

  it('raises a sequence gap when a tablet’s numbering has a hole (e.g. its storage was wiped)', async () => {
    t = createTestApp();
    const { token } = await enrollDevice(t, t.campus.gateIds.north);
    await t.request('POST', '/api/v1/kiosk/events', {
      bearer: token,
      body: { events: [decisionEvent(1), decisionEvent(2), decisionEvent(5)] },
    });
    expect(await alertsOf('sequence_gap')).toEqual([expect.objectContaining({ detail: 'missing 3–4' })]);
  });

  it('raises a sequence reset when a tablet’s numbering starts again (its counter was lost with its storage)', async () => {
    t = createTestApp();
    const { token, deviceId } = await enrollDevice(t, t.campus.gateIds.north);
    await t.request('POST', '/api/v1/kiosk/events', {
      bearer: token,
      body: { events: [decisionEvent(1), decisionEvent(2)] },
    });
    await t.request('POST', '/api/v1/kiosk/events', { bearer: token, body: { events: [decisionEvent(1)] } });
    expect(await alertsOf('sequence_reset')).toEqual([
      expect.objectContaining({ deviceId, detail: 'seq 1 used by 2 events' }),
    ]);
    expect(await alertsOf('sequence_gap')).toEqual([]);
  });
});

describe('replay', () => {
  it('stores each of 1,000 events once however often and in whatever batches they are re-sent, with no 5xx', async () => {
    t = createTestApp();
    const { token } = await enrollDevice(t, t.campus.gateIds.north);
    const events = Array.from({ length: 1000 }, (_, i) => decisionEvent(i + 1));
    const send = async (batch: unknown[]) => {
      const res = await t.request('POST', '/api/v1/kiosk/events', { bearer: token, body: { events: batch } });
      expect(res.status).toBe(200);
      return res.json as { acked: string[]; duplicates: string[] };
    };
    for (let i = 0; i < events.length; i += 100) await send(events.slice(i, i + 100));
    // Everything again, shuffled, in odd batch sizes, with a duplicate inside one batch.
    const shuffled = [...events].sort(() => Math.random() - 0.5);
    let duplicates = 0;
    for (let i = 0; i < shuffled.length; i += 37)
      duplicates += (await send(shuffled.slice(i, i + 37))).duplicates.length;
    const inBatch = await send([events[0], events[0]]);
    expect(duplicates).toBe(1000);
    expect(inBatch).toMatchObject({ acked: [], duplicates: [events[0]!.id, events[0]!.id] });
    expect(t.sqlite.prepare('select count(*) n, count(distinct id) d from gate_events').get()).toEqual({
      n: 1000,
      d: 1000,
    });
    expect(await alertsOf('sequence_gap')).toEqual([]);
  });
});

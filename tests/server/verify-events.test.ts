import { afterEach, describe, expect, it } from 'vitest';
import { ok } from '../../server/domain/api-result';
import { createTestApp, type TestApp } from '../helpers/app';
import { requestInput, visitorInput } from '../helpers/filing';
import { approvedRequest, decisionEvent, enrollDevice } from '../helpers/kiosk';

let t: TestApp;
afterEach(() => t?.cleanup());

/** The visit of approvedRequest: 2026-11-21, 09:00–17:00 Shanghai; its pass opens 30 min early (00:30Z) and ends 09:00Z. */
const OPENS = Date.parse('2026-11-21T00:30:00Z');
const ENDS = Date.parse('2026-11-21T09:00:00Z');
const MIN = 60_000;

async function world() {
  t = createTestApp();
  const req = await approvedRequest(t, t.campus.gateIds.east, [visitorInput({}, 1), visitorInput({}, 2)]);
  const [passId, otherPassId] = req.visitors.map((v: { pass: { id: string } }) => v.pass.id) as [string, string];
  const east = await enrollDevice(t, t.campus.gateIds.east);
  const north = await enrollDevice(t, t.campus.gateIds.north);
  const office = await t.signIn('office');
  let seq = 0;
  const sync = async (token: string, over: Record<string, unknown>) => {
    const e = decisionEvent(++seq, over);
    const res = await t.request('POST', '/api/v1/kiosk/events', { bearer: token, body: { events: [e] } });
    expect(res.status).toBe(200);
    return {
      e,
      res: res.json,
      row: t.sqlite
        .prepare(
          'select verdict, server_verdict sv, server_reasons sr, disagreement d, pass_mismatch m, clock_suspect cs, app_version v from gate_events where id = ?',
        )
        .get(String(e.id).toLowerCase()) as Record<string, unknown>,
    };
  };
  const entries = (id: string) =>
    (t.sqlite.prepare('select entries_used n from passes where id = ?').get(id) as { n: number }).n;
  const alerts = async (type: string) =>
    (await t.request('GET', '/api/v1/alerts', { cookie: office })).json.filter(
      (a: { type: string }) => a.type === type,
    );
  return { passId, otherPassId, east, north, office, sync, entries, alerts };
}

describe('the server checks every synced pass against its own records', () => {
  it('an admit at a gate the pass is not for: kept with both verdicts, no entry used, not on campus, wrong_gate alert', async () => {
    const w = await world();
    const { row } = await w.sync(w.north.token, { passId: w.passId, at: new Date(OPENS + 60 * MIN).toISOString() });
    expect(row).toMatchObject({ verdict: 'admit', sv: 'refuse', d: 1, m: 'wrong_gate' });
    expect(JSON.parse(row.sr as string)).toContain('pass_wrong_gate');
    expect(w.entries(w.passId)).toBe(0);
    expect((await t.request('GET', '/api/v1/presence', { cookie: w.office })).json).toEqual([]);
    expect(await w.alerts('wrong_gate')).toEqual([
      expect.objectContaining({ passId: w.passId, gateId: t.campus.gateIds.north }),
    ]);
    expect(await w.alerts('verdict_disagreement')).toEqual([]); // explained by the alert above
    // The office's event view shows both verdicts.
    const wall = (await t.request('GET', '/api/v1/live/wall', { cookie: w.office })).json;
    const north = wall.gates.find((g: { id: number }) => g.id === t.campus.gateIds.north);
    expect(north.latest[0]).toMatchObject({
      verdict: 'admit',
      server: { verdict: 'refuse', passMismatch: 'wrong_gate', reasons: expect.arrayContaining(['pass_wrong_gate']) },
    });
    // The real visitor is still admitted at the right gate, and uses the entry.
    const real = await w.sync(w.east.token, { passId: w.passId, at: new Date(OPENS + 61 * MIN).toISOString() });
    expect(real.row).toMatchObject({ sv: 'admit', d: 0, m: null });
    expect(w.entries(w.passId)).toBe(1);
  });

  it('an admit for a pass id that does not exist: unknown_pass', async () => {
    const w = await world();
    const { row } = await w.sync(w.east.token, { passId: '0123456789abcdef', at: new Date(OPENS + MIN).toISOString() });
    expect(row).toMatchObject({ sv: 'refuse', m: 'unknown_pass' });
    expect(await w.alerts('unknown_pass')).toHaveLength(1);
  });

  it('the pass window, give or take the clock tolerance (10 minutes by default), at both edges', async () => {
    const w = await world();
    const at = (ms: number) => new Date(ms).toISOString();
    const cases: [number, string | null][] = [
      [OPENS - 10 * MIN, null],
      [OPENS - 10 * MIN - 1000, 'outside_window'],
      [ENDS + 10 * MIN, null],
      [ENDS + 10 * MIN + 1000, 'outside_window'],
      [ENDS + 4 * 86_400_000, 'outside_window'], // four days after the pass expired
    ];
    for (const [when, mismatch] of cases) {
      const { row } = await w.sync(w.east.token, { passId: w.otherPassId, at: at(when) });
      expect(row.m, at(when)).toBe(mismatch);
    }
    expect(await w.alerts('outside_window')).toHaveLength(3);
  });

  it('revoked before the event is refused by the server; revoked after it is not', async () => {
    const w = await world();
    t.clock.set(new Date(OPENS + 120 * MIN));
    const office = await t.signIn('office');
    await t.request('POST', `/api/v1/passes/${w.passId}/revoke`, { cookie: office, body: { reason: '来访取消' } });
    const before = await w.sync(w.east.token, { passId: w.passId, at: new Date(OPENS + 60 * MIN).toISOString() });
    expect(before.row).toMatchObject({ sv: 'admit', m: null });
    const after = await w.sync(w.east.token, { passId: w.passId, at: new Date(OPENS + 180 * MIN).toISOString() });
    expect(after.row).toMatchObject({ sv: 'refuse', d: 1, m: null });
    expect(JSON.parse(after.row.sr as string)).toContain('pass_revoked');
    expect(
      (await t.request('GET', '/api/v1/alerts', { cookie: office })).json.filter(
        (a: { type: string }) => a.type === 'revoked_before_admit',
      ),
    ).toHaveLength(1);
  });

  it('a tablet’s refusal the server cannot check (signature, live code) stands; another visitor’s pass at its own gate is a double use, not a mismatch', async () => {
    const w = await world();
    const stale = await w.sync(w.east.token, {
      passId: w.passId,
      verdict: 'refuse',
      reasons: ['pass_stale_code'],
      input: { ...decisionEvent(0).input, pass: { ok: false, reason: 'stale_code' } },
    });
    expect(stale.row).toMatchObject({ verdict: 'refuse', sv: 'refuse', d: 0 });
    await w.sync(w.east.token, { passId: w.passId, at: new Date(OPENS + MIN).toISOString() });
    const second = await w.sync(w.east.token, { passId: w.passId, at: new Date(OPENS + 2 * MIN).toISOString() });
    expect(second.row).toMatchObject({ sv: 'refuse', m: null });
    expect(JSON.parse(second.row.sr as string)).toContain('pass_no_entries_left');
    expect(await w.alerts('double_use')).toHaveLength(1);
  });

  it('flags clock-suspect events (ahead of receipt, or before the tablet was enrolled) and records each tablet’s skew', async () => {
    const w = await world();
    const now = t.clock.now().getTime();
    const ahead = await w.sync(w.east.token, { at: new Date(now + 11 * MIN).toISOString() });
    const near = await w.sync(w.east.token, { at: new Date(now + 9 * MIN).toISOString() });
    const old = await w.sync(w.east.token, { at: new Date(now - 86_400_000).toISOString() });
    expect([ahead.row.cs, near.row.cs, old.row.cs]).toEqual([1, 0, 1]);
    expect(await w.alerts('clock_suspect')).toHaveLength(2);
    await t.request('GET', '/api/v1/kiosk/snapshot', {
      bearer: w.east.token,
      headers: { 'x-device-time': String(now + 95_000) },
    });
    const listed = (await t.request('GET', '/api/v1/devices', { cookie: w.office })).json.find(
      (d: { id: number }) => d.id === w.east.deviceId,
    );
    expect(listed.clockSkewSeconds).toBe(95);
  });

  it('takes an event id in capitals as the same event, and stores the build that decided it', async () => {
    const w = await world();
    const { e, row } = await w.sync(w.east.token, {
      passId: w.passId,
      at: new Date(OPENS + MIN).toISOString(),
      appVersion: '0.1.0',
    });
    expect(row.v).toBe('0.1.0');
    const again = await t.request('POST', '/api/v1/kiosk/events', {
      bearer: w.east.token,
      body: { events: [{ ...e, id: String(e.id).toUpperCase() }] },
    });
    expect(again.json).toMatchObject({ acked: [], duplicates: [String(e.id).toUpperCase()] });
    expect(t.sqlite.prepare('select count(*) n from gate_events').get()).toEqual({ n: 1 });
    expect(w.entries(w.passId)).toBe(1);
  });

  it('a forged or altered pass shown at a gate is an alert and its own report group, not “no pass”', async () => {
    const w = await world();
    const input = { ...decisionEvent(0).input, pass: { ok: false, reason: 'bad_signature' } };
    await w.sync(w.north.token, {
      verdict: 'refuse',
      reasons: ['pass_bad_signature'],
      input,
      at: '2026-11-21T02:00:00.000Z',
    });
    expect(await w.alerts('forged_pass')).toEqual([
      expect.objectContaining({ gateId: t.campus.gateIds.north, detail: 'bad_signature' }),
    ]);
    t.clock.set('2026-11-22T02:00:00Z');
    const office = await t.signIn('office');
    const reports = await ok(
      t.client({ cookie: office }).reports.daily.$get({ query: { from: '2026-11-21', to: '2026-11-21' } }),
    );
    const campus = reports.items.find((r) => r.scope === 'campus');
    expect(campus?.figures.refusedBy).toMatchObject({ forged_pass: 1, no_pass: 0 });
  });
});

describe('entries used reach the other tablets', () => {
  it('with one change number for a whole batch, even when a batch uses the same pass twice', async () => {
    const w = await world();
    const other = await enrollDevice(t, t.campus.gateIds.east);
    const first = (await t.request('GET', '/api/v1/kiosk/snapshot', { bearer: other.token })).json;
    const twice = [
      decisionEvent(1, { passId: w.passId, at: new Date(OPENS + MIN).toISOString() }),
      decisionEvent(2, { passId: w.passId, at: new Date(OPENS + 2 * MIN).toISOString() }),
      decisionEvent(3, { passId: w.otherPassId, at: new Date(OPENS + 3 * MIN).toISOString() }),
    ];
    await t.request('POST', '/api/v1/kiosk/events', { bearer: w.east.token, body: { events: twice } });
    const next = (await t.request('GET', `/api/v1/kiosk/snapshot?since=${first.cursor}`, { bearer: other.token })).json;
    expect(next.full).toBe(false);
    expect(
      Object.fromEntries(next.passes.map((p: { id: string; entriesUsed: number }) => [p.id, p.entriesUsed])),
    ).toEqual({ [w.passId]: 2, [w.otherPassId]: 1 }); // a double use is counted (and alerted), not refuted
    const counter = (t.sqlite.prepare('select value from change_counter').get() as { value: number }).value;
    expect(Number(next.cursor.split('.')[1])).toBe(counter);
    expect(
      (await t.request('GET', `/api/v1/kiosk/snapshot?since=${next.cursor}`, { bearer: other.token })).json.passes,
    ).toEqual([]);
  });
});

describe('the public pass view', () => {
  it('gives no token and no live-code secret for a revoked, cancelled or expired pass', async () => {
    t = createTestApp();
    const office = await t.signIn('office');
    const filer = await t.signIn('filer');
    const [revoked, cancelled, expired] = [
      await approvedRequest(t, t.campus.gateIds.north, [visitorInput({}, 1)]),
      await approvedRequest(t, t.campus.gateIds.north, [visitorInput({}, 2)]),
      await approvedRequest(t, t.campus.gateIds.north, [visitorInput({}, 3)]),
    ];
    const view = async (r: { visitors: { pass: { link: string } }[] }) =>
      (await t.request('GET', `/api/v1/visit/${r.visitors[0]!.pass.link.split('/').pop()}`)).json.pass;
    expect(await view(revoked)).toMatchObject({
      status: 'valid',
      token: expect.any(String),
      codeSecret: expect.any(String),
    });
    await t.request('POST', `/api/v1/passes/${revoked.visitors[0].pass.id}/revoke`, {
      cookie: office,
      body: { reason: '作废' },
    });
    await t.request('POST', `/api/v1/requests/${cancelled.id}/cancel`, { cookie: filer, body: { note: '取消' } });
    expect(await view(revoked)).toMatchObject({ status: 'revoked', token: null, codeSecret: null });
    // A cancelled visit's page says so, and holds no pass at all.
    const page = (await t.request('GET', `/api/v1/visit/${cancelled.visitors[0]!.pass.link.split('/').pop()}`)).json;
    expect(page).toMatchObject({ stage: 'closed', closedReason: 'cancelled', pass: null });
    t.clock.set('2026-11-22T00:00:00Z');
    expect(await view(expired)).toMatchObject({ status: 'expired', token: null, codeSecret: null });
  });

  it('is printable only where the office allowed it for the request', async () => {
    t = createTestApp();
    const office = await t.signIn('office');
    const filer = await t.signIn('filer');
    const plain = await approvedRequest(t, t.campus.gateIds.north, [visitorInput({}, 1)]);
    const filed = await t.request('POST', '/api/v1/requests', {
      cookie: filer,
      body: requestInput(t.campus.gateIds.north, { visitors: [visitorInput({}, 2)] }),
    });
    const allowed = (
      await t.request('POST', `/api/v1/review/${filed.json.id}/approve`, { cookie: office, body: { allowPrint: true } })
    ).json;
    expect(allowed.printAllowed).toBe(true);
    const view = async (r: { visitors: { pass: { link: string } }[] }) =>
      (await t.request('GET', `/api/v1/visit/${r.visitors[0]!.pass.link.split('/').pop()}`)).json.pass;
    expect((await view(plain)).printable).toBe(false);
    expect((await view(allowed)).printable).toBe(true);
  });
});

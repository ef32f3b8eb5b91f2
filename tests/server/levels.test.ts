import { afterEach, describe, expect, it } from 'vitest';
import { ok } from '../../server/domain/api-result';
import { decideAdmission, type AdmissionInput } from '../../server/domain/admission';
import { createTestApp, type TestApp } from '../helpers/app';
import { requestInput, visitorInput } from '../helpers/filing';
import { approvedRequest, decisionEvent, enrollDevice } from '../helpers/kiosk';
import { admitAt, refuseAt, runJobs } from '../helpers/office';
import type { Rules } from '../../server/domain/rules';

let t: TestApp;
afterEach(() => t?.cleanup());

async function office() {
  return t.client({ cookie: await t.signIn('office') });
}
/** What a tablet under 常态 records: the pass and the guard's ID glance, nothing else. */
const glanceAt = (idConfirmed: boolean): AdmissionInput => ({
  pass: { ok: true },
  healthCode: null,
  temperatures: [],
  entrant: 'visitor',
  outOfCity: false,
  testConfirmed: null,
  idConfirmed,
  snapshotFresh: true,
});

async function switchTo(level: string, reason = '疫情形势变化') {
  return ok((await office()).rules.level.$put({ json: { level, reason } }));
}

describe('campus alert levels', () => {
  it('switches in one step with a reason: a new version, audited, previewed first; an unknown level is a 400 on `level`', async () => {
    t = createTestApp();
    const o = await office();
    const before = await ok(o.rules.$get());
    expect(before.rules.level).toBe('closed');
    expect(await ok(o.rules.level.preview.$post({ json: { level: 'ordinary', reason: '恢复常态' } }))).toEqual([]);
    const saved = await switchTo('ordinary', '恢复常态');
    expect(saved).toMatchObject({ version: before.version + 1, rules: { level: 'ordinary' }, impact: [] });
    expect((await ok(o.rules.$get())).rules.level).toBe('ordinary');
    const audit = await ok(o.audit.$get({ query: { action: 'rules.level' } }));
    expect(audit.items[0]).toMatchObject({
      before: { level: 'closed' },
      after: { level: 'ordinary' },
      reason: '恢复常态',
    });

    const unknown = await o.rules.level.$put({ json: { level: 'lockdown', reason: '试一下' } });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({
      error: { code: 'validation_failed', issues: [{ path: ['level'], code: 'unknown_level' }] },
    });
    const noReason = await o.rules.level.$put({ json: { level: 'closed', reason: '' } });
    expect(noReason.status).toBe(400);
    const filer = t.client({ cookie: await t.signIn('filer') });
    expect((await filer.rules.level.$put({ json: { level: 'closed', reason: '越权' } })).status).toBe(403);
  });

  it('re-checks approved visits: one filed under 常态 without a test goes to review under 封闭', async () => {
    t = createTestApp();
    await switchTo('ordinary');
    // From Beijing, no test: nothing 常态 asks for (the commitment is signed at the gate when asked).
    const light = visitorInput({ fromRegion: '110105' });
    const r = await approvedRequest(t, t.campus.gateIds.north, [light]);
    expect(r.status).toBe('approved');
    const o = await office();
    const impact = await ok(o.rules.level.preview.$post({ json: { level: 'closed', reason: '封闭管理' } }));
    expect(impact).toEqual([expect.objectContaining({ requestId: r.id, reasons: ['test_required'] })]);
    const saved = await switchTo('closed', '封闭管理');
    expect(saved.impact.map((i) => i.requestId)).toEqual([r.id]);
    const after = await ok(o.requests[':id'].$get({ param: { id: String(r.id) } }));
    expect(after.status).toBe('needs_review');
  });

  it('sends the level to the tablets with the next snapshot, with each pass’s kind of entrant', async () => {
    t = createTestApp();
    await approvedRequest(t, t.campus.gateIds.north);
    const device = await enrollDevice(t, t.campus.gateIds.north);
    const kiosk = t.client({ bearer: device.token });
    const first = await ok(kiosk.kiosk.snapshot.$get({ query: {} }));
    expect(first.rules.rules.level).toBe('closed');
    expect(first.passes[0]?.request.entrant).toBe('visitor');
    await switchTo('ordinary');
    const next = await ok(kiosk.kiosk.snapshot.$get({ query: { since: first.cursor, digest: first.digest } }));
    expect(next.rules).toMatchObject({ version: first.rules.version + 1, rules: { level: 'ordinary' } });
  });

  it('re-decides each synced decision under the level of its rule version, with the server’s own idea of the entrant', async () => {
    t = createTestApp();
    // One pass per event: each is a first entry.
    const r = await approvedRequest(t, t.campus.gateIds.north, [
      ...[1, 2, 3].map((i) => visitorInput({}, i)),
      // From Wuhan, with a test: the closed campus would ask the guard to check it.
      visitorInput({ fromRegion: '420102', testTakenAt: '2026-11-20T01:00:00Z', testResult: 'negative' }, 4),
    ]);
    const [a, b, c, d] = r.visitors.map((v) => v.pass.id);
    const device = await enrollDevice(t, t.campus.gateIds.north);
    const closed = await ok((await office()).rules.$get());
    const ordinary = await switchTo('ordinary');
    // Under 常态 the tablet admits on the pass and an ID glance: no health code, no temperature.
    const glance = glanceAt(true);
    const tabletSays = (input: AdmissionInput, rules: Rules) => decideAdmission(input, rules).verdict;
    expect(tabletSays(glance, ordinary.rules)).toBe('admit');
    expect(tabletSays(glance, closed.rules)).toBe('incomplete');
    // The same taps claimed under the closed version, and under 常态 by a tablet claiming a student (no ID check).
    const student = { ...glance, entrant: 'student' as const, idConfirmed: null };
    expect(tabletSays(student, ordinary.rules)).toBe('admit');
    // Under 加强 the health code and temperature, and no test even from out of town.
    const heightened = await switchTo('heightened');
    const screened: AdmissionInput = {
      ...glance,
      outOfCity: true,
      idConfirmed: null,
      healthCode: { colour: 'green', method: 'seen_by_guard' },
      temperatures: [{ celsius: 36.6, method: 'forehead_ir', at: '2026-11-21T01:33:00Z' }],
    };
    expect(tabletSays(screened, heightened.rules)).toBe('admit');
    expect(tabletSays(screened, closed.rules)).toBe('incomplete');
    const events = [
      decisionEvent(1, { passId: a, input: glance, ruleVersion: ordinary.version }),
      decisionEvent(2, { passId: b, input: glance, ruleVersion: closed.version, at: '2026-11-21T01:31:00Z' }),
      decisionEvent(3, { passId: c, input: student, ruleVersion: ordinary.version, at: '2026-11-21T01:32:00Z' }),
      decisionEvent(4, { passId: d, input: screened, ruleVersion: heightened.version, at: '2026-11-21T01:33:00Z' }),
    ];
    const kiosk = t.client({ bearer: device.token });
    const synced = await ok(kiosk.kiosk.events.$post({ json: { events } }));
    expect(synced.acked).toHaveLength(4);
    const verdicts = t.sqlite
      .prepare('select seq, server_verdict as v from gate_events where device_id = ? order by seq')
      .all(device.deviceId);
    expect(verdicts).toEqual([
      { seq: 1, v: 'admit' }, // agrees with the tablet under 常态
      { seq: 2, v: 'incomplete' }, // the closed campus asks for the health code and temperature
      { seq: 3, v: 'incomplete' }, // the pass is a filed visitor's: the ID check stands
      { seq: 4, v: 'admit' }, // 加强: health code and temperature; no test, even from out of town
    ]);
  });
});

describe('collecting only what the policy needs', () => {
  it('keeps no travel, contact answer, test or commitment that the level in force does not ask for', async () => {
    t = createTestApp();
    await switchTo('ordinary');
    const sent = visitorInput({
      fromRegion: '110105',
      visitedRegions: ['110105'],
      closeContact: true,
      testTakenAt: '2026-11-20T01:00:00Z',
      testResult: 'negative',
    });
    const r = await approvedRequest(t, t.campus.gateIds.north, [sent]);
    const stored = t.sqlite
      .prepare(
        'select visited_regions as visited, close_contact as contact, test_taken_at as test, test_result as result, commitment_version as commitment from visitors where request_id = ?',
      )
      .get(r.id);
    expect(stored).toEqual({ visited: '[]', contact: 0, test: null, result: null, commitment: null });
    // Under 封闭 the same filing keeps every answer the notices ask for.
    await switchTo('closed');
    const closed = await approvedRequest(t, t.campus.gateIds.north, [
      visitorInput({ ...sent, closeContact: false }, 2),
    ]);
    expect(
      t.sqlite
        .prepare(
          'select visited_regions as visited, test_result as result, commitment_version as c from visitors where request_id = ?',
        )
        .get(closed.id),
      // The commitment is the visitor's to sign (on their phone, or on paper at the gate), never the department's.
    ).toEqual({ visited: '["110105"]', result: 'negative', c: null });
  });
});

describe('re-checks that hit only who they must', () => {
  it('revokes the pass of the one visitor of twelve put on the block list; the other eleven keep theirs', async () => {
    t = createTestApp();
    const group = Array.from({ length: 12 }, (_, i) => visitorInput({}, i + 1));
    const r = await approvedRequest(t, t.campus.gateIds.north, group);
    const o = await office();
    const blocked = await ok(
      o.blocklist.$post({ json: { idType: 'resident_id', idNumber: group[4]!.idNumber, reason: '提供虚假信息' } }),
    );
    const target = r.visitors[4]!;
    expect(blocked.impact).toEqual([
      expect.objectContaining({
        requestId: r.id,
        reasons: ['block_list'],
        visitors: [{ visitorId: target.id, reasons: ['block_list'] }],
      }),
    ]);
    const after = await ok(o.requests[':id'].$get({ param: { id: String(r.id) } }));
    expect(after.status).toBe('needs_review');
    const live = (after.visitors ?? []).filter((v) => v.pass && !v.pass.revoked).map((v) => v.id);
    expect(live).toEqual(r.visitors.filter((v) => v.id !== target.id).map((v) => v.id));
    expect(after.visitors?.find((v) => v.id === target.id)?.checks).toEqual(['block_list']);
    // The others' links still open their passes.
    const other = r.visitors[0].pass;
    expect((await t.request('GET', `/api/v1/visit/${other.link.split('/').pop()}`)).status).toBe(200);
  });
});

describe('the daily report under a level', () => {
  it('counts each refusal by the check that made it, under whichever level was in force', async () => {
    t = createTestApp();
    const r = await approvedRequest(t, t.campus.gateIds.north, [visitorInput({}, 1), visitorInput({}, 2)]);
    const [a, b] = r.visitors.map((v) => v.pass.id) as [string, string];
    const device = await enrollDevice(t, t.campus.gateIds.north);
    const closed = await ok((await office()).rules.$get());
    const ordinary = await switchTo('ordinary');
    // Under 常态 an ID that does not match; under 封闭 (an earlier decision synced late) a yellow code.
    const events = [
      refuseAt(1, '09:00', ['id_mismatch'], { ...glanceAt(false) }),
      admitAt(2, a, '09:05', { ...glanceAt(true) }),
      {
        ...refuseAt(3, '08:30', ['code_yellow'], { healthCode: { colour: 'yellow', method: 'seen_by_guard' } }),
        passId: b,
      },
    ].map((e, i) => ({ ...e, ruleVersion: i === 2 ? closed.version : ordinary.version }));
    t.clock.set('2026-11-21T09:00:00Z');
    const synced = await ok(t.client({ bearer: device.token }).kiosk.events.$post({ json: { events } }));
    expect(synced.acked).toHaveLength(3);
    t.clock.set('2026-11-22T02:00:00Z');
    runJobs(t);
    const res = await ok(
      t
        .client({ cookie: await t.signIn('office') })
        .reports.daily.$get({ query: { from: '2026-11-21', to: '2026-11-21' } }),
    );
    const north = res.items.find((i) => i.scope === String(t.campus.gateIds.north))!;
    expect(north.figures).toMatchObject({ entrants: 3, admitted: 1, refused: 2 });
    expect(north.figures.refusedBy).toMatchObject({ id_mismatch: 1, code_colour: 1 });
  });
});

describe('every setting the rules use, with a reason', () => {
  it('changes the campus city (who is from out of town) only to a region that exists', async () => {
    t = createTestApp();
    const o = await office();
    const { rules } = await ok(o.rules.$get());
    const bad = await o.rules.$put({ json: { rules: { ...rules, campusRegionCode: '999900' }, reason: '迁址' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      error: { issues: [{ path: ['rules', 'campusRegionCode'], code: 'unknown_region' }] },
    });
    const moved = await ok(
      o.rules.$put({ json: { rules: { ...rules, campusRegionCode: '420100' }, reason: '迁址武汉' } }),
    );
    expect(moved.rules.campusRegionCode).toBe('420100');
  });

  it('publishes a commitment only with both languages and a reason, audited with the text before and after', async () => {
    t = createTestApp();
    const o = await office();
    const zh = '本人承诺如实申报健康状况，共十个字以上。';
    const en = 'I declare my health truthfully.';
    expect((await o.rules.commitment.$put({ json: { zh, en, reason: '' } })).status).toBe(400);
    expect((await o.rules.commitment.$put({ json: { zh, en: '', reason: '按新通知修订' } })).status).toBe(400);
    const v = await ok(o.rules.commitment.$put({ json: { zh, en, reason: '按新通知修订' } }));
    expect(v).toMatchObject({ version: 2, zh, en });
    const audit = await ok(o.audit.$get({ query: { action: 'commitment.publish' } }));
    expect(audit.items[0]).toMatchObject({
      reason: '按新通知修订',
      before: { version: 1 },
      after: { version: 2, zh, en },
    });
  });
});

describe('an office that can decide: overrides', () => {
  it('admits a visitor whose home became a risk area with a named reason; the gate shows it, the report counts it, re-checks leave it', async () => {
    t = createTestApp();
    // Two from Zhengzhou's Jinshui district, one from Wuhan (with a negative test).
    const wuhan = visitorInput(
      { fromRegion: '420102', testTakenAt: '2026-11-20T01:00:00Z', testResult: 'negative' },
      3,
    );
    const r = await approvedRequest(t, t.campus.gateIds.north, [visitorInput({}, 1), visitorInput({}, 2), wuhan]);
    const x = r.visitors[2]!;
    const o = await office();
    const added = await ok(
      o['risk-areas'].$post({
        json: { regionCode: '420100', level: 'high', effectiveFrom: '2026-11-19', effectiveTo: null, reason: '通报' },
      }),
    );
    expect(added.impact[0]?.visitors).toEqual([{ visitorId: x.id, reasons: ['risk_area_home'] }]);
    const approve = (json: Record<string, unknown>) =>
      o.review[':id'].approve.$post({ param: { id: String(r.id) }, json: { note: null, ...json } });
    const refused = await approve({});
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ error: { code: 'checks_failed' } });
    const tooShort = await approve({ overrides: [{ visitorId: x.id, reason: '可' }] });
    expect(tooShort.status).toBe(400);

    const view = await ok(approve({ overrides: [{ visitorId: x.id, reason: '已在当地隔离期满，持解除证明' }] }));
    const seen = view.visitors?.find((v) => v.id === x.id);
    expect(seen).toMatchObject({
      checks: [],
      override: { codes: ['risk_area_home'], reason: '已在当地隔离期满，持解除证明', by: expect.any(String) },
      pass: { revoked: false },
    });
    expect(seen?.override?.by.length).toBeGreaterThan(0);
    const passId = seen!.pass!.id;
    const audit = await ok(o.audit.$get({ query: { action: 'visitor.override' } }));
    expect(audit.items[0]).toMatchObject({ entityId: String(x.id), reason: '已在当地隔离期满，持解除证明' });

    // A later rule change does not raise the overridden check again.
    const { rules } = await ok(o.rules.$get());
    expect(
      (await ok(o.rules.$put({ json: { rules: { ...rules, groupCap: 40 }, reason: '调整团体上限' } }))).impact,
    ).toEqual([]);

    // The tablet shows the override; the admit is counted as one.
    const device = await enrollDevice(t, t.campus.gateIds.north);
    const kiosk = t.client({ bearer: device.token });
    const snap = await ok(kiosk.kiosk.snapshot.$get({ query: {} }));
    expect(snap.passes.find((p) => p.id === passId)?.visitor.override).toEqual(['risk_area_home']);
    t.clock.set('2026-11-21T09:00:00Z');
    await ok(
      kiosk.kiosk.events.$post({
        json: {
          events: [
            {
              ...admitAt(1, passId, '09:30', { testRequired: true, testConfirmed: true }),
              ruleVersion: snap.rules.version,
            },
          ],
        },
      }),
    );
    t.clock.set('2026-11-22T02:00:00Z');
    runJobs(t);
    const res = await ok(
      t
        .client({ cookie: await t.signIn('office') })
        .reports.daily.$get({ query: { from: '2026-11-21', to: '2026-11-21' } }),
    );
    expect(res.items.find((i) => i.scope === String(t.campus.gateIds.north))?.figures).toMatchObject({
      admitted: 1,
      overrideAdmits: 1,
    });
  });

  it('forgets a re-check failure once the rules pass again: the approval needs no override and shows no stale check', async () => {
    t = createTestApp();
    const wuhan = visitorInput({ fromRegion: '420102', testTakenAt: '2026-11-20T01:00:00Z', testResult: 'negative' });
    const r = await approvedRequest(t, t.campus.gateIds.north, [wuhan]);
    const o = await office();
    const area = await ok(
      o['risk-areas'].$post({
        json: { regionCode: '420100', level: 'high', effectiveFrom: '2026-11-19', effectiveTo: null, reason: '通报' },
      }),
    );
    const failing = await ok(o.requests[':id'].$get({ param: { id: String(r.id) } }));
    expect(failing.visitors?.[0]?.checks).toEqual(['risk_area_home']);
    await ok(o['risk-areas'][':id'].$delete({ param: { id: String(area.id) } }));
    const approved = await ok(o.review[':id'].approve.$post({ param: { id: String(r.id) }, json: { note: null } }));
    expect(approved.visitors?.[0]).toMatchObject({ checks: [], override: null, pass: { revoked: false } });
  });

  it('never overrides the block list', async () => {
    t = createTestApp();
    const group = [visitorInput({}, 1), visitorInput({}, 2)];
    const r = await approvedRequest(t, t.campus.gateIds.north, group);
    const o = await office();
    await ok(o.blocklist.$post({ json: { idType: 'resident_id', idNumber: group[1]!.idNumber, reason: '冒用证件' } }));
    const res = await o.review[':id'].approve.$post({
      param: { id: String(r.id) },
      json: { note: null, overrides: [{ visitorId: r.visitors[1]!.id, reason: '领导同意入校' }] },
    });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: { code: 'not_overridable' } });
  });
});

describe('a change that touches someone already on campus', () => {
  it('raises an alert and marks them in the on-campus list', async () => {
    t = createTestApp();
    const group = [visitorInput({}, 1), visitorInput({}, 2)];
    const r = await approvedRequest(t, t.campus.gateIds.north, group);
    const device = await enrollDevice(t, t.campus.gateIds.north);
    t.clock.set('2026-11-21T01:40:00Z');
    const kiosk = t.client({ bearer: device.token });
    await ok(
      kiosk.kiosk.events.$post({
        json: { events: [admitAt(1, r.visitors[0].pass.id, '09:30'), admitAt(2, r.visitors[1]!.pass.id, '09:31')] },
      }),
    );
    const o = await office();
    await ok(o.blocklist.$post({ json: { idType: 'resident_id', idNumber: group[0]!.idNumber, reason: '冒用证件' } }));
    const inside = await ok(o.presence.$get());
    expect(inside.map((p) => [p.visitorId, p.failedChecks])).toEqual([
      [r.visitors[0].id, ['block_list']],
      [r.visitors[1]!.id, []],
    ]);
    const alerts = (await ok(o.alerts.$get())).filter((a) => a.type === 'recheck_on_campus');
    expect(alerts).toEqual([
      expect.objectContaining({ passId: r.visitors[0].pass.id, detail: expect.stringContaining('block_list') }),
    ]);
  });
});

describe('contractors and long-term workers', () => {
  it('are filed as such and get their policy: four entries a day over a multi-day pass, no escort, their kind on the tablet', async () => {
    t = createTestApp();
    const filer = t.client({ cookie: await t.signIn('filer') });
    const o = await office();
    const filed = await ok(
      filer.requests.$post({
        json: {
          ...requestInput(t.campus.gateIds.north, { visitDateTo: '2026-11-25', purpose: '宿舍楼维修施工' }),
          kind: 'contractor',
        } as never,
        header: {},
      }),
    );
    expect(filed.kind).toBe('contractor');
    const approved = await ok(o.review[':id'].approve.$post({ param: { id: String(filed.id) }, json: {} }));
    expect(approved.visitors?.[0]?.pass?.entriesAllowed).toBe(5 * 4);
    const device = await enrollDevice(t, t.campus.gateIds.north);
    const snap = await ok(t.client({ bearer: device.token }).kiosk.snapshot.$get({ query: {} }));
    expect(snap.passes[0]?.request.entrant).toBe('contractor');
    expect(snap.rules.rules.levels.find((l) => l.id === 'closed')?.policies.contractor.escort).toBe(false);
  });
});

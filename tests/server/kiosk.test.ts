import { afterEach, describe, expect, it } from 'vitest';
import { fromBase64Url } from '../../server/domain/pass';
import { nameLookupDigest } from '../../server/domain/name-lookup';
import { createTestApp, type TestApp } from '../helpers/app';
import { approvedRequest, decisionEvent, enrollDevice } from '../helpers/kiosk';
import { requestInput, visitorInput } from '../helpers/filing';

let t: TestApp;
afterEach(() => t?.cleanup());

describe('device enrollment', () => {
  it('enrolls once per code, within 10 minutes, and a revoked tablet is refused next time', async () => {
    t = createTestApp();
    const office = await t.signIn('office');
    const { code, expiresAt } = (
      await t.request('POST', '/api/v1/devices/enrollments', {
        cookie: office,
        body: { gateId: t.campus.gateIds.north },
      })
    ).json;
    expect(code).toMatch(/^\d{6}$/);
    expect(Date.parse(expiresAt) - t.clock.now().getTime()).toBe(10 * 60_000);
    const first = await t.request('POST', '/api/v1/kiosk/enroll', { body: { code } });
    expect(first.status).toBe(201);
    expect(first.json.gate).toMatchObject({ id: t.campus.gateIds.north, name: '北门' });
    expect((await t.request('POST', '/api/v1/kiosk/enroll', { body: { code } })).json.error.code).toBe(
      'invalid_enrollment_code',
    );
    expect((await t.request('GET', '/api/v1/kiosk/snapshot', { bearer: first.json.token })).status).toBe(200);
    const list = (await t.request('GET', '/api/v1/devices', { cookie: office })).json;
    expect(list[0]).toMatchObject({ gateId: t.campus.gateIds.north, revoked: false, lastSeenAt: expect.any(String) });
    await t.request('POST', `/api/v1/devices/${first.json.deviceId}/revoke`, { cookie: office, body: {} });
    expect((await t.request('GET', '/api/v1/kiosk/snapshot', { bearer: first.json.token })).status).toBe(401);
  });

  it('serves kiosk routes only to a tablet still enrolled: not to an integration token, not once the device alone is revoked', async () => {
    t = createTestApp();
    const admin = await t.signIn('admin');
    const integration = (
      await t.request('POST', '/api/v1/tokens', {
        cookie: admin,
        body: {
          name: 'OA system',
          scopes: ['requests:file', 'reports:read', 'events:read'],
          departmentId: t.campus.departmentIds.cs,
          expiresInDays: 365,
        },
      })
    ).json.token;
    const denied = await t.request('POST', '/api/v1/kiosk/events', { bearer: integration, body: { events: [] } });
    expect(denied.status).toBe(403);
    expect(denied.json.error.code).toBe('not_a_device');

    const office = await t.signIn('office');
    const { code } = (
      await t.request('POST', '/api/v1/devices/enrollments', {
        cookie: office,
        body: { gateId: t.campus.gateIds.north },
      })
    ).json;
    const tablet = (await t.request('POST', '/api/v1/kiosk/enroll', { body: { code } })).json;
    expect(
      (await t.request('POST', '/api/v1/kiosk/events', { bearer: tablet.token, body: { events: [] } })).status,
    ).toBe(200);
    // The device row revoked while its token is not (a half-finished revocation): still refused.
    t.sqlite.prepare('update devices set revoked_at = ? where id = ?').run(t.clock.now().getTime(), tablet.deviceId);
    expect(
      (await t.request('POST', '/api/v1/kiosk/events', { bearer: tablet.token, body: { events: [] } })).json.error.code,
    ).toBe('not_a_device');
  });

  it('refuses an expired code', async () => {
    t = createTestApp();
    const office = await t.signIn('office');
    const { code } = (
      await t.request('POST', '/api/v1/devices/enrollments', {
        cookie: office,
        body: { gateId: t.campus.gateIds.north },
      })
    ).json;
    t.clock.advance(10 * 60_000 + 1);
    expect((await t.request('POST', '/api/v1/kiosk/enroll', { body: { code } })).status).toBe(401);
  });

  it('takes the name the office gave with the code, and the office renames a tablet; a renamed tablet still hears its emergency answer', async () => {
    t = createTestApp();
    const office = await t.signIn('office');
    const { code } = (
      await t.request('POST', '/api/v1/devices/enrollments', {
        cookie: office,
        body: { gateId: t.campus.gateIds.north, name: '北门 左侧' },
      })
    ).json;
    const tablet = (await t.request('POST', '/api/v1/kiosk/enroll', { body: { code, name: '门岗平板' } })).json;
    const listed = () => t.request('GET', '/api/v1/devices', { cookie: office });
    expect((await listed()).json.map((d: { name: string }) => d.name)).toEqual(['北门 左侧']);
    const asked = await t.request('POST', '/api/v1/kiosk/emergency', {
      bearer: tablet.token,
      body: {
        departmentId: t.campus.departmentIds.cs,
        visitorName: '赵',
        visitorPhone: '13700000000',
        reason: '设备抢修：水管爆裂', // the gate's form asks only why; the reason stands for the purpose
      },
    });
    expect(asked.status).toBe(201);
    expect(
      t.sqlite.prepare('select purpose, emergency_reason r from visit_requests where id = ?').get(asked.json.requestId),
    ).toEqual({ purpose: '设备抢修：水管爆裂', r: '设备抢修：水管爆裂' });
    const renamed = await t.request('PATCH', `/api/v1/devices/${tablet.deviceId}`, {
      cookie: office,
      body: { name: '北门 右侧' },
    });
    expect(renamed.json.name).toBe('北门 右侧');
    expect((await listed()).json.map((d: { name: string }) => d.name)).toEqual(['北门 右侧']);
    const answer = await t.request('GET', `/api/v1/kiosk/emergency/${asked.json.requestId}`, { bearer: tablet.token });
    expect(answer.json).toMatchObject({ status: 'pending' });
    expect(
      t.sqlite.prepare("select action, before, after from audit_log where action = 'device.rename'").get(),
    ).toEqual({ action: 'device.rename', before: '{"name":"北门 左侧"}', after: '{"name":"北门 右侧"}' });
    const blank = await t.request('PATCH', `/api/v1/devices/${tablet.deviceId}`, {
      cookie: office,
      body: { name: ' ' },
    });
    expect(blank.status).toBe(400);
  });
});

describe('guard shift', () => {
  it('starts with the guard’s PIN, only at their own gate', async () => {
    t = createTestApp();
    const admin = await t.signIn('admin');
    await t.request('PATCH', `/api/v1/users/${t.users.guard.id}`, { cookie: admin, body: { pin: '2468' } });
    const north = await enrollDevice(t, t.campus.gateIds.north);
    const east = await enrollDevice(t, t.campus.gateIds.east);
    expect(
      (
        await t.request('POST', '/api/v1/kiosk/shift', {
          bearer: north.token,
          body: { userId: t.users.guard.id, pin: '2468' },
        })
      ).json,
    ).toMatchObject({ id: t.users.guard.id });
    expect(
      (
        await t.request('POST', '/api/v1/kiosk/shift', {
          bearer: north.token,
          body: { userId: t.users.guard.id, pin: '1357' },
        })
      ).json.error.code,
    ).toBe('invalid_pin');
    expect(
      (
        await t.request('POST', '/api/v1/kiosk/shift', {
          bearer: east.token,
          body: { userId: t.users.guard.id, pin: '2468' },
        })
      ).status,
    ).toBe(401);
  });
});

describe('GET /api/v1/kiosk/snapshot', () => {
  it('carries the gate’s passes with masked names only, rules, keys and guards', async () => {
    t = createTestApp();
    const req = await approvedRequest(t, t.campus.gateIds.north, [visitorInput({ name: '张三丰' })]);
    const { token } = await enrollDevice(t, t.campus.gateIds.north);
    const snap = (await t.request('GET', '/api/v1/kiosk/snapshot', { bearer: token })).json;
    expect(snap.passes).toHaveLength(1);
    expect(snap.passes[0]).toMatchObject({
      id: req.visitors[0].pass.id,
      visitor: { name: '张*丰' },
      request: { escortPhone: '139****2222' },
    });
    expect(JSON.stringify(snap)).not.toContain('张三丰');
    expect(snap.rules.version).toBe(1);
    expect(snap.keys).toHaveLength(1);
    expect(snap.guards.map((g: { id: number }) => g.id)).toEqual([t.users.guard.id]);
    const east = await enrollDevice(t, t.campus.gateIds.east);
    expect((await t.request('GET', '/api/v1/kiosk/snapshot', { bearer: east.token })).json.passes).toEqual([]);
  });

  it('carries a keyed digest of each full name under the tablet’s own key, so a typed name finds its pass', async () => {
    t = createTestApp();
    await approvedRequest(t, t.campus.gateIds.north, [visitorInput({ name: '张三丰' })]);
    const one = await enrollDevice(t, t.campus.gateIds.north);
    const two = await enrollDevice(t, t.campus.gateIds.north);
    const snapOf = async (token: string) => (await t.request('GET', '/api/v1/kiosk/snapshot', { bearer: token })).json;
    const [a, b] = [await snapOf(one.token), await snapOf(two.token)];
    const key = fromBase64Url(a.nameLookupKey)!;
    expect(a.passes[0].visitor.nameKey).toBe(nameLookupDigest(key, ' 张三丰 '));
    expect(a.passes[0].visitor.nameKey).not.toBe(nameLookupDigest(key, '张三'));
    // Another tablet's key and digest differ: digests copied off one tablet match nothing elsewhere.
    expect(b.nameLookupKey).not.toBe(a.nameLookupKey);
    expect(b.passes[0].visitor.nameKey).not.toBe(a.passes[0].visitor.nameKey);
  });
});

describe('GET /api/v1/kiosk/snapshot?since=', () => {
  const snapshot = async (token: string, since?: string) =>
    (await t.request('GET', `/api/v1/kiosk/snapshot${since ? `?since=${since}` : ''}`, { bearer: token })).json;

  it('says where and since when a pass’s holder is inside, and takes it back once an exit is synced', async () => {
    t = createTestApp();
    const north = t.campus.gateIds.north;
    const [pass] = (await approvedRequest(t, north)).visitors.map((v: { pass: { id: string } }) => v.pass.id);
    const { token } = await enrollDevice(t, north);
    const first = await snapshot(token);
    expect(first.passes[0].inside).toBeNull();
    const events = (body: unknown[]) =>
      t.request('POST', '/api/v1/kiosk/events', { bearer: token, body: { events: body } });
    await events([decisionEvent(1, { passId: pass })]);
    const inside = await snapshot(token, first.cursor);
    expect(inside.passes[0]).toMatchObject({
      id: pass,
      entriesUsed: 1,
      inside: { since: '2026-11-21T01:30:00.000Z', gateId: north, gateName: '北门' },
    });
    await events([decisionEvent(2, { type: 'exit', passId: pass, verdict: null, at: '2026-11-21T03:00:00.000Z' })]);
    const left = await snapshot(token, inside.cursor);
    expect(left.passes).toEqual([expect.objectContaining({ id: pass, inside: null })]);
  });

  it('sends only passes changed since the cursor: revocations, entries used elsewhere, and passes newly in the window', async () => {
    t = createTestApp();
    const north = t.campus.gateIds.north;
    const [a, b] = (await approvedRequest(t, north, [visitorInput({}, 1), visitorInput({}, 2)])).visitors.map(
      (v: { pass: { id: string } }) => v.pass.id,
    );
    const { token } = await enrollDevice(t, north);
    const first = await snapshot(token);
    expect(first.full).toBe(true);
    expect(first.passes.map((p: { id: string }) => p.id).sort()).toEqual([a, b].sort());

    const quiet = await snapshot(token, first.cursor);
    expect(quiet).toMatchObject({ full: false, passes: [] });

    const office = await t.signIn('office');
    expect(
      (await t.request('POST', `/api/v1/passes/${a}/revoke`, { cookie: office, body: { reason: '来访取消' } })).status,
    ).toBe(200);
    const other = await enrollDevice(t, north);
    await t.request('POST', '/api/v1/kiosk/events', {
      bearer: other.token,
      body: { events: [decisionEvent(1, { passId: b })] },
    });
    const changed = await snapshot(token, quiet.cursor);
    expect(changed.passes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: a, revoked: true }),
        expect.objectContaining({ id: b, entriesUsed: 1 }),
      ]),
    );
    expect(changed.passes).toHaveLength(2);

    // Filed for three days ahead: outside the window now, inside it two days later with no change of its own.
    const filer = await t.signIn('filer');
    const later = await t.request('POST', '/api/v1/requests', {
      cookie: filer,
      body: requestInput(north, { visitDateFrom: '2026-11-23', visitors: [visitorInput({}, 3)] }),
    });
    const approved = (await t.request('POST', `/api/v1/review/${later.json.id}/approve`, { cookie: office, body: {} }))
      .json;
    const c = await snapshot(token, changed.cursor);
    expect(c.passes).toEqual([]);
    t.clock.advance(2 * 86_400_000);
    expect((await snapshot(token, c.cursor)).passes.map((p: { id: string }) => p.id)).toEqual([
      approved.visitors[0].pass.id,
    ]);
  });

  it('answers in full to a cursor it cannot have issued (a database restored from backup)', async () => {
    t = createTestApp();
    await approvedRequest(t, t.campus.gateIds.north);
    const { token } = await enrollDevice(t, t.campus.gateIds.north);
    const snap = await snapshot(token, '999999.1');
    expect(snap).toMatchObject({ full: true, passes: [expect.anything()] });
    expect((await t.request('GET', '/api/v1/kiosk/snapshot?since=drop%20table', { bearer: token })).status).toBe(400);
  });

  it('carries the block list as keyed hashes, and the engine refuses a listed visitor with its own reason', async () => {
    t = createTestApp();
    const visitor = visitorInput({}, 7);
    const req = await approvedRequest(t, t.campus.gateIds.north, [visitor]);
    const { token } = await enrollDevice(t, t.campus.gateIds.north);
    const office = await t.signIn('office');
    expect(
      (
        await t.request('POST', '/api/v1/blocklist', {
          cookie: office,
          body: { idType: 'resident_id', idNumber: visitor.idNumber, reason: '多次冒用他人证件' },
        })
      ).status,
    ).toBe(201);
    const snap = await snapshot(token);
    expect(snap.blockedIdHashes).toHaveLength(1);
    expect(snap.blockedIdHashes[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(snap)).not.toContain(visitor.idNumber);
    const listed = snap.passes.find((p: { id: string }) => p.id === req.visitors[0].pass.id);
    // The block revoked the pass too; the tablet can still tell the guard why.
    expect(listed).toMatchObject({ revoked: true, visitor: { idHash: snap.blockedIdHashes[0] } });
    const refused = decisionEvent(1, {
      verdict: 'refuse',
      reasons: ['block_list'],
      input: { ...decisionEvent(1).input, blocked: true },
    });
    await t.request('POST', '/api/v1/kiosk/events', { bearer: token, body: { events: [refused] } });
    expect(
      t.sqlite.prepare('select server_verdict v, disagreement d from gate_events where id = ?').get(refused.id),
    ).toEqual({ v: 'refuse', d: 0 });
  });

  it('records the tablet’s build, outbox size and snapshot time for the office', async () => {
    t = createTestApp();
    const { token, deviceId } = await enrollDevice(t, t.campus.gateIds.north);
    await t.request('GET', '/api/v1/kiosk/snapshot', {
      bearer: token,
      headers: { 'x-outbox-pending': '12', 'x-app-version': '0.2.0' },
    });
    expect(
      t.sqlite
        .prepare('select outbox_pending p, app_version v, last_snapshot_at s from devices where id = ?')
        .get(deviceId),
    ).toEqual({ p: 12, v: '0.2.0', s: t.clock.now().getTime() });
    // The office sees it before revoking: those 12 would be lost with the tablet.
    const listed = await t.request('GET', '/api/v1/devices', { cookie: await t.signIn('office') });
    expect(listed.json).toEqual([expect.objectContaining({ id: deviceId, outboxPending: 12 })]);
    await t.request('POST', '/api/v1/kiosk/events', {
      bearer: token,
      body: { events: [decisionEvent(1)] },
      headers: { 'x-outbox-pending': '0' },
    });
    expect(t.sqlite.prepare('select outbox_pending p from devices where id = ?').get(deviceId)).toEqual({ p: 0 });
  });
});

describe('POST /api/v1/kiosk/events', () => {
  it('stores each event once, counts entries, and flags a verdict the engine disagrees with', async () => {
    t = createTestApp();
    const req = await approvedRequest(t, t.campus.gateIds.north);
    const passId = req.visitors[0].pass.id;
    const { token } = await enrollDevice(t, t.campus.gateIds.north);
    const admit = decisionEvent(1, { passId });
    const wrong = decisionEvent(2, {
      verdict: 'admit',
      input: { ...decisionEvent(2).input, healthCode: { colour: 'red', method: 'seen_by_guard' } },
    });
    const poison = { ...decisionEvent(3), temperatures: 'hot', input: { nonsense: true } };
    const first = await t.request('POST', '/api/v1/kiosk/events', {
      bearer: token,
      body: { events: [admit, wrong, poison] },
    });
    expect(first.json.acked).toEqual([admit.id, wrong.id]);
    expect(first.json.rejected).toEqual([{ id: poison.id, reason: expect.stringContaining('input') }]);
    const again = await t.request('POST', '/api/v1/kiosk/events', { bearer: token, body: { events: [admit, wrong] } });
    expect(again.json).toMatchObject({ acked: [], duplicates: [admit.id, wrong.id] });
    expect(t.sqlite.prepare('select count(*) n from gate_events').get()).toEqual({ n: 2 });
    expect(
      t.sqlite.prepare('select disagreement d, server_verdict v from gate_events where id = ?').get(wrong.id),
    ).toEqual({ d: 1, v: 'refuse' });
    expect(t.sqlite.prepare('select entries_used n from passes where id = ?').get(passId)).toEqual({ n: 1 });
  });
});

describe('GET /api/v1/alerts', () => {
  it('raises an escort-overdue alert after the configured wait, and none once the escort arrived', async () => {
    t = createTestApp();
    const req = await approvedRequest(t, t.campus.gateIds.north, [visitorInput({}, 1), visitorInput({}, 2)]);
    const [a, b] = req.visitors.map((v: { pass: { id: string } }) => v.pass.id);
    const { token } = await enrollDevice(t, t.campus.gateIds.north);
    const events = [
      decisionEvent(1, { passId: a }),
      decisionEvent(2, { passId: b }),
      { ...decisionEvent(3), type: 'escort_arrived', passId: b, verdict: null, input: null },
    ];
    await t.request('POST', '/api/v1/kiosk/events', { bearer: token, body: { events } });
    t.clock.set(new Date(Date.parse(events[0]!.at as string) + 14 * 60_000)); // the events happened at the gate next morning
    const office = await t.signIn('office');
    const escortAlerts = async () =>
      (await t.request('GET', '/api/v1/alerts', { cookie: office })).json.filter(
        (x: { type: string }) => x.type === 'escort_overdue',
      );
    expect(await escortAlerts()).toEqual([]);
    t.clock.advance(2 * 60_000);
    expect(await escortAlerts()).toEqual([
      expect.objectContaining({ type: 'escort_overdue', passId: a, detail: '16 min' }),
    ]);
  });

  it('raises one escort-overdue alert for a group still waiting, not one per visitor', async () => {
    t = createTestApp();
    const group = Array.from({ length: 5 }, (_, i) => visitorInput({}, i + 1));
    const req = await approvedRequest(t, t.campus.gateIds.north, group);
    const { token } = await enrollDevice(t, t.campus.gateIds.north);
    const events = req.visitors.map((v: { pass: { id: string } }, i: number) =>
      decisionEvent(i + 1, {
        passId: v.pass.id,
        at: new Date(Date.parse('2026-11-21T01:30:00Z') + i * 30_000).toISOString(),
      }),
    );
    await t.request('POST', '/api/v1/kiosk/events', { bearer: token, body: { events } });
    t.clock.set('2026-11-21T02:00:00Z');
    const alerts = (await t.request('GET', '/api/v1/alerts', { cookie: await t.signIn('office') })).json.filter(
      (x: { type: string }) => x.type === 'escort_overdue',
    );
    expect(alerts).toEqual([
      expect.objectContaining({ passId: req.visitors[0].pass.id, detail: '30 min · 5 visitors' }),
    ]);
    expect(alerts[0].key).toBe(`escort_overdue:${req.id}:2026-11-21`);
  });
});

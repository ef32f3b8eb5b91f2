import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app';
import { requestInput, visitorInput } from '../helpers/filing';
import { approvedRequest, decisionEvent, enrollDevice } from '../helpers/kiosk';
import { copies, simulatedTablet } from '../helpers/tablet-sim';

let t: TestApp;
afterEach(() => t?.cleanup());

type PassRef = { id: string; revoked: boolean; link: string };
type VisitorView = { id: number; name: string; pass: PassRef | null };

describe('the snapshot cursor (issue 11’s reproduction)', () => {
  it('an online tablet gets the pass re-issued after an edit and every pass of a later request, after a block-list revocation', async () => {
    t = createTestApp();
    const north = t.campus.gateIds.north;
    const filer = await t.signIn('filer');
    const office = await t.signIn('office');
    const [a, b] = [visitorInput({ name: '甲访客' }, 1), visitorInput({ name: '乙访客' }, 2)];
    const first = await approvedRequest(t, north, [a, b]);
    const tablet = await simulatedTablet(t, north, office);
    await tablet.sync();
    expect(tablet.held?.passes).toHaveLength(2);

    // A block-list change revokes the blocked visitor's pass (the request goes back to review, the
    // other visitor keeps theirs); the tablet syncs.
    expect(
      (
        await t.request('POST', '/api/v1/blocklist', {
          cookie: office,
          body: { idType: 'resident_id', idNumber: a.idNumber, reason: '冒用证件' },
        })
      ).status,
    ).toBe(201);
    await tablet.sync();
    const afterBlock = new Map(tablet.held?.passes.map((p) => [p.id, p.revoked]));
    expect(afterBlock.get(first.visitors[0].pass.id)).toBe(true);
    expect(afterBlock.get(first.visitors[1]!.pass.id)).toBe(false);

    // The filer removes the blocked visitor and enters the other again; the office approves.
    const edited = await t.request('PUT', `/api/v1/requests/${first.id}`, {
      cookie: filer,
      body: requestInput(north, { visitors: [b] }),
    });
    expect(edited.status).toBe(200);
    const reapproved = (await t.request('POST', `/api/v1/review/${first.id}/approve`, { cookie: office, body: {} }))
      .json;
    const bAgain = reapproved.visitors[0] as VisitorView;
    expect(bAgain).toMatchObject({
      id: first.visitors[1]?.id,
      pass: { revoked: false, link: first.visitors[1]?.pass.link },
    });

    // A new request of ten visitors, none of them ever edited.
    const ten = await approvedRequest(
      t,
      north,
      Array.from({ length: 10 }, (_, i) => visitorInput({}, i + 3)),
    );
    await tablet.sync();
    const held = new Map(tablet.held!.passes.map((p) => [p.id, p.revoked]));
    expect(held.get(bAgain.pass!.id)).toBe(false);
    for (const v of ten.visitors as VisitorView[]) expect(held.get(v.pass!.id)).toBe(false);
    expect(held.get(first.visitors[0].pass.id)).toBe(true);
    const { tablet: mine, server } = copies(t, tablet);
    expect(mine).toEqual(server);
  });

  it('answers in full to a cursor of the old numbering (an upgraded server), and to one it cannot have issued', async () => {
    t = createTestApp();
    await approvedRequest(t, t.campus.gateIds.north);
    const { token } = await enrollDevice(t, t.campus.gateIds.north);
    for (const since of ['5.1795400000000', '2.999999.1']) {
      const snap = (await t.request('GET', `/api/v1/kiosk/snapshot?since=${since}`, { bearer: token })).json;
      expect(snap).toMatchObject({ full: true, passes: [expect.anything()] });
      expect(snap.cursor).toMatch(/^2\.\d+\.\d+$/);
    }
  });

  it('tells the tablet of a pass deleted behind the app’s back (a tombstone), and the counter never goes back', async () => {
    t = createTestApp();
    const req = await approvedRequest(t, t.campus.gateIds.north, [visitorInput({}, 1), visitorInput({}, 2)]);
    const tablet = await simulatedTablet(t, t.campus.gateIds.north);
    const before = await tablet.sync();
    t.sqlite.prepare('delete from visitors where id = ?').run(req.visitors[1]!.id);
    const after = await tablet.sync();
    expect(after.removedPassIds).toEqual([req.visitors[1]?.pass.id]);
    expect(tablet.held?.passes.map((p) => p.id)).toEqual([req.visitors[0].pass.id]);
    const seq = (cursor: string) => Number(cursor.split('.')[1]);
    expect(seq(after.cursor)).toBeGreaterThan(seq(before.cursor));
    const next = await approvedRequest(t, t.campus.gateIds.north, [visitorInput({}, 3)]);
    expect(
      (t.sqlite.prepare('select change_seq n from passes where id = ?').get(next.visitors[0].pass.id) as { n: number })
        .n,
    ).toBeGreaterThan(seq(after.cursor));
  });
});

describe('a tablet proves its copy', () => {
  it('a copy that differs from what was sent gets a full snapshot and raises snapshot_divergence naming the tablet', async () => {
    t = createTestApp();
    const office = await t.signIn('office');
    const req = await approvedRequest(t, t.campus.gateIds.north, [visitorInput({}, 1), visitorInput({}, 2)]);
    const tablet = await simulatedTablet(t, t.campus.gateIds.north, office);
    await tablet.sync();
    expect((await tablet.sync()).full).toBe(false); // an honest copy: incremental

    // The tablet lost a pass (storage trouble, a bug): its digest no longer matches.
    tablet.corrupt((s) => ({ ...s, passes: s.passes.filter((p) => p.id !== req.visitors[0].pass.id) }));
    const answer = await tablet.sync();
    expect(answer.full).toBe(true);
    expect(copies(t, tablet).tablet).toEqual(copies(t, tablet).server);

    const alerts = (await t.request('GET', '/api/v1/alerts', { cookie: office })).json.filter(
      (a: { type: string }) => a.type === 'snapshot_divergence',
    );
    expect(alerts).toEqual([
      expect.objectContaining({
        deviceId: tablet.deviceId,
        gateId: t.campus.gateIds.north,
        detail: expect.stringContaining('held 1 passes, expected 2'),
      }),
    ]);
    const listed = (await t.request('GET', '/api/v1/devices', { cookie: office })).json.find(
      (d: { id: number }) => d.id === tablet.deviceId,
    );
    expect(listed.lastDivergenceAt).toBe(t.clock.now().toISOString());
    // The next sync is honest again: incremental, no new alert.
    expect((await tablet.sync()).full).toBe(false);
    expect(
      (await t.request('GET', '/api/v1/alerts', { cookie: office })).json.filter(
        (a: { type: string }) => a.type === 'snapshot_divergence',
      ),
    ).toHaveLength(1);
  });

  it('the office forces a tablet to resync from the tablet list: one full snapshot, audit-logged', async () => {
    t = createTestApp();
    const office = await t.signIn('office');
    await approvedRequest(t, t.campus.gateIds.north);
    const tablet = await simulatedTablet(t, t.campus.gateIds.north, office);
    await tablet.sync();
    const res = await t.request('POST', `/api/v1/devices/${tablet.deviceId}/resync`, { cookie: office });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: tablet.deviceId, resyncRequested: true });
    expect((await tablet.sync()).full).toBe(true);
    expect(
      (await t.request('GET', '/api/v1/devices', { cookie: office })).json.find(
        (d: { id: number }) => d.id === tablet.deviceId,
      ),
    ).toMatchObject({ resyncRequested: false, lastDivergenceAt: null });
    expect((await tablet.sync()).full).toBe(false);
    expect(t.sqlite.prepare("select count(*) n from audit_log where action = 'device.resync'").get()).toEqual({ n: 1 });

    expect((await t.request('POST', '/api/v1/devices/9999/resync', { cookie: office })).status).toBe(404);
    await t.request('POST', `/api/v1/devices/${tablet.deviceId}/revoke`, { cookie: office });
    expect(
      (await t.request('POST', `/api/v1/devices/${tablet.deviceId}/resync`, { cookie: office })).json.error.code,
    ).toBe('device_revoked');
    expect(
      (await t.request('POST', `/api/v1/devices/${tablet.deviceId}/resync`, { cookie: await t.signIn('filer') }))
        .status,
    ).toBe(403);
  });
});

describe('an edit never erases a visit', () => {
  /** Every gate event with a pass, resolved to its visitor, request and department as tracing does. */
  const resolved = () =>
    t.sqlite
      .prepare(
        `select e.id, v.name, v.phone, r.id as requestId, d.name as department from gate_events e
         left join passes p on p.id = e.pass_id left join visitors v on v.id = p.visitor_id
         left join visit_requests r on r.id = p.request_id left join departments d on d.id = r.department_id
         where e.pass_id is not null order by e.seq`,
      )
      .all() as {
      id: string;
      name: string | null;
      phone: string | null;
      requestId: number | null;
      department: string | null;
    }[];

  it('keeps visitors’ rows, passes and links through edits, removals, re-approval and a backfill; every past gate event still resolves', async () => {
    t = createTestApp();
    const north = t.campus.gateIds.north;
    const filer = await t.signIn('filer');
    const office = await t.signIn('office');
    const { token } = await enrollDevice(t, north, office);
    let seq = 0;
    const admit = (passId: string, at = t.clock.now().toISOString()) =>
      t.request('POST', '/api/v1/kiosk/events', {
        bearer: token,
        body: { events: [decisionEvent(++seq, { passId, at })] },
      });

    // A walk-in admitted through the emergency lane, then backfilled by the department.
    const walkIn = (
      await t.request('POST', '/api/v1/review/emergency', {
        cookie: office,
        body: {
          departmentId: t.campus.departmentIds.cs,
          gateId: north,
          visitorName: '王五',
          visitorPhone: '13700001111',
          purpose: '送检样品',
          reason: '急需',
        },
      })
    ).json;
    const walkInPass = walkIn.visitors[0].pass as PassRef;
    await admit(walkInPass.id);
    const twoVisitors = (
      await t.request('PUT', `/api/v1/requests/${walkIn.id}`, {
        cookie: filer,
        body: requestInput(north, {
          visitDateFrom: '2026-11-20',
          visitors: [visitorInput({}, 8), visitorInput({}, 9)],
        }),
      })
    ).json;
    expect(twoVisitors.error.issues[0].code).toBe('backfill_visitor_count');
    const backfilled = await t.request('PUT', `/api/v1/requests/${walkIn.id}`, {
      cookie: filer,
      body: requestInput(north, {
        visitDateFrom: '2026-11-20',
        visitors: [visitorInput({ name: '王五', phone: '13700001111' }, 8)],
      }),
    });
    expect(backfilled.status).toBe(200);
    expect(backfilled.json.visitors).toEqual([
      expect.objectContaining({
        id: walkIn.visitors[0].id,
        name: '王五',
        idLast4: visitorInput({}, 8).idNumber.slice(-4),
        pass: expect.objectContaining({ id: walkInPass.id, link: walkInPass.link }),
      }),
    ]);
    const presence = (await t.request('GET', '/api/v1/presence', { cookie: office })).json;
    expect(JSON.stringify(presence)).toContain('王五');

    // A request of three is approved; two are admitted; it is blocked, edited (one removed, one added), re-approved.
    const [x, y, z] = [
      visitorInput({ name: '赵一' }, 1),
      visitorInput({ name: '钱二' }, 2),
      visitorInput({ name: '孙三' }, 3),
    ];
    const req = await approvedRequest(t, north, [x, y, z]);
    const [vx, vy, vz] = req.visitors as VisitorView[];
    // Admitted on the visit day (synced from a tablet whose clock the test does not move).
    await admit(vx!.pass!.id, '2026-11-21T02:00:00.000Z');
    await admit(vy!.pass!.id, '2026-11-21T02:05:00.000Z');
    await t.request('POST', '/api/v1/blocklist', {
      cookie: office,
      body: { idType: 'resident_id', idNumber: z.idNumber, reason: '冒用证件' },
    });
    const edit = await t.request('PUT', `/api/v1/requests/${req.id}`, {
      cookie: filer,
      body: requestInput(north, { visitors: [y, { ...x, phone: '13812345678' }, visitorInput({ name: '李四' }, 4)] }),
    });
    expect(edit.status).toBe(200);
    expect(
      (edit.json.visitors as VisitorView[])
        .map((v) => v.id)
        .slice(0, 2)
        .sort(),
    ).toEqual([vx!.id, vy!.id].sort());
    const after = (await t.request('POST', `/api/v1/review/${req.id}/approve`, { cookie: office, body: {} })).json;
    const byId = new Map((after.visitors as VisitorView[]).map((v) => [v.id, v]));
    expect(byId.get(vx!.id)?.pass?.link).toBe(vx!.pass!.link);
    expect(byId.get(vy!.id)?.pass?.link).toBe(vy!.pass!.link);
    expect(byId.has(vz!.id)).toBe(false);
    // The removed visitor's row stays, marked; their pass is revoked, not gone.
    expect(t.sqlite.prepare('select removed_at is not null removed from visitors where id = ?').get(vz!.id)).toEqual({
      removed: 1,
    });
    expect(
      t.sqlite
        .prepare('select revoked_at is not null revoked, revoke_reason reason from passes where id = ?')
        .get(vz!.pass!.id),
    ).toEqual({ revoked: 1, reason: 'recheck' });
    // The old link shows the visitor's new pass.
    const page = await t.request('GET', `/api/v1/visit/${vx!.pass!.link.split('/').pop()}`);
    expect(page.json.pass).toMatchObject({ status: 'valid' });

    // A plain cancel afterwards changes no row either.
    await t.request('POST', `/api/v1/requests/${req.id}/cancel`, { cookie: filer, body: { note: '取消' } });

    const rows = resolved();
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => r.name)).toEqual(['王五', '赵一', '钱二']);
    for (const r of rows)
      expect(r).toMatchObject({
        phone: expect.any(String),
        requestId: expect.any(Number),
        department: expect.any(String),
      });
    const passages = (
      await t.request(
        'GET',
        `/api/v1/tracing/passages?from=2026-11-19T00:00:00Z&to=2026-11-22T00:00:00Z&reason=${encodeURIComponent('流调测试')}`,
        { cookie: office },
      )
    ).json.rows;
    expect(passages.map((p: { visitorName: string | null }) => p.visitorName).sort()).toEqual(
      ['王五', '赵一', '钱二'].sort(),
    );
  });
});

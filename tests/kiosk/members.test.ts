import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app';
import { approvedRequest, enrollDevice } from '../helpers/kiosk';
import { MemoryStorage, memoryOutbox, nodeKiosk } from '../helpers/kiosk-node';
import { visitorInput } from '../helpers/filing';
import { fromBase64Url, liveQrText } from '../../server/domain/live-code';
import { departmentResolver, importMembers } from '../../server/members/store';

/**
 * The tablet decides members offline from its snapshot (kiosk/src/lib/entrant.ts): the credential's
 * signature and live code, the leave covering the moment, the roster by number when the phone is
 * dead, and the escort's credential at an admitted visitor.
 */
let t: TestApp;
afterEach(() => t?.cleanup());

const appFetch = (app: TestApp['app']): typeof fetch =>
  (async (input: RequestInfo | URL, init?: RequestInit) =>
    app.request(input instanceof Request ? input.url : String(input), init)) as typeof fetch;
const down: typeof fetch = async () => {
  throw new TypeError('fetch failed');
};

function seedMembers() {
  t.db.transaction((tx) => {
    const dept = departmentResolver(tx);
    const row = (number: string, name: string, type: 'student' | 'staff', d: string, phone: string) => ({
      number,
      name,
      type,
      workerKind: null,
      department: d,
      departmentId: dept(d) ?? null,
      unit: '',
      resident: type === 'student',
      idType: null,
      idNumber: null,
      phone,
    });
    importMembers(
      tx,
      [
        row('2023010101', '张三', 'student', 'cs', '13800000001'),
        row('T0001', '赵老师', 'staff', 'cs', '13911112222'),
        row('T0002', '钱老师', 'staff', 'math', '13800000005'),
      ],
      t.clock.now(),
      t.idHashKey,
      true,
    );
  });
}
const tokenOf = (number: string) =>
  (t.sqlite.prepare('select link_token as token from members where number = ?').get(number) as { token: string }).token;
/** What the member's phone shows now: the signed credential with the live code of this moment. */
async function credential(number: string) {
  const page = (await t.request('GET', `/api/v1/me/${tokenOf(number)}`)).json;
  const c = page.credential;
  return liveQrText(c.token, fromBase64Url(c.secret)!, t.clock.now(), c.stepSeconds);
}

describe('members at an offline tablet', () => {
  it('refuses an exit without leave, lets the same student out once the leave is approved, and finds them by number', async () => {
    t = createTestApp({ now: '2026-11-21T01:00:00Z' });
    seedMembers();
    const d = await enrollDevice(t, t.campus.gateIds.north);
    const storage = new MemoryStorage();
    const now = () => t.clock.now().getTime();
    await nodeKiosk(d, appFetch(t.app), { storage, now }).sync.refreshSnapshot();
    const k = nodeKiosk(d, down, { storage, outbox: memoryOutbox(), now });
    expect(k.snapshot.value!.members).toHaveLength(3);

    k.flow.exitMode.value = true;
    await k.flow.onScan(await credential('2023010101'));
    expect(k.flow.entrant.value?.decision).toMatchObject({ verdict: 'refuse', reasons: ['no_leave'] });
    k.flow.next();

    // A screenshot of the code, a minute later, is stale.
    const shot = await credential('2023010101');
    t.clock.set('2026-11-21T01:02:00Z');
    k.flow.next();
    await k.flow.onScan(shot);
    expect(k.flow.entrant.value?.decision.reasons[0]).toBe('pass_stale_code');
    k.flow.next();

    // The leave is filed and approved; the tablet's next (incremental) snapshot carries it.
    const leave = (
      await t.request('POST', `/api/v1/me/${tokenOf('2023010101')}/leaves`, {
        body: { from: '2026-11-21T00:00:00Z', to: '2026-11-21T10:00:00Z', destination: '410105', reason: '回家' },
      })
    ).json.leaves[0];
    await t.request('POST', `/api/v1/leaves/${leave.id}/decision`, {
      cookie: await t.signIn('approver'),
      body: { approve: true },
    });
    const online = nodeKiosk(d, appFetch(t.app), { storage, now });
    await online.sync.refreshSnapshot();
    expect(online.snapshot.value!.members).toHaveLength(3); // merged by id, not replaced
    expect(online.snapshot.value!.members.find((m) => m[1] === '2023010101')![10]).toHaveLength(1);

    const back = nodeKiosk(d, down, { storage, outbox: memoryOutbox(), now });
    back.flow.exitMode.value = true;
    // The phone is dead: the guard finds the student by number.
    expect(back.flow.findMemberByNumber('2023010101')?.name).toBe('张*');
    await back.flow.pickMember('2023010101');
    expect(back.flow.entrant.value?.decision.verdict).toBe('admit');
    expect(back.outbox.events.at(-1)).toMatchObject({ type: 'member_exit', verdict: 'admit', passId: null });
  });

  it('refuses a credential whose link the office re-issued, once the tablet has synced', async () => {
    t = createTestApp({ now: '2026-11-21T01:00:00Z' });
    seedMembers();
    const d = await enrollDevice(t, t.campus.gateIds.north);
    const now = () => t.clock.now().getTime();
    const k = nodeKiosk(d, appFetch(t.app), { now });
    await k.sync.refreshSnapshot();
    const old = await credential('T0001');
    const office = await t.signIn('office');
    const id = (t.sqlite.prepare("select id from members where number = 'T0001'").get() as { id: number }).id;
    await t.request('POST', `/api/v1/members/${id}/reissue`, { cookie: office });
    await k.sync.refreshSnapshot();
    await k.flow.onScan(old);
    expect(k.flow.entrant.value?.decision).toMatchObject({ verdict: 'refuse' });
    expect(k.flow.entrant.value?.decision.reasons[0]).toBe('pass_revoked');
  });

  it('binds the escort’s credential to the admitted visitor: the host department’s staff only', async () => {
    t = createTestApp({ now: '2026-11-20T02:00:00Z' });
    seedMembers();
    const d = await enrollDevice(t, t.campus.gateIds.north);
    const req = await approvedRequest(t, t.campus.gateIds.north, [visitorInput({}, 1)]);
    const passId = req.visitors[0].pass.id;
    t.clock.set('2026-11-21T01:30:00Z');
    const now = () => t.clock.now().getTime();
    const k = nodeKiosk(d, appFetch(t.app), { now, outbox: memoryOutbox() });
    await k.sync.refreshSnapshot();
    await k.flow.pickManually(passId);
    await k.flow.setHealthCode('green');
    await k.flow.confirmPaperCommitment(true);
    await k.flow.addTemperature(36.5, 'forehead_ir');
    expect(k.flow.entrant.value?.decision.verdict).toBe('admit');

    await k.flow.onScan(await credential('T0002')); // another department's teacher
    expect(k.flow.notice.value?.key).toBe('escort.notHost');
    expect(k.flow.entrant.value?.escortArrived).toBe(false);
    await k.flow.onScan(await credential('T0001'));
    expect(k.flow.entrant.value?.escortArrived).toBe(true);
    expect(k.flow.notice.value?.key).toBe('escort.bound');
    const row = () =>
      t.sqlite
        .prepare(
          "select member_id as memberId, escort_check as escortCheck from gate_events where type = 'escort_arrived'",
        )
        .get();
    // The tablet drains by itself after each record; once it has, the server holds the binding.
    await expect
      .poll(async () => (await k.sync.drain({ force: true }), row()))
      .toEqual({
        memberId: (t.sqlite.prepare("select id from members where number = 'T0001'").get() as { id: number }).id,
        escortCheck: 'named_escort', // the request's escort phone is 赵老师's
      });
  });
});

import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import { gbk } from '../helpers/gbk';
import { createTestApp, ORIGIN, type TestApp } from '../helpers/app';
import { createUser } from '../helpers/builders';
import { residentId } from '../helpers/filing';
import { approvedRequest, decisionEvent, enrollDevice, quickRefusalEvent } from '../helpers/kiosk';
import { startSmtp } from '../helpers/receivers';
import { uuidv7 } from '../../server/domain/ids';
import { parseCsv } from '../../server/lib/csv';
import { watchNotifications } from '../../server/notifications/record';
import { runDailyJobs } from '../../server/jobs/daily';
import { silentLogger } from '../../server/lib/logger';

/**
 * Issue 14: campus members at the gate. Offices import students, staff and long-term workers;
 * students file leave on their phone and their department's approver decides; the gate lets a
 * student out only on approved leave (under the closed level), closes the leave on the return scan,
 * asks for today's check-in, binds an escort's credential to the visit; the office is told of a
 * leave that ends without a return.
 */
let t: TestApp;
afterEach(() => t?.cleanup());

const HEADER = '学号/工号,姓名,类别,工种,院系/部门,班级/班组,住校,证件类型,证件号码,手机';
const rowsOf = (...rows: string[]) => [HEADER, ...rows].join('\r\n') + '\r\n';

async function upload(cookie: string, body: Uint8Array, name: string, save: boolean) {
  const form = new FormData();
  form.append('file', new File([body as Uint8Array<ArrayBuffer>], name));
  const res = await t.app.request(`${ORIGIN}/api/v1/members/import?save=${save}`, {
    method: 'POST',
    body: form,
    headers: { cookie, origin: ORIGIN },
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> & { error?: unknown } };
}

async function importMembers(csv: string) {
  const office = await t.signIn('office');
  const res = await upload(office, new TextEncoder().encode(csv), 'members.csv', true);
  if (res.status !== 200) throw new Error(`import: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json;
}

const memberId = (number: string) =>
  (t.sqlite.prepare('select id from members where number = ?').get(number) as { id: number }).id;
const tokenOf = (number: string) =>
  (t.sqlite.prepare('select link_token as token from members where number = ?').get(number) as { token: string }).token;
const leaveOf = (id: number) =>
  t.sqlite.prepare('select * from leaves where id = ?').get(id) as { status: string; decided_by_user_id: number };

const STUDENTS = rowsOf(
  `2023010101,张三,学生,,cs,计科2301,是,身份证,${residentId(1)},13800000001`,
  '2023010102,李四,学生,,cs,计科2301,是,,,13800000002',
  '2023020101,王五,学生,,math,数学2301,是,,,13800000003',
  'T0001,赵老师,教职工,,cs,,否,,,13800000004',
  'T0002,钱老师,教职工,,math,,否,,,13800000005',
  'W0001,孙师傅,工人,固定快递,cs,快递组,否,,,13800000006',
);

describe('importing members', () => {
  it('reads a GBK CSV as Excel saves it, checks every row before saving, and saves nothing while a row is bad', async () => {
    t = createTestApp();
    const office = await t.signIn('office');
    const file = gbk(
      rowsOf(
        `2023010101,张三,学生,,计算机学院,计科2301,是,身份证,${residentId(1)},13800000001`,
        '2023010102,李四,学生,,cs,计科2301,是,身份证,410105199001010019,13800000002',
        '2023010103,周七,学生,,化学院,化学2301,否,,,',
        '2023010101,张三,学生,,cs,计科2301,是,,,',
        'W0001,孙师傅,工人,,cs,,否,,,',
      ),
    );
    const preview = await upload(office, file, 'members.csv', false);
    expect(preview.status).toBe(200);
    const rows = preview.json.rows as { row: number; number: string; issues: { path: string[]; code: string }[] }[];
    expect(rows[0]!.issues).toEqual([]); // 张三: decoded from GBK, department by its Chinese name
    expect(rows[1]!.issues.map((i) => i.code)).toEqual(['id_check_digit']);
    expect(rows[2]!.issues[0]!.code).toBe('unknown_department');
    expect(rows[3]!.issues[0]!.code).toBe('duplicate_number');
    expect(rows[4]!.issues[0]!.path).toEqual(['workerKind']);
    expect(preview.json.valid).toBe(1);
    expect(preview.json.saved).toBe(false);
    const refused = await upload(office, file, 'members.csv', true);
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatchObject({ code: 'import_has_errors' });
    expect(t.sqlite.prepare('select count(*) as n from members').get()).toEqual({ n: 0 });
  });

  it('saves by member number and reports on re-import what changed, field by field, without showing an ID number', async () => {
    t = createTestApp();
    const first = await importMembers(STUDENTS);
    expect((first.changes as { change: string }[]).map((c) => c.change)).toEqual(Array(6).fill('created'));
    const stored = t.sqlite.prepare("select * from members where number = '2023010101'").get() as Record<
      string,
      unknown
    >;
    expect(stored.id_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.id_last4).toBe(residentId(1).slice(-4));
    expect(JSON.stringify(stored)).not.toContain(residentId(1));
    const again = await importMembers(
      rowsOf(
        `2023010101,张三,学生,,cs,计科2302,是,身份证,${residentId(1)},13800000001`,
        '2023010102,李四,学生,,cs,计科2301,是,,,13800000002',
        '2023010104,吴八,学生,,cs,计科2301,否,,,',
      ),
    );
    expect(again.changes).toEqual([
      { number: '2023010101', name: '张*', change: 'updated', fields: ['unit'] },
      { number: '2023010102', name: '李*', change: 'unchanged', fields: [] },
      { number: '2023010104', name: '吴*', change: 'created', fields: [] },
    ]);
    expect(t.sqlite.prepare('select count(*) as n from members').get()).toEqual({ n: 7 });
  });

  it('reads XLSX, and says so when Excel turned an ID number into a 15-digit number', async () => {
    t = createTestApp();
    const office = await t.signIn('office');
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('名单');
    sheet.addRow(HEADER.split(','));
    sheet.addRow(['2023010101', '张三', '学生', '', 'cs', '计科2301', '是', '身份证', residentId(1), '13800000001']);
    sheet.addRow(['2023010102', '李四', '学生', '', 'cs', '计科2301', '是', '身份证', 4.10105199001e17, '']);
    const body = new Uint8Array(await wb.xlsx.writeBuffer());
    const res = await upload(office, body, 'members.xlsx', false);
    const rows = res.json.rows as { issues: { code: string }[] }[];
    expect(rows[0]!.issues).toEqual([]);
    expect(rows[1]!.issues[0]!.code).toBe('id_excel_number');
    const template = await t.app.request(`${ORIGIN}/api/v1/members/template?format=csv`, {
      headers: { cookie: office },
    });
    expect(template.status).toBe(200);
    expect(await template.text()).toContain('学号/工号,姓名,类别');
  });
});

describe('leave', () => {
  it('is filed on the member’s page and decided by their own department’s approver, who is recorded', async () => {
    t = createTestApp();
    await importMembers(STUDENTS);
    const token = tokenOf('2023010101');
    const page = await t.request('GET', `/api/v1/me/${token}`);
    expect(page.status).toBe(200);
    expect(page.json.credential.token).toMatch(/^GM\./);
    expect(page.json.exitNeedsLeave).toBe(true); // the closed level, a resident student
    const filed = await t.request('POST', `/api/v1/me/${token}/leaves`, {
      body: { from: '2026-11-21T00:00:00Z', to: '2026-11-22T10:00:00Z', destination: '410105', reason: '回家' },
    });
    expect(filed.status).toBe(200);
    const leave = filed.json.leaves[0];
    expect(leave.status).toBe('pending');
    // One open leave at a time.
    const second = await t.request('POST', `/api/v1/me/${token}/leaves`, {
      body: { from: '2026-11-23T00:00:00Z', to: '2026-11-24T10:00:00Z', destination: '410105', reason: '回家' },
    });
    expect(second.json.error.code).toBe('leave_open');

    const mathApprover = createUser(t.db, t.campus, 'approver', {
      username: 'approver-math',
      departmentId: t.campus.departmentIds.math,
    });
    void mathApprover;
    const other = await t.signIn({ username: 'approver-math' });
    expect((await t.request('GET', '/api/v1/leaves', { cookie: other })).json.items).toEqual([]);
    const notTheirs = await t.request('POST', `/api/v1/leaves/${leave.id}/decision`, {
      cookie: other,
      body: { approve: true },
    });
    expect(notTheirs.status).toBe(404);

    const approver = await t.signIn('approver');
    const queue = await t.request('GET', '/api/v1/leaves?status=pending', { cookie: approver });
    expect(queue.json.items.map((l: { member: { number: string } }) => l.member.number)).toEqual(['2023010101']);
    const noReason = await t.request('POST', `/api/v1/leaves/${leave.id}/decision`, {
      cookie: approver,
      body: { approve: false },
    });
    expect(noReason.status).toBe(400);
    const ok = await t.request('POST', `/api/v1/leaves/${leave.id}/decision`, {
      cookie: approver,
      body: { approve: true, note: '同意' },
    });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ status: 'approved', decidedBy: 'approver user' });
    expect(leaveOf(leave.id).decided_by_user_id).toBe(t.users.approver.id);
    const twice = await t.request('POST', `/api/v1/leaves/${leave.id}/decision`, {
      cookie: approver,
      body: { approve: false, note: '不同意' },
    });
    expect(twice.json.error.code).toBe('leave_decided');

    // A rejection says why, and the student sees it.
    const token2 = tokenOf('2023010102');
    const l2 = (
      await t.request('POST', `/api/v1/me/${token2}/leaves`, {
        body: { from: '2026-11-21T00:00:00Z', to: '2026-11-21T10:00:00Z', destination: '110101', reason: '看病' },
      })
    ).json.leaves[0];
    await t.request('POST', `/api/v1/leaves/${l2.id}/decision`, {
      cookie: approver,
      body: { approve: false, note: '请改期' },
    });
    const seen = await t.request('GET', `/api/v1/me/${token2}`);
    expect(seen.json.leaves[0]).toMatchObject({
      status: 'rejected',
      decisionNote: '请改期',
      decidedBy: 'approver user',
    });
  });

  it('to a risk area is refused at filing under the level in force', async () => {
    t = createTestApp();
    await importMembers(STUDENTS);
    const office = await t.signIn('office');
    const area = await t.request('POST', '/api/v1/risk-areas', {
      cookie: office,
      body: { regionCode: '110000', level: 'high', effectiveFrom: '2026-11-01', effectiveTo: null, reason: '通报' },
    });
    expect(area.status).toBe(201);
    const res = await t.request('POST', `/api/v1/me/${tokenOf('2023010101')}/leaves`, {
      body: { from: '2026-11-21T00:00:00Z', to: '2026-11-22T10:00:00Z', destination: '110105', reason: '回家' },
    });
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe('destination_risk_area');
  });
});

/** A member's passage as a tablet records it: the engine's inputs as it saw them. */
function memberEvent(
  seq: number,
  type: 'member_entry' | 'member_exit',
  member: number,
  verdict: 'admit' | 'refuse',
  at: string,
  facts: { leave?: boolean; checkedInToday?: boolean; hold?: boolean } = {},
  reasons: string[] = [],
) {
  const base = decisionEvent(seq);
  return {
    ...base,
    type,
    at,
    memberId: member,
    verdict,
    reasons,
    input: {
      ...base.input,
      temperatures: [{ celsius: 36.5, method: 'forehead_ir', at }],
      member: { resident: true, leave: false, checkedInToday: false, hold: false, ...facts },
      direction: type === 'member_exit' ? 'out' : 'in',
    },
  };
}

async function sync(bearer: string, events: unknown[]) {
  const res = await t.request('POST', '/api/v1/kiosk/events', { bearer, body: { events } });
  if (res.status !== 200) throw new Error(`sync: ${res.status} ${res.text}`);
  return res.json;
}
const stored = (id: string) =>
  t.sqlite
    .prepare('select verdict, server_verdict, server_reasons, disagreement, escort_check from gate_events where id = ?')
    .get(id) as {
    verdict: string;
    server_verdict: string;
    server_reasons: string;
    disagreement: number;
    escort_check: string | null;
  };

describe('at the gate', () => {
  it('refuses a student’s exit without approved leave, lets them out with it, and closes the leave on return (销假)', async () => {
    t = createTestApp({ now: '2026-11-21T01:00:00Z' });
    await importMembers(STUDENTS);
    const { token } = await enrollDevice(t, t.campus.gateIds.north);
    const zhang = memberId('2023010101');
    const li = memberId('2023010102');
    const page = `/api/v1/me/${tokenOf('2023010101')}`;
    const leave = (
      await t.request('POST', `${page}/leaves`, {
        body: { from: '2026-11-21T00:00:00Z', to: '2026-11-21T10:00:00Z', destination: '410105', reason: '回家' },
      })
    ).json.leaves[0];
    await t.request('POST', `/api/v1/leaves/${leave.id}/decision`, {
      cookie: await t.signIn('approver'),
      body: { approve: true },
    });

    const refused = memberEvent(1, 'member_exit', li, 'refuse', '2026-11-21T01:05:00Z', {}, ['no_leave']);
    // A tablet claiming a leave the server knows nothing of is re-decided and flagged.
    const claimed = memberEvent(2, 'member_exit', li, 'admit', '2026-11-21T01:06:00Z', { leave: true });
    const out = memberEvent(3, 'member_exit', zhang, 'admit', '2026-11-21T01:07:00Z', { leave: true });
    const res = await sync(token, [refused, claimed, out]);
    expect(res.acked).toHaveLength(3);
    expect(stored(refused.id)).toMatchObject({ server_verdict: 'refuse', disagreement: 0 });
    expect(JSON.parse(stored(refused.id).server_reasons)).toEqual(['no_leave']);
    expect(stored(claimed.id)).toMatchObject({ server_verdict: 'refuse', disagreement: 1 });
    expect(stored(out.id)).toMatchObject({ server_verdict: 'admit', disagreement: 0 });
    expect(leaveOf(leave.id).status).toBe('out');

    const office = await t.signIn('office');
    const outNow = await t.request('GET', '/api/v1/members?filter=out', { cookie: office });
    expect(outNow.json.items.map((m: { number: string }) => m.number)).toEqual(['2023010101']);

    // Back the same day: the closed level asks for today's check-in first.
    const noCheckIn = memberEvent(4, 'member_entry', zhang, 'refuse', '2026-11-21T08:00:00Z', {}, ['checkin_missing']);
    await sync(token, [noCheckIn]);
    expect(JSON.parse(stored(noCheckIn.id).server_reasons)).toEqual(['checkin_missing']);
    expect(leaveOf(leave.id).status).toBe('out');
    t.clock.set('2026-11-21T08:01:00Z');
    const checked = await t.request('POST', `${page}/check-in`, {
      body: { temperature: 36.4, location: '410105', symptoms: [] },
    });
    expect(checked.json.checkIn.done).toBe(true);
    const missing = await t.request('POST', `${page}/check-in`, { body: { temperature: 36.4 } });
    expect(missing.status).toBe(400);
    const back = memberEvent(5, 'member_entry', zhang, 'admit', '2026-11-21T08:02:00Z', { checkedInToday: true });
    await sync(token, [back]);
    expect(stored(back.id)).toMatchObject({ server_verdict: 'admit', disagreement: 0 });
    expect(leaveOf(leave.id).status).toBe('returned');

    // The day's report and its export: members' exits and returns, refusals by reason, missing check-ins.
    t.clock.set('2026-11-22T02:00:00Z');
    const office2 = await t.signIn('office');
    const reports = await t.request('GET', '/api/v1/reports/daily?from=2026-11-21&to=2026-11-21', { cookie: office2 });
    const north = reports.json.items.find((r: { scope: string }) => r.scope === String(t.campus.gateIds.north));
    const campus = reports.json.items.find((r: { scope: string }) => r.scope === 'campus');
    // The tablet that let 李四 out on a leave the server knows nothing of did let him out: counted, and alerted.
    expect(north.figures).toMatchObject({
      memberExits: 2,
      memberReturns: 1,
      memberExitsRefused: 1,
      memberEntriesRefused: 1,
      memberRefusedNoLeave: 1,
      memberRefusedNoCheckIn: 1,
      entrants: 0, // visitors' figures do not count members
    });
    expect(campus.figures).toMatchObject({ memberExits: 2, missingCheckIns: 5, overdueLeaves: 0 });
    const csv = await t.request('GET', '/api/v1/reports/daily/export?from=2026-11-21&to=2026-11-21&format=csv', {
      cookie: office2,
    });
    const [, columns, ...rows] = parseCsv(csv.text);
    const col = columns!.findIndex((c) => c.startsWith('不准离校'));
    const campusRow = rows.find((r) => r.includes('全校 Campus'))!;
    expect(campusRow[col]).toBe('1');
  });

  it('holds someone back from a risk area until the office clears them', async () => {
    t = createTestApp({ now: '2026-11-21T01:00:00Z' });
    await importMembers(STUDENTS);
    const { token } = await enrollDevice(t, t.campus.gateIds.north);
    const zhang = memberId('2023010101');
    const page = `/api/v1/me/${tokenOf('2023010101')}`;
    const leave = (
      await t.request('POST', `${page}/leaves`, {
        body: { from: '2026-11-21T00:00:00Z', to: '2026-11-23T10:00:00Z', destination: '110105', reason: '回家' },
      })
    ).json.leaves[0];
    await t.request('POST', `/api/v1/leaves/${leave.id}/decision`, {
      cookie: await t.signIn('approver'),
      body: { approve: true },
    });
    await sync(token, [memberEvent(1, 'member_exit', zhang, 'admit', '2026-11-21T01:05:00Z', { leave: true })]);
    const office = await t.signIn('office');
    await t.request('POST', '/api/v1/risk-areas', {
      cookie: office,
      body: { regionCode: '110000', level: 'medium', effectiveFrom: '2026-11-20', effectiveTo: null, reason: '通报' },
    });
    t.clock.set('2026-11-22T02:00:00Z');
    await t.request('POST', `${page}/check-in`, { body: { temperature: 36.4, location: '110105', symptoms: [] } });
    const held = memberEvent(
      2,
      'member_entry',
      zhang,
      'refuse',
      '2026-11-22T02:05:00Z',
      { checkedInToday: true, hold: true },
      ['risk_hold'],
    );
    await sync(token, [held]);
    expect(JSON.parse(stored(held.id).server_reasons)).toEqual(['risk_hold']);
    const heldList = await t.request('GET', '/api/v1/members?filter=held', { cookie: await t.signIn('office') });
    expect(heldList.json.items.map((m: { number: string }) => m.number)).toEqual(['2023010101']);
    const cleared = await t.request('POST', `/api/v1/leaves/${leave.id}/clear`, { cookie: await t.signIn('office') });
    expect(cleared.json.hold).toBe(false);
    const back = memberEvent(3, 'member_entry', zhang, 'admit', '2026-11-22T02:10:00Z', { checkedInToday: true });
    await sync(token, [back]);
    expect(stored(back.id)).toMatchObject({ server_verdict: 'admit', disagreement: 0 });
    expect(leaveOf(leave.id).status).toBe('returned');
  });

  it('tells the approver of a leave to decide; raises an overdue alert when it ends without a return, and mails the approver and the office', async () => {
    const smtp = await startSmtp();
    try {
      t = createTestApp({ now: '2026-11-21T01:00:00Z' });
      await importMembers(STUDENTS);
      t.sqlite.prepare("update users set email = 'counsellor@example.edu' where username = 'approver1'").run();
      t.sqlite.prepare("update users set email = 'office@example.edu' where username = 'office1'").run();
      const office = await t.signIn('office');
      const channel = await t.request('POST', '/api/v1/notifications/channels', {
        cookie: office,
        body: smtp.channel(),
      });
      expect(channel.status).toBe(201);
      const { token } = await enrollDevice(t, t.campus.gateIds.north);
      const page = `/api/v1/me/${tokenOf('2023010101')}`;
      const leave = (
        await t.request('POST', `${page}/leaves`, {
          body: { from: '2026-11-21T00:00:00Z', to: '2026-11-21T10:00:00Z', destination: '410105', reason: '回家' },
        })
      ).json.leaves[0];
      await t.request('POST', `/api/v1/leaves/${leave.id}/decision`, {
        cookie: await t.signIn('approver'),
        body: { approve: true },
      });
      // Filed: the department's approver is told, with when, where and why.
      expect(
        t.sqlite.prepare("select address, audience from notification_outbox where event = 'leave.filed'").all(),
      ).toEqual([{ address: 'counsellor@example.edu', audience: 'leave_approver' }]);
      await sync(token, [
        memberEvent(1, 'member_exit', memberId('2023010101'), 'admit', '2026-11-21T01:05:00Z', { leave: true }),
      ]);
      const before = await t.request('GET', '/api/v1/alerts', { cookie: office });
      expect(before.json.filter((a: { type: string }) => a.type === 'leave_overdue')).toEqual([]);
      t.clock.set('2026-11-21T10:30:00Z');
      const office2 = await t.signIn('office');
      const alerts = await t.request('GET', '/api/v1/alerts', { cookie: office2 });
      const overdue = alerts.json.filter((a: { type: string }) => a.type === 'leave_overdue');
      expect(overdue).toHaveLength(1);
      expect(overdue[0].detail).toContain('2023010101');
      const list = await t.request('GET', '/api/v1/members?filter=overdue', { cookie: office2 });
      expect(list.json.items[0]).toMatchObject({ number: '2023010101', overdue: true });
      expect(watchNotifications(t.db, t.clock.now())).toBeGreaterThan(0);
      expect(watchNotifications(t.db, t.clock.now())).toBe(0); // told once
      const rows = t.sqlite
        .prepare("select address, audience from notification_outbox where event = 'leave.overdue' order by address")
        .all();
      expect(rows).toEqual([
        { address: 'counsellor@example.edu', audience: 'leave_approver' },
        { address: 'office@example.edu', audience: 'office' },
      ]);
    } finally {
      await smtp.close();
    }
  });

  it('admits a fixed courier on their credential and still refuses a temporary courier', async () => {
    t = createTestApp({ now: '2026-11-21T01:00:00Z' });
    await importMembers(STUDENTS);
    const { token } = await enrollDevice(t, t.campus.gateIds.north);
    await t.request('POST', `/api/v1/me/${tokenOf('W0001')}/check-in`, {
      body: { temperature: 36.4, location: '410105', symptoms: [] },
    });
    const fixed = memberEvent(1, 'member_entry', memberId('W0001'), 'admit', '2026-11-21T01:05:00Z', {
      checkedInToday: true,
    });
    const temporary = quickRefusalEvent(2, 'courier', '2026-11-21T01:06:00Z');
    await sync(token, [fixed, temporary]);
    expect(stored(fixed.id)).toMatchObject({ server_verdict: 'admit', disagreement: 0 });
    expect(stored(temporary.id)).toMatchObject({ server_verdict: 'refuse', disagreement: 0 });
  });

  it('binds the escort’s staff credential to the visit: the timer stops only for the host department’s staff', async () => {
    t = createTestApp({ now: '2026-11-20T02:00:00Z' });
    await importMembers(STUDENTS);
    const request = await approvedRequest(t, t.campus.gateIds.north);
    const passId = request.visitors[0].pass.id;
    t.clock.set('2026-11-21T01:00:00Z');
    const { token } = await enrollDevice(t, t.campus.gateIds.north);
    const admit = decisionEvent(1, { passId, at: '2026-11-21T01:00:00Z' });
    const wrong = {
      id: uuidv7(),
      seq: 2,
      type: 'escort_arrived',
      at: '2026-11-21T01:02:00Z',
      guardUserId: null,
      passId,
      memberId: memberId('T0002'), // a staff member of another department
      verdict: null,
      reasons: [],
      checks: [],
      input: null,
      ruleVersion: null,
    };
    await sync(token, [admit, wrong]);
    expect(stored(wrong.id).escort_check).toBe('not_escort');
    t.clock.set('2026-11-21T01:30:00Z');
    const office = await t.signIn('office');
    const waiting = await t.request('GET', '/api/v1/alerts', { cookie: office });
    expect(waiting.json.some((a: { type: string }) => a.type === 'escort_overdue')).toBe(true);
    const right = { ...wrong, id: uuidv7(), seq: 3, at: '2026-11-21T01:31:00Z', memberId: memberId('T0001') };
    await sync(token, [right]);
    expect(stored(right.id).escort_check).toBe('host_staff');
    const after = await t.request('GET', '/api/v1/alerts', { cookie: office });
    expect(after.json.some((a: { type: string }) => a.type === 'escort_overdue')).toBe(false);
  });
});

describe('the office’s view', () => {
  const setUp = async () => {
    t = createTestApp({ now: '2026-11-21T01:00:00Z' });
    await importMembers(STUDENTS);
  };

  it('counts per department who has not checked in today, and an approver sees only their department', async () => {
    await setUp();
    await t.request('POST', `/api/v1/me/${tokenOf('2023010101')}/check-in`, {
      body: { temperature: 36.4, location: '410105', symptoms: [] },
    });
    const office = await t.signIn('office');
    const summary = await t.request('GET', '/api/v1/members/summary', { cookie: office });
    const cs = summary.json.departments.find(
      (d: { departmentId: number }) => d.departmentId === t.campus.departmentIds.cs,
    );
    expect(cs).toMatchObject({ members: 4, notCheckedIn: 3, out: 0 });
    const approver = await t.signIn('approver');
    const mine = await t.request('GET', '/api/v1/members?filter=no_check_in', { cookie: approver });
    expect(mine.json.items.map((m: { number: string }) => m.number)).toEqual(['2023010102', 'T0001', 'W0001']);
    expect(mine.json.items[0].phone).toBe('138****0002');
  });

  it('re-issues a member’s link: the old one dies', async () => {
    await setUp();
    const office = await t.signIn('office');
    const old = tokenOf('2023010102');
    const res = await t.request('POST', `/api/v1/members/${memberId('2023010102')}/reissue`, { cookie: office });
    expect(res.json.link).toMatch(/\/m\/[A-Za-z0-9_-]+$/);
    expect((await t.request('GET', `/api/v1/me/${old}`)).status).toBe(404);
    expect((await t.request('GET', `/api/v1/me/${res.json.link.split('/').pop()}`)).status).toBe(200);
  });
});

describe('the office’s overrides and the personal data rules', () => {
  it('lets a refused student out on an office permit, recorded with who and why', async () => {
    t = createTestApp({ now: '2026-11-21T01:00:00Z' });
    await importMembers(STUDENTS);
    const { token } = await enrollDevice(t, t.campus.gateIds.north);
    const li = memberId('2023010102');
    const refused = memberEvent(1, 'member_exit', li, 'refuse', '2026-11-21T01:05:00Z', {}, ['no_leave']);
    await sync(token, [refused]);
    const office = await t.signIn('office');
    const noWhy = await t.request('POST', `/api/v1/members/${li}/exit-permit`, {
      cookie: office,
      body: { to: '2026-11-21T06:00:00Z', destination: '410105' },
    });
    expect(noWhy.status).toBe(400);
    const permit = await t.request('POST', `/api/v1/members/${li}/exit-permit`, {
      cookie: office,
      body: { to: '2026-11-21T06:00:00Z', destination: '410105', why: '家中急事，辅导员电话确认' },
    });
    expect(permit.status).toBe(200);
    expect(permit.json).toMatchObject({ kind: 'office', status: 'approved', decidedBy: 'office user' });
    t.clock.set('2026-11-21T01:07:00Z');
    const out = memberEvent(2, 'member_exit', li, 'admit', '2026-11-21T01:07:00Z', { leave: true });
    await sync(token, [out]);
    expect(stored(out.id)).toMatchObject({ server_verdict: 'admit', disagreement: 0 });
    const summary = await t.request('GET', '/api/v1/members/summary', { cookie: await t.signIn('office') });
    expect(summary.json.exitsWithoutLeave).toEqual([
      expect.objectContaining({ number: '2023010102', decidedBy: 'office user', why: '家中急事，辅导员电话确认' }),
    ]);
    expect(summary.json.exitsWithoutLeave[0].at).toBe('2026-11-21T01:07:00.000Z');
    const audit = t.sqlite.prepare("select reason from audit_log where action = 'member.exit_permit'").get();
    expect(audit).toEqual({ reason: '家中急事，辅导员电话确认' });
  });

  it('a deactivated member is refused at the gate, and their person is purged after the retention days', async () => {
    t = createTestApp({ now: '2026-11-21T01:00:00Z' });
    await importMembers(STUDENTS);
    const { token } = await enrollDevice(t, t.campus.gateIds.north);
    const zhang = memberId('2023010101');
    await t.request('POST', `/api/v1/me/${tokenOf('2023010101')}/check-in`, {
      body: { temperature: 36.4, location: '410105', symptoms: [] },
    });
    const office = await t.signIn('office');
    const res = await t.request('POST', `/api/v1/members/${zhang}/deactivate`, { cookie: office });
    expect(res.json.active).toBe(false);
    const claimed = memberEvent(1, 'member_entry', zhang, 'admit', '2026-11-21T01:05:00Z', { checkedInToday: true });
    await sync(token, [claimed]);
    expect(stored(claimed.id)).toMatchObject({ server_verdict: 'refuse', disagreement: 1 });
    expect(JSON.parse(stored(claimed.id).server_reasons)).toEqual(['pass_revoked']);
    expect((await t.request('GET', `/api/v1/me/${tokenOf('2023010101')}`)).json.credential).toBeNull();

    t.clock.set('2026-12-30T02:00:00Z'); // past the 28 retention days
    const { purged } = runDailyJobs(t.db, t.clock.now(), silentLogger);
    expect(purged).toMatchObject({ members: 1, checkIns: 1 });
    const row = t.sqlite.prepare('select number, name, id_hash, id_last4, phone from members where id = ?').get(zhang);
    expect(row).toEqual({ number: '2023010101', name: '（已删除）', id_hash: null, id_last4: null, phone: null });
    expect((await t.request('GET', `/api/v1/me/${tokenOf('2023010101')}`)).status).toBe(404);
  });
});

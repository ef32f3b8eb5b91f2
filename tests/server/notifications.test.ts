import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deriveKey } from '../../server/lib/secrets';
import { silentLogger } from '../../server/lib/logger';
import { createNotifier, MAX_ATTEMPTS } from '../../server/notifications/deliver';
import { createTestApp, type TestApp } from '../helpers/app';
import { requestInput, residentId, visitorInput } from '../helpers/filing';
import { enrollDevice } from '../helpers/kiosk';
import { admitAt, refuseAt, temps } from '../helpers/office';
import { startRobots, startSmtp, startWebhookReceiver, verifyStandardWebhook } from '../helpers/receivers';

const ORIGIN = 'https://gate.example.edu.cn';
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let robots: Awaited<ReturnType<typeof startRobots>>;
let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  [smtp, robots, hook] = await Promise.all([startSmtp(), startRobots(), startWebhookReceiver()]);
});
afterAll(async () => {
  await Promise.all([smtp.close(), robots.close(), hook.close()]);
});

/** The test app with people who have addresses, and the sender running over its outbox. */
function world() {
  const t = createTestApp({ now: '2026-11-20T02:00:00Z', env: { PUBLIC_ORIGIN: ORIGIN } });
  const setUser = (username: string, email: string, locale = 'zh') =>
    t.sqlite.prepare('update users set email = ?, locale = ? where username = ?').run(email, locale, username);
  setUser('office1', 'office@example.edu.cn');
  setUser('filer1', 'filer@example.edu.cn', 'en');
  const notifier = createNotifier({
    db: t.db,
    clock: t.clock,
    logger: silentLogger,
    secretsKey: deriveKey(t.idHashKey, 'notification-secrets'),
    origin: ORIGIN,
  });
  return { t, notifier };
}

async function addChannel(t: TestApp, cookie: string, body: Record<string, unknown>) {
  const res = await t.request('POST', '/api/v1/notifications/channels', { cookie, body });
  if (res.status !== 201) throw new Error(`channel: ${res.status} ${res.text}`);
  return res.json as { id: number; secret: string | null };
}

const outbox = (t: TestApp) =>
  t.sqlite.prepare('select * from notification_outbox order by id').all() as {
    id: number;
    message_id: string;
    event: string;
    channel_id: number;
    address: string;
    audience: string;
    status: string;
    attempts: number;
    next_attempt_at: number;
    payload: string;
    last_error: string | null;
  }[];

async function file(t: TestApp, over: Record<string, unknown> = {}) {
  const filer = await t.signIn('filer');
  const res = await t.request('POST', '/api/v1/requests', {
    cookie: filer,
    body: requestInput(t.campus.gateIds.north, over),
  });
  if (res.status !== 201) throw new Error(`file: ${res.status} ${res.text}`);
  return res.json as { id: number };
}

describe('channels', () => {
  let w: ReturnType<typeof world>;
  let office: string;
  beforeEach(async () => {
    w = world();
    office = await w.t.signIn('office');
  });
  afterEach(async () => {
    await w.notifier.stop();
    w.t.cleanup();
  });

  it('keeps secrets out of every answer and out of the database file in usable form', async () => {
    const { t } = w;
    const wecomUrl = robots.robot('wecom', 'wecom-key-secret-0001');
    const mail = await addChannel(t, office, smtp.channel());
    await addChannel(t, office, { kind: 'wecom', name: '保卫处群', webhookUrl: wecomUrl });
    await addChannel(t, office, {
      kind: 'dingtalk',
      name: '钉钉群',
      webhookUrl: robots.robot('dingtalk', 'ding-token-secret-0002', 'SECding-sign-secret-0003'),
      signSecret: 'SECding-sign-secret-0003',
    });
    const webhook = await addChannel(t, office, {
      kind: 'webhook',
      name: '学校系统',
      url: hook.url,
      events: ['gate.fever'],
    });
    expect(mail.secret).toBeNull();
    expect(webhook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

    const list = await t.request('GET', '/api/v1/notifications/channels', { cookie: office });
    expect(list.status).toBe(200);
    for (const secret of [
      smtp.password,
      'wecom-key-secret-0001',
      'ding-token-secret-0002',
      'SECding-sign-secret-0003',
      webhook.secret!,
    ])
      expect(list.text).not.toContain(secret);
    expect(list.json.items.map((c: { settings: { hint?: string } }) => c.settings.hint).filter(Boolean)).toEqual([
      expect.stringMatching(/…0001$/),
      expect.stringMatching(/…0002$/),
    ]);

    t.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const file = readFileSync(t.path).toString('latin1');
    for (const secret of [
      smtp.password,
      'wecom-key-secret-0001',
      'SECding-sign-secret-0003',
      webhook.secret!.slice(6, 30),
    ])
      expect(file).not.toContain(secret);
    // The audit log names the channel, never its secrets.
    const audit = JSON.stringify(
      t.sqlite.prepare("select * from audit_log where entity = 'notification_channel'").all(),
    );
    expect(audit).not.toContain(smtp.password);
    expect(audit).not.toContain('wecom-key-secret-0001');
  });

  it('refuses robot URLs without their key, over plain HTTP to another host, and a second mail server', async () => {
    const { t } = w;
    const bad = await t.request('POST', '/api/v1/notifications/channels', {
      cookie: office,
      body: { kind: 'wecom', name: 'x', webhookUrl: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.issues[0].path).toEqual(['webhookUrl']);
    const plain = await t.request('POST', '/api/v1/notifications/channels', {
      cookie: office,
      body: { kind: 'dingtalk', name: 'x', webhookUrl: 'http://oapi.dingtalk.com/robot/send?access_token=abc' },
    });
    expect(plain.status).toBe(400);
    await addChannel(t, office, smtp.channel());
    const second = await t.request('POST', '/api/v1/notifications/channels', { cookie: office, body: smtp.channel() });
    expect(second.status).toBe(409);
    expect(second.json.error.code).toBe('mail_server_exists');
    const filer = await t.signIn('filer');
    expect((await t.request('GET', '/api/v1/notifications/channels', { cookie: filer })).status).toBe(403);
  });

  it('sends a test message through each channel and reports the channel’s own answer', async () => {
    const { t } = w;
    const ding = robots.robot('dingtalk', 'ding-test', 'SECtest-secret-xyz');
    const channels = {
      mail: await addChannel(t, office, smtp.channel()),
      wecom: await addChannel(t, office, {
        kind: 'wecom',
        name: '企业微信',
        webhookUrl: robots.robot('wecom', 'wk-test'),
      }),
      ding: await addChannel(t, office, {
        kind: 'dingtalk',
        name: '钉钉',
        webhookUrl: ding,
        signSecret: 'SECtest-secret-xyz',
      }),
      dingWrong: await addChannel(t, office, {
        kind: 'dingtalk',
        name: '钉钉错',
        webhookUrl: ding,
        signSecret: 'SECwrong-secret',
      }),
      feishu: await addChannel(t, office, {
        kind: 'feishu',
        name: '飞书',
        webhookUrl: robots.robot('feishu', 'fs-test', 'fs-sign-secret'),
        signSecret: 'fs-sign-secret',
      }),
      hook: await addChannel(t, office, { kind: 'webhook', name: '系统', url: hook.url, events: ['gate.fever'] }),
    };
    hook.trust(channels.hook.secret!);
    const test = async (id: number, body: Record<string, unknown> = {}) =>
      (await t.request('POST', `/api/v1/notifications/channels/${id}/test`, { cookie: office, body })).json as {
        outcome: string;
        answer: string;
      };

    const mail = await test(channels.mail.id);
    expect(mail.outcome).toBe('sent');
    expect(mail.answer).toMatch(/^250/);
    const got = smtp.mails.at(-1)!;
    expect(got.to).toEqual(['office@example.edu.cn']);
    expect(got.secured).toBe(true); // STARTTLS, verified against the campus CA
    expect(got.user).toBe(smtp.user);
    expect(got.subject).toBe('Gatehouse 测试消息');
    expect(got.html).toContain(`${ORIGIN}/admin/notifications`);

    expect(await test(channels.wecom.id)).toMatchObject({
      outcome: 'sent',
      answer: expect.stringContaining('"errcode":0'),
    });
    expect(await test(channels.ding.id)).toMatchObject({ outcome: 'sent' });
    expect(await test(channels.dingWrong.id)).toMatchObject({
      outcome: 'failed',
      answer: expect.stringContaining('310000'),
    });
    expect(await test(channels.feishu.id)).toMatchObject({
      outcome: 'sent',
      answer: expect.stringContaining('"code":0'),
    });
    expect(await test(channels.hook.id)).toMatchObject({ outcome: 'sent', answer: expect.stringMatching(/^204/) });
    robots.force('wrong_key');
    expect(await test(channels.wecom.id)).toMatchObject({
      outcome: 'failed',
      answer: expect.stringContaining('93000'),
    });
    robots.force('rate_limit');
    expect(await test(channels.wecom.id)).toMatchObject({
      outcome: 'rate_limited',
      answer: expect.stringContaining('45009'),
    });
    expect(robots.received.filter((m) => m.robot === 'ding-test')).toHaveLength(1); // the wrong signature was refused
    expect(robots.received.find((m) => m.robot === 'fs-test')!.text).toContain('Gatehouse 测试消息');
  });
});

describe('who is told of what', () => {
  let w: ReturnType<typeof world>;
  let office: string;
  let deptRobot: number;
  beforeEach(async () => {
    w = world();
    office = await w.t.signIn('office');
    const { t } = w;
    await addChannel(t, office, smtp.channel());
    await addChannel(t, office, {
      kind: 'wecom',
      name: '保卫处',
      webhookUrl: robots.robot('wecom', `office-${Math.random()}`),
    });
    deptRobot = (
      await addChannel(t, office, {
        kind: 'dingtalk',
        name: '计算机学院',
        departmentId: t.campus.departmentIds.cs,
        webhookUrl: robots.robot('dingtalk', `cs-${Math.random()}`, 'SECcs-secret'),
        signSecret: 'SECcs-secret',
      })
    ).id;
  });
  afterEach(async () => {
    await w.notifier.stop();
    w.t.cleanup();
  });
  const sentBy = (channelId: number) => outbox(w.t).filter((d) => d.channel_id === channelId && d.status === 'sent');

  it('filing tells the office (mail in each reader’s language, its robot), never with an ID number', async () => {
    const { t, notifier } = w;
    const before = smtp.mails.length;
    const idNumber = residentId(7);
    const r = await file(t, { visitors: [visitorInput({ name: '王小明', idNumber }, 7)] });
    const rows = outbox(t);
    expect(rows.map((d) => [d.event, d.audience, d.address])).toEqual([
      ['request.filed', 'office', 'office@example.edu.cn'],
      ['request.filed', 'office', ''],
    ]);
    await notifier.drain();
    expect(outbox(t).every((d) => d.status === 'sent')).toBe(true);
    const mail = smtp.mails.slice(before).find((m) => m.event === 'request.filed')!;
    expect(mail.subject).toBe(`来访申请 #${r.id} 待审核`);
    expect(mail.text).toContain('计算机学院申请 2026-11-21 来访，共 1 人。');
    expect(mail.text).toContain(`${ORIGIN}/admin/review`);
    expect(mail.messageId).toMatch(/^<msg_[\w-]{26}@example\.edu\.cn>$/);
    const all = JSON.stringify([outbox(t), smtp.mails, robots.received]);
    expect(all).not.toContain(idNumber);
    expect(all).not.toContain('王小明');
  });

  it('approval tells the filer in English and each visitor: by mail with their pass, or through the department’s robot', async () => {
    const { t, notifier } = w;
    const r = await file(t, {
      visitors: [
        visitorInput({ name: '王小明', email: 'Wang@Visitor.example' }, 1),
        visitorInput({ name: '赵大力' }, 2),
      ],
    });
    const approved = await t.request('POST', `/api/v1/review/${r.id}/approve`, { cookie: office, body: {} });
    expect(approved.status).toBe(200);
    const links = approved.json.visitors.map((v: { pass: { link: string } }) => v.pass.link);
    const mailsBefore = smtp.mails.length;
    const robotsBefore = robots.received.length;
    await notifier.drain();
    const mails = smtp.mails.slice(mailsBefore);
    const filerMail = mails.find((m) => m.to[0] === 'filer@example.edu.cn')!;
    expect(filerMail.subject).toBe(`Visit request #${r.id} approved`);
    expect(filerMail.text).toContain(`${ORIGIN}/admin/requests/${r.id}`);
    const visitorMail = mails.find((m) => m.to[0] === 'wang@visitor.example')!;
    expect(visitorMail.subject).toBe('您的来访已获批准');
    expect(visitorMail.text).toContain('王*明');
    expect(visitorMail.text).toContain('李老师，电话 13911112222'); // the host's full phone: the visitor must be able to call
    expect(visitorMail.text).toContain(new URL(links[0], ORIGIN).href);
    // The visitor without an address: their pass link goes to the host department's robot to pass on.
    const dept = robots.received.slice(robotsBefore).filter((m) => m.vendor === 'dingtalk');
    expect(dept).toHaveLength(1);
    expect(dept[0]!.text).toContain('赵*力');
    expect(dept[0]!.text).toContain(new URL(links[1], ORIGIN).href);
    expect(sentBy(deptRobot).map((d) => d.audience)).toEqual(['visitor']);
  });

  it('rejection tells the filer the reason; the office can route an event elsewhere, per department', async () => {
    const { t, notifier } = w;
    const put = await t.request('PUT', '/api/v1/notifications/routing', {
      cookie: office,
      body: { event: 'request.rejected', departmentId: t.campus.departmentIds.cs, audiences: ['filer', 'department'] },
    });
    expect(put.status).toBe(200);
    const wrong = await t.request('PUT', '/api/v1/notifications/routing', {
      cookie: office,
      body: { event: 'request.rejected', audiences: ['visitor'] },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.issues[0]).toMatchObject({ path: ['audiences', 0], code: 'audience_not_allowed' });
    const r = await file(t);
    await t.request('POST', `/api/v1/review/${r.id}/reject`, {
      cookie: office,
      body: { reasonCode: 'insufficient_reason', note: '来访事由不充分' },
    });
    const rejected = outbox(t).filter((d) => d.event === 'request.rejected');
    expect(rejected.map((d) => d.audience).sort()).toEqual(['department', 'filer']);
    const before = smtp.mails.length;
    await notifier.drain();
    const mail = smtp.mails.slice(before).find((m) => m.event === 'request.rejected')!;
    expect(mail.subject).toBe(`Visit request #${r.id} not approved`);
    expect(mail.text).toContain('Reason: insufficient_reason: 来访事由不充分');
  });

  it('a gate’s sync tells the escort and the host department of an admit, and the office of a fever; a re-sent batch tells nobody twice', async () => {
    const { t, notifier } = w;
    const r = await file(t, { escortEmail: 'li.teacher@example.edu.cn' });
    const approved = await t.request('POST', `/api/v1/review/${r.id}/approve`, { cookie: office, body: {} });
    const passId = approved.json.visitors[0].pass.id as string;
    const tablet = await enrollDevice(t, t.campus.gateIds.north, office);
    t.clock.set('2026-11-21T01:00:00Z');
    const batch = [
      admitAt(1, passId, '09:00'),
      refuseAt(2, '09:05', ['fever'], {
        temperatures: temps([
          [38.4, '09:04'],
          [38.2, '09:05'],
        ]),
      }),
    ];
    const sync = () => t.request('POST', '/api/v1/kiosk/events', { bearer: tablet.token, body: { events: batch } });
    expect((await sync()).status).toBe(200);
    const written = outbox(t).filter((d) => d.event.startsWith('gate.') || d.event === 'visitor.admitted');
    expect(written.map((d) => [d.event, d.audience]).sort()).toEqual([
      ['gate.fever', 'office'],
      ['gate.fever', 'office'],
      ['visitor.admitted', 'department'],
      ['visitor.admitted', 'escort'],
    ]);
    expect((await sync()).json.duplicates).toHaveLength(2);
    expect(outbox(t).filter((d) => d.event.startsWith('gate.') || d.event === 'visitor.admitted')).toHaveLength(4);
    const before = smtp.mails.length;
    await notifier.drain();
    const mails = smtp.mails.slice(before);
    const escort = mails.find((m) => m.to[0] === 'li.teacher@example.edu.cn')!;
    expect(escort.subject).toBe('访客 访** 已到北门');
    expect(escort.text).toContain('请接洽人 李老师 到门口接人');
    const fever = mails.find((m) => m.event === 'gate.fever')!;
    expect(fever.subject).toBe('北门：体温异常，已拒绝入校');
    expect(fever.text).toContain('复测体温 38.2°C');
    expect(fever.text).toContain(`${ORIGIN}/admin/live`);
  });

  it('a guard’s emergency request reaches the office at once', async () => {
    const { t, notifier } = w;
    const tablet = await enrollDevice(t, t.campus.gateIds.north, office);
    const res = await t.request('POST', '/api/v1/kiosk/emergency', {
      bearer: tablet.token,
      body: {
        departmentId: t.campus.departmentIds.cs,
        visitorName: '张急诊',
        visitorPhone: '13800001111',
        purpose: '设备抢修',
        reason: '机房漏水，需立即抢修',
      },
    });
    expect(res.status).toBe(201);
    const before = smtp.mails.length;
    await notifier.drain();
    const mail = smtp.mails.slice(before).find((m) => m.event === 'emergency.requested')!;
    expect(mail.subject).toBe(`北门紧急入校申请 #${res.json.requestId}`);
    expect(mail.text).toContain('来访人 张*诊：机房漏水，需立即抢修');
  });

  it('the office’s webhook hears every gate alert and a request sent back to review, each once', async () => {
    const { t, notifier } = w;
    const ch = await addChannel(t, office, {
      kind: 'webhook',
      name: '安防平台',
      url: hook.url,
      events: ['gate.block_list', 'gate.revoked_admit', 'gate.double_use', 'device.offline', 'request.needs_review'],
    });
    hook.trust(ch.secret!);
    const before = hook.deliveries.length;
    const one = await file(t, { visitors: [visitorInput({}, 31)] });
    const two = await file(t, { visitors: [visitorInput({ visitedRegions: ['110101'] }, 32)] });
    const passOf = async (id: number) =>
      (await t.request('POST', `/api/v1/review/${id}/approve`, { cookie: office, body: {} })).json.visitors[0].pass
        .id as string;
    const passOne = await passOf(one.id);
    await passOf(two.id);
    await t.request('POST', `/api/v1/passes/${passOne}/revoke`, { cookie: office, body: { reason: '来访取消' } });
    const tablet = await enrollDevice(t, t.campus.gateIds.north, office);
    t.clock.set('2026-11-21T01:00:00Z');
    const sync = (events: unknown[]) =>
      t.request('POST', '/api/v1/kiosk/events', { bearer: tablet.token, body: { events } });
    // An offline tablet admitted a revoked pass twice (so used it twice), and refused a blocked person.
    await sync([admitAt(1, passOne, '08:50'), admitAt(2, passOne, '08:55'), refuseAt(3, '09:00', ['block_list'])]);
    // A Beijing risk area sends the second request back to review.
    const area = await t.request('POST', '/api/v1/risk-areas', {
      cookie: await t.signIn('office'),
      body: { regionCode: '110101', level: 'high', effectiveFrom: '2026-11-01', reason: '疾控通报' },
    });
    expect(area.json.impact).toHaveLength(1);
    // The tablet falls silent.
    t.clock.set('2026-11-21T01:30:00Z');
    notifier.watch();
    notifier.watch();
    await notifier.drain();
    const got = hook.deliveries.slice(before).map((d) => d.body.type as string);
    expect(got.sort()).toEqual([
      'device.offline',
      'gate.block_list',
      'gate.double_use',
      'gate.revoked_admit',
      'gate.revoked_admit',
      'request.needs_review',
    ]);
    const needs = hook.deliveries.slice(before).find((d) => d.body.type === 'request.needs_review')!;
    expect(needs.body.data).toMatchObject({ requestId: two.id, reason: expect.stringContaining('risk_area') });
  });

  it('time alone: an escort who has not come and yesterday’s unsigned reports, each told once', async () => {
    const { t, notifier } = w;
    const r = await file(t, { escortEmail: 'li.teacher@example.edu.cn' });
    const approved = await t.request('POST', `/api/v1/review/${r.id}/approve`, { cookie: office, body: {} });
    const tablet = await enrollDevice(t, t.campus.gateIds.north, office);
    t.clock.set('2026-11-21T01:00:00Z');
    await t.request('POST', '/api/v1/kiosk/events', {
      bearer: tablet.token,
      body: { events: [admitAt(1, approved.json.visitors[0].pass.id, '09:00')] },
    });
    t.clock.set('2026-11-21T01:40:00Z'); // 09:40: forty minutes without the escort
    notifier.watch();
    notifier.watch();
    const overdue = outbox(t).filter((d) => d.event === 'escort.overdue');
    expect(overdue.map((d) => d.audience).sort()).toEqual(['escort', 'office', 'office']);
    const before = smtp.mails.length;
    await notifier.drain();
    expect(smtp.mails.slice(before).find((m) => m.event === 'escort.overdue')!.subject).toBe(
      '访客 访** 在北门等候接洽人已 40 分钟',
    );
    // The next morning, after the daily job made the 21st's reports: one reminder.
    t.clock.set('2026-11-22T00:30:00Z'); // 08:30 campus time
    const { runDailyJobs } = await import('../../server/jobs/daily');
    runDailyJobs(t.db, t.clock.now(), silentLogger);
    notifier.watch();
    notifier.watch();
    expect(
      outbox(t)
        .filter((d) => d.event === 'reports.awaiting_signoff')
        .map((d) => d.audience),
    ).toEqual(['office', 'office']);
  });
});

describe('delivery you can trust', () => {
  let w: ReturnType<typeof world>;
  let office: string;
  beforeEach(async () => {
    w = world();
    office = await w.t.signIn('office');
  });
  afterEach(async () => {
    hook.fail(0);
    hook.rateLimit(0);
    await w.notifier.stop();
    w.t.cleanup();
  });

  /** Fever refusals synced by a tablet: each one notice for the office's webhook. */
  async function fevers(t: TestApp, n: number, startSeq = 1) {
    const tablet = await enrollDevice(t, t.campus.gateIds.north, office);
    t.clock.set('2026-11-21T01:00:00Z');
    const events = Array.from({ length: n }, (_, i) =>
      refuseAt(startSeq + i, '09:00', ['fever'], { temperatures: temps([[38.5, '09:00']]) }),
    );
    const res = await t.request('POST', '/api/v1/kiosk/events', { bearer: tablet.token, body: { events } });
    expect(res.json.acked).toHaveLength(n);
  }

  it('retries with backoff until the receiver takes it, with one message id; signed so the receiver can verify', async () => {
    const { t, notifier } = w;
    const ch = await addChannel(t, office, { kind: 'webhook', name: '系统', url: hook.url, events: ['gate.fever'] });
    hook.trust(ch.secret!);
    hook.fail(2);
    const before = hook.deliveries.length;
    await fevers(t, 1);
    await notifier.drain();
    let [row] = outbox(t);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_error: expect.stringMatching(/^503/) });
    const first = row!.next_attempt_at - t.clock.now().getTime();
    expect(first).toBeGreaterThanOrEqual(12_000);
    expect(first).toBeLessThanOrEqual(18_000);
    t.clock.advance(first);
    await notifier.drain();
    [row] = outbox(t);
    expect(row).toMatchObject({ status: 'pending', attempts: 2 });
    const second = row!.next_attempt_at - t.clock.now().getTime();
    expect(second).toBeGreaterThanOrEqual(24_000); // doubled, with jitter
    t.clock.advance(second);
    await notifier.drain();
    [row] = outbox(t);
    expect(row).toMatchObject({ status: 'sent', attempts: 3 });
    const got = hook.deliveries.slice(before);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ id: row!.message_id, verified: true });
    expect(got[0]!.body).toMatchObject({
      type: 'gate.fever',
      timestamp: '2026-11-21T01:00:00.000Z',
      data: { gate: { zh: '北门', en: 'north' }, temperature: '38.5°C', link: `${ORIGIN}/admin/live` },
    });
  });

  it('gives up after the last try (a dead letter the office sees) and sends again on re-send', async () => {
    const { t, notifier } = w;
    const ch = await addChannel(t, office, { kind: 'webhook', name: '系统', url: hook.url, events: ['gate.fever'] });
    hook.trust(ch.secret!);
    hook.fail(1000);
    await fevers(t, 1);
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      await notifier.drain();
      const [row] = outbox(t);
      if (row!.status === 'dead') break;
      t.clock.set(new Date(row!.next_attempt_at));
    }
    const [dead] = outbox(t);
    expect(dead).toMatchObject({ status: 'dead', attempts: MAX_ATTEMPTS });
    office = await t.signIn('office'); // hours of backoff later
    const log = await t.request('GET', '/api/v1/notifications/deliveries?status=dead', { cookie: office });
    expect(log.json.items).toHaveLength(1);
    expect(log.json.items[0]).toMatchObject({
      event: 'gate.fever',
      title: '北门：体温异常，已拒绝入校',
      attempts: MAX_ATTEMPTS,
    });
    hook.fail(0);
    const resend = await t.request('POST', `/api/v1/notifications/deliveries/${dead!.id}/resend`, { cookie: office });
    expect(resend.json).toMatchObject({ status: 'pending', attempts: 0 });
    await notifier.drain();
    expect(outbox(t)[0]).toMatchObject({ status: 'sent', attempts: 1 });
    expect(hook.deliveries.at(-1)!.id).toBe(dead!.message_id);
  });

  it('an answer that cannot mend (a wrong robot key, a refused mailbox) is a dead letter at once', async () => {
    const { t, notifier } = w;
    await addChannel(t, office, {
      kind: 'wecom',
      name: '群',
      webhookUrl: robots.robot('wecom', 'kw').replace('kw', 'no-such-key'),
    });
    await addChannel(t, office, smtp.channel());
    t.sqlite.prepare("update users set email = 'gone@example.edu.cn' where username = 'office1'").run();
    smtp.reject('gone@example.edu.cn');
    await file(t);
    await notifier.drain();
    const rows = outbox(t);
    expect(rows.map((d) => [d.address, d.status, d.attempts])).toEqual([
      ['gone@example.edu.cn', 'dead', 1],
      ['', 'dead', 1],
    ]);
    expect(rows[0]!.last_error).toMatch(/550/);
    expect(rows[1]!.last_error).toMatch(/93000/);
  });

  it('keeps to a robot’s 20 messages a minute: the rest wait for the window, uncounted', async () => {
    const { t, notifier } = w;
    await addChannel(t, office, { kind: 'wecom', name: '群', webhookUrl: robots.robot('wecom', 'busy-robot') });
    await fevers(t, 25);
    await notifier.drain();
    const rows = outbox(t);
    expect(rows.filter((d) => d.status === 'sent')).toHaveLength(20);
    const waiting = rows.filter((d) => d.status === 'pending');
    expect(waiting).toHaveLength(5);
    expect(waiting.every((d) => d.attempts === 0 && d.next_attempt_at >= t.clock.now().getTime() + 60_000)).toBe(true);
    // The vendor itself never had to refuse one.
    expect(rows.some((d) => d.last_error === 'rate_limited')).toBe(false);
  });

  it('a robot that says "too fast" pauses its channel without spending a try', async () => {
    const { t, notifier } = w;
    await addChannel(t, office, { kind: 'feishu', name: '飞书', webhookUrl: robots.robot('feishu', 'fs-busy') });
    robots.force('rate_limit');
    await fevers(t, 2);
    await notifier.drain();
    const rows = outbox(t);
    expect(rows.map((d) => [d.status, d.attempts, d.last_error])).toEqual([
      ['pending', 0, 'rate_limited'],
      ['pending', 0, null],
    ]);
    t.clock.advance(60_000);
    await notifier.drain();
    expect(outbox(t).map((d) => d.status)).toEqual(['sent', 'sent']);
  });

  it('a rotated webhook secret signs beside the new one for a day', async () => {
    const { t, notifier } = w;
    const ch = await addChannel(t, office, { kind: 'webhook', name: '系统', url: hook.url, events: ['gate.fever'] });
    hook.trust(ch.secret!);
    const rotated = await t.request('POST', `/api/v1/notifications/channels/${ch.id}/rotate-secret`, {
      cookie: office,
    });
    expect(rotated.status).toBe(200);
    await fevers(t, 1);
    const before = hook.deliveries.length;
    await notifier.drain();
    expect(hook.deliveries.slice(before)).toHaveLength(1); // verified with the old secret alone
    hook.forget(ch.secret!);
    expect(verifyStandardWebhook([rotated.json.secret], 'x', '1', '{}', 'v1,AAAA')).toBe(false);
    t.clock.advance(25 * 3_600_000);
    office = await t.signIn('office');
    await fevers(t, 1, 2);
    hook.trust(rotated.json.secret);
    await notifier.drain();
    expect(hook.deliveries.slice(before)).toHaveLength(2); // the new secret, after the overlap
  });
});

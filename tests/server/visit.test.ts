import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app';
import { createUser } from '../helpers/builders';
import { requestInput, residentId, visitorInput } from '../helpers/filing';
import { decisionEvent, enrollDevice } from '../helpers/kiosk';
import { startSmtp } from '../helpers/receivers';
import { createNotifier } from '../../server/notifications/deliver';
import { deriveKey } from '../../server/lib/secrets';
import { silentLogger } from '../../server/lib/logger';

/**
 * Issue 16: visitors speak for themselves. The department invites; each visitor fills in their own
 * part on their phone (consents, ID number, travel, test, the signed commitment); the office
 * reviews; the same link becomes the pass. The paper path stays for visitors without a phone.
 */
let t: TestApp;
afterEach(() => t?.cleanup());

const declaration = (over: Record<string, unknown> = {}) => ({
  name: '张三',
  idType: 'resident_id',
  idNumber: residentId(11),
  phone: '13800001111',
  email: null,
  fromRegion: '410105',
  visitedRegions: [],
  closeContact: false,
  testTakenAt: null,
  testResult: null,
  consent: { idNumber: true, health: true },
  commitment: { version: 1, signedName: '张三', accepted: true },
  locale: 'zh',
  ...over,
});

const tokenOf = (link: string) => link.split('/').pop()!;

async function invite(invitations: Record<string, unknown>[], over: Record<string, unknown> = {}) {
  const filer = await t.signIn('filer');
  const res = await t.request('POST', '/api/v1/requests', {
    cookie: filer,
    body: requestInput(t.campus.gateIds.north, { visitors: [], invitations, ...over }),
  });
  if (res.status !== 201) throw new Error(`filing: ${res.status} ${res.text}`);
  return { filer, request: res.json as { id: number; invitations: { id: number; link: string; state: string }[] } };
}

const page = (token: string) => t.request('GET', `/api/v1/visit/${token}`);
const declare = (token: string, body: Record<string, unknown>) =>
  t.request('POST', `/api/v1/visit/${token}/declaration`, { body });
const detail = async (filer: string, id: number) =>
  (await t.request('GET', `/api/v1/requests/${id}`, { cookie: filer })).json;
const issueCodes = (res: { json: { error: { issues?: { code: string }[] } } }) =>
  (res.json.error.issues ?? []).map((i) => i.code);

describe('an invitation', () => {
  it('is filed per visitor with a name and a phone or e-mail, and shows invited → opened → completed to the filer', async () => {
    t = createTestApp();
    const noContact = await t.request('POST', '/api/v1/requests', {
      cookie: await t.signIn('filer'),
      body: requestInput(t.campus.gateIds.north, { visitors: [], invitations: [{ name: '张三' }] }),
    });
    expect(noContact.status).toBe(400);
    expect(issueCodes(noContact)).toEqual(['contact_required']);
    const nobody = await t.request('POST', '/api/v1/requests', {
      cookie: await t.signIn('filer'),
      body: requestInput(t.campus.gateIds.north, { visitors: [] }),
    });
    expect(issueCodes(nobody)).toEqual(['no_visitors']);

    const { filer, request } = await invite([
      { name: '张三', email: 'Zhang@Example.com' },
      { name: 'Li Si', phone: '13700001111', locale: 'en' },
    ]);
    expect(request).toMatchObject({ expectedVisitors: 2, visitorCount: 0, declarationsPending: 2 });
    expect(request.invitations.map((i) => i.state)).toEqual(['invited', 'invited']);
    const [zhang, li] = request.invitations;
    expect(zhang!.link).toMatch(/^\/v\/[A-Za-z0-9_-]{32}$/);
    expect(zhang!.link).not.toBe(li!.link);

    // Opening the page says so (and in which language); the page knows the visit and what is asked.
    const opened = await page(tokenOf(zhang!.link));
    expect(opened.status).toBe(200);
    expect(opened.json).toMatchObject({
      stage: 'declare',
      invitedName: '张三',
      declaration: null,
      pass: null,
      visit: { escortName: '李老师', escortPhone: '13911112222', timezone: 'Asia/Shanghai' },
      policy: { riskAreaDeclaration: true, closeContactDeclaration: true, commitment: true, lookbackDays: 14 },
      privacy: { retentionDays: 28 },
      commitment: { version: 1 },
    });
    expect(
      (await t.request('POST', `/api/v1/visit/${tokenOf(zhang!.link)}/opened`, { body: { locale: 'zh' } })).status,
    ).toBe(204);
    expect((await detail(filer, request.id)).invitations.map((i: { state: string }) => i.state)).toEqual([
      'opened',
      'invited',
    ]);

    const done = await declare(tokenOf(zhang!.link), declaration());
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({
      stage: 'declared',
      link: zhang!.link,
      declaration: { idLast4: residentId(11).slice(-4) },
    });
    const after = await detail(filer, request.id);
    expect(after).toMatchObject({ visitorCount: 1, declarationsPending: 1 });
    expect(after.invitations.map((i: { state: string }) => i.state)).toEqual(['completed', 'invited']);
    expect(after.visitors[0]).toMatchObject({
      name: '张三',
      declaredBy: 'visitor',
      commitment: { version: 1, signedName: '张三', method: 'typed_name' },
    });
    expect(after.history.map((h: { action: string }) => h.action)).toEqual(['filed', 'declared']);
  });

  it('is sent by e-mail where it has an address, in its language, and again on remind; a re-issued link kills the old one', async () => {
    const smtp = await startSmtp();
    try {
      t = createTestApp({ env: { PUBLIC_ORIGIN: 'https://gate.example.edu' } });
      const office = await t.signIn('office');
      expect(
        (await t.request('POST', '/api/v1/notifications/channels', { cookie: office, body: smtp.channel() })).status,
      ).toBe(201);
      const notifier = createNotifier({
        db: t.db,
        clock: t.clock,
        logger: silentLogger,
        secretsKey: deriveKey(t.idHashKey, 'notification-secrets'),
        origin: 'https://gate.example.edu',
      });
      const { filer, request } = await invite([
        { name: 'Li Si', email: 'li.si@example.com', locale: 'en' },
        { name: '王五', phone: '13700002222' },
      ]);
      await notifier.drain();
      expect(smtp.mails).toHaveLength(1); // the one with an address; the other's link is copied by the filer
      const [mail] = smtp.mails;
      expect(mail).toMatchObject({ to: ['li.si@example.com'], event: 'visitor.invited' });
      expect(mail!.subject).toBe('Please fill in your visit details');
      expect(mail!.text).toContain(`https://gate.example.edu${request.invitations[0]!.link}`);
      expect(mail!.text).toContain('13911112222'); // the host's full phone: the visitor must be able to call

      const inv = request.invitations[0]!;
      const reminded = await t.request('POST', `/api/v1/invitations/${inv.id}/remind`, { cookie: filer });
      expect(reminded.status).toBe(200);
      expect(reminded.json.invitation).toMatchObject({ sends: 2, link: inv.link });
      await notifier.drain();
      expect(smtp.mails).toHaveLength(2);

      const reissued = await t.request('POST', `/api/v1/invitations/${inv.id}/reissue`, { cookie: filer });
      expect(reissued.status).toBe(200);
      const fresh = reissued.json.invitation.link as string;
      expect(fresh).not.toBe(inv.link);
      expect((await page(tokenOf(inv.link))).status).toBe(404);
      expect((await page(tokenOf(fresh))).json.stage).toBe('declare');
      await notifier.drain();
      expect(smtp.mails.at(-1)!.text).toContain(fresh);
      // Another department's filer cannot act on it, nor learn it exists.
      createUser(t.db, t.campus, 'filer', { username: 'mathfiler', departmentId: t.campus.departmentIds.math });
      const other = await t.request('POST', `/api/v1/invitations/${inv.id}/remind`, {
        cookie: await t.signIn({ username: 'mathfiler' }),
      });
      expect(other.status).toBe(404);
      await notifier.stop();
    } finally {
      await smtp.close();
    }
  });
});

describe('the visitor’s declaration', () => {
  it('needs its own consents and the signed commitment, records them, and checks the ID number as the filer’s form does', async () => {
    t = createTestApp();
    const { request } = await invite([{ name: '张三', email: 'z@example.com' }]);
    const token = tokenOf(request.invitations[0]!.link);
    const everything = await declare(
      token,
      declaration({ idNumber: '410105199001010000', consent: { idNumber: false, health: true } }),
    );
    expect(everything.status).toBe(400);
    expect(issueCodes(everything)).toContain('id_check_digit');
    const noConsent = await declare(token, declaration({ consent: { idNumber: false, health: true } }));
    expect(issueCodes(noConsent)).toEqual(['consent_required']);
    expect(noConsent.json.error.issues[0]).toMatchObject({
      path: ['consent', 'idNumber'],
      messageZh: expect.stringContaining('同意'),
    });
    expect(issueCodes(await declare(token, declaration({ consent: { idNumber: true, health: false } })))).toEqual([
      'consent_required',
    ]);
    expect(issueCodes(await declare(token, declaration({ commitment: null })))).toEqual(['commitment_unsigned']);
    expect(
      issueCodes(await declare(token, declaration({ commitment: { version: 1, signedName: '李四', accepted: true } }))),
    ).toEqual(['signature_mismatch']);
    expect(
      issueCodes(await declare(token, declaration({ commitment: { version: 9, signedName: '张三', accepted: true } }))),
    ).toEqual(['commitment_outdated']);

    t.clock.set('2026-11-20T03:00:00Z');
    expect((await declare(token, declaration())).status).toBe(200);
    const row = t.sqlite
      .prepare(
        `select declared_by, consent_id_at, consent_health_at, consent_rule_version, commitment_version, commitment_accepted_at,
                commitment_signed_name, locale, id_hash, link_token from visitors`,
      )
      .get() as Record<string, unknown>;
    expect(row).toMatchObject({
      declared_by: 'visitor',
      consent_id_at: Date.parse('2026-11-20T03:00:00Z'),
      consent_health_at: Date.parse('2026-11-20T03:00:00Z'),
      consent_rule_version: 1,
      commitment_version: 1,
      commitment_accepted_at: Date.parse('2026-11-20T03:00:00Z'),
      commitment_signed_name: '张三',
      locale: 'zh',
      link_token: token, // a single invitation's link is the visitor's own
    });
    expect(String(row.id_hash)).not.toContain(residentId(11));
  });

  it('asks and keeps only what the policy in force asks: under 常态 no travel, contact, test, health consent or commitment', async () => {
    t = createTestApp();
    const office = await t.signIn('office');
    expect(
      (
        await t.request('PUT', '/api/v1/rules/level', {
          cookie: office,
          body: { level: 'ordinary', reason: '恢复常态管理' },
        })
      ).status,
    ).toBe(200);
    const { request } = await invite([{ name: '张三', email: 'z@example.com' }]);
    const token = tokenOf(request.invitations[0]!.link);
    expect((await page(token)).json.policy).toMatchObject({
      riskAreaDeclaration: false,
      closeContactDeclaration: false,
      commitment: false,
      testScope: 'nobody',
    });
    const res = await declare(
      token,
      declaration({
        fromRegion: '110105',
        visitedRegions: ['110105'],
        closeContact: true,
        testTakenAt: '2026-11-19T01:00:00Z',
        testResult: 'negative',
        consent: { idNumber: true, health: false },
        commitment: null,
      }),
    );
    expect(res.status).toBe(200);
    expect(
      t.sqlite
        .prepare(
          'select visited_regions v, close_contact c, test_taken_at tt, test_result tr, commitment_version cv, consent_health_at ch from visitors',
        )
        .get(),
    ).toEqual({ v: '[]', c: 0, tt: null, tr: null, cv: null, ch: null });
  });

  it('can be corrected until the review (the ID number kept when left out), and is locked once the office decides', async () => {
    t = createTestApp();
    const { request } = await invite([{ name: '张三', email: 'z@example.com' }]);
    const token = tokenOf(request.invitations[0]!.link);
    await declare(token, declaration());
    const hash = () => t.sqlite.prepare('select id_hash h, phone p from visitors').get() as { h: string; p: string };
    const before = hash();
    t.clock.set('2026-11-20T05:00:00Z');
    const corrected = await declare(token, declaration({ idNumber: null, phone: '13800009999' }));
    expect(corrected.status).toBe(200);
    expect(hash()).toEqual({ h: before.h, p: '13800009999' });
    // The signature stays dated from when it was given: the same text was signed.
    expect(corrected.json.declaration.commitment.signedAt).toBe('2026-11-20T02:00:00.000Z');
    expect((await detail(await t.signIn('filer'), request.id)).visitorCount).toBe(1); // corrected, not a second visitor

    const office = await t.signIn('office');
    expect((await t.request('POST', `/api/v1/review/${request.id}/approve`, { cookie: office, body: {} })).status).toBe(
      200,
    );
    const locked = await declare(token, declaration({ idNumber: null, phone: '13800008888' }));
    expect(locked.status).toBe(409);
    expect(locked.json.error.code).toBe('declaration_closed');
    const pass = (await page(token)).json;
    expect(pass).toMatchObject({
      stage: 'pass',
      declaration: { editable: false, phone: '13800009999' },
      pass: { status: 'valid', token: expect.stringMatching(/^GH\./), signOnPaper: false, bringTestProof: false },
    });
  });

  it('waits for the visitors: the office cannot approve while invitations are open, unless it approves who is there', async () => {
    t = createTestApp();
    const { filer, request } = await invite([
      { name: '张三', email: 'z@example.com' },
      { name: '李四', phone: '13700001111' },
    ]);
    const office = await t.signIn('office');
    const none = await t.request('POST', `/api/v1/review/${request.id}/approve`, { cookie: office, body: {} });
    expect(none.status).toBe(409);
    expect(none.json.error.code).toBe('declarations_incomplete');
    await declare(tokenOf(request.invitations[0]!.link), declaration());
    const queue = (await t.request('GET', '/api/v1/review/queue', { cookie: office })).json.items;
    expect(queue[0]).toMatchObject({ id: request.id, declarationsPending: 1, expectedVisitors: 2, visitorCount: 1 });
    expect(
      (await t.request('POST', `/api/v1/review/${request.id}/approve`, { cookie: office, body: {} })).json.error.code,
    ).toBe('declarations_incomplete');
    const approved = await t.request('POST', `/api/v1/review/${request.id}/approve`, {
      cookie: office,
      body: { allowIncomplete: true },
    });
    expect(approved.status).toBe(200);
    expect(approved.json).toMatchObject({ status: 'approved', declarationsPending: 0 });
    expect(approved.json.invitations.map((i: { state: string }) => i.state)).toEqual(['completed', 'closed']);
    expect((await page(tokenOf(request.invitations[1]!.link))).json).toMatchObject({
      stage: 'closed',
      closedReason: 'not_completed',
    });
    expect(
      (await t.request('POST', `/api/v1/invitations/${request.invitations[1]!.id}/remind`, { cookie: filer })).json
        .error.code,
    ).toBe('invitation_closed');
  });

  it('shows what the office will look at, never the block list', async () => {
    t = createTestApp();
    const office = await t.signIn('office');
    await t.request('POST', '/api/v1/blocklist', {
      cookie: office,
      body: { idType: 'resident_id', idNumber: residentId(11), reason: '多次冒用他人证件' },
    });
    const { request } = await invite([{ name: '张三', email: 'z@example.com' }]);
    const res = await declare(tokenOf(request.invitations[0]!.link), declaration({ closeContact: true }));
    expect(res.json.declaration.checks).toEqual(['close_contact']);
    const queue = (await t.request('GET', '/api/v1/review/queue', { cookie: office })).json.items;
    expect(queue[0].visitors[0].checks.sort()).toEqual(['block_list', 'close_contact']);
  });
});

describe('a group link', () => {
  it('takes as many visitors as its head count, each with their own link; it reveals no one else, and the group cap counts heads', async () => {
    t = createTestApp();
    const { filer, request } = await invite([{ name: '化学系参观团', email: 'lead@example.com', headCount: 3 }]);
    const group = tokenOf(request.invitations[0]!.link);
    const links: string[] = [];
    for (const seq of [21, 22, 23]) {
      const name = `团员${seq}`;
      const res = await declare(
        group,
        declaration({ name, idNumber: residentId(seq), commitment: { version: 1, signedName: name, accepted: true } }),
      );
      expect(res.status).toBe(200);
      links.push(res.json.link);
      // The group's page never shows who filled in, only how many.
      expect(res.json.group).toEqual({ headCount: 3, completed: seq - 20 });
    }
    expect(new Set(links).size).toBe(3);
    expect(links).not.toContain(request.invitations[0]!.link);
    const again = await declare(
      group,
      declaration({
        name: '团员24',
        idNumber: residentId(24),
        commitment: { version: 1, signedName: '团员24', accepted: true },
      }),
    );
    expect(again.json.error.code).toBe('group_full');
    expect((await page(group)).json).toMatchObject({ stage: 'closed', closedReason: 'group_full', declaration: null });
    const mine = (await page(tokenOf(links[0]!))).json;
    expect(mine.declaration.name).toBe('团员21');
    expect(JSON.stringify(mine)).not.toContain('团员22');
    expect((await detail(filer, request.id)).invitations[0]).toMatchObject({ state: 'completed', completed: 3 });

    // The same person twice on one visit is refused, not added.
    const { request: r2 } = await invite([{ name: '参观团', phone: '13700003333', headCount: 2 }]);
    const g2 = tokenOf(r2.invitations[0]!.link);
    expect((await declare(g2, declaration())).status).toBe(200);
    expect((await declare(g2, declaration())).json.error.code).toBe('already_declared');

    // Over the group cap in heads alone: the group queue, with its prevention plan.
    const big = await t.request('POST', '/api/v1/requests', {
      cookie: filer,
      body: requestInput(t.campus.gateIds.north, {
        visitors: [],
        invitations: [{ name: '大团', phone: '13700004444', headCount: 60 }],
      }),
    });
    expect(issueCodes(big)).toEqual(['prevention_plan_required']);
    const planned = await t.request('POST', '/api/v1/requests', {
      cookie: filer,
      body: requestInput(t.campus.gateIds.north, {
        visitors: [],
        invitations: [{ name: '大团', phone: '13700004444', headCount: 60 }],
        preventionPlan: '分三批入校，专人引导',
      }),
    });
    expect(planned.json).toMatchObject({ queue: 'group', expectedVisitors: 60 });
  });
});

describe('links that ended', () => {
  it('say a cancelled visit is cancelled, an unfilled invitation expired after the visit, and refuse a declaration', async () => {
    t = createTestApp();
    const { request } = await invite([
      { name: '张三', email: 'z@example.com' },
      { name: '李四', email: 'l@example.com' },
    ]);
    const [a, b] = request.invitations.map((i) => tokenOf(i.link));
    await declare(a!, declaration());
    t.clock.set('2026-11-22T02:00:00Z'); // the visit (2026-11-21) is over
    expect((await page(b!)).json).toMatchObject({ stage: 'closed', closedReason: 'expired' });
    expect(
      (
        await declare(
          b!,
          declaration({
            name: '李四',
            idNumber: residentId(12),
            commitment: { version: 1, signedName: '李四', accepted: true },
          }),
        )
      ).json.error.code,
    ).toBe('declaration_closed');

    t.clock.set('2026-11-20T06:00:00Z');
    const { request: other } = await invite([{ name: '王五', email: 'w@example.com' }]);
    await t.request('POST', `/api/v1/requests/${other.id}/cancel`, {
      cookie: await t.signIn('filer'),
      body: { note: '会议取消' },
    });
    expect((await page(tokenOf(other.invitations[0]!.link))).json).toMatchObject({
      stage: 'closed',
      closedReason: 'cancelled',
    });

    // An edit that takes an invitation off withdraws its link.
    const { request: third } = await invite([{ name: '赵六', email: 'z6@example.com' }]);
    const edited = await t.request('PUT', `/api/v1/requests/${third.id}`, {
      cookie: await t.signIn('filer'),
      body: requestInput(t.campus.gateIds.north, { visitors: [visitorInput({}, 5)], invitations: [] }),
    });
    expect(edited.status).toBe(200);
    expect((await page(tokenOf(third.invitations[0]!.link))).json).toMatchObject({
      stage: 'closed',
      closedReason: 'withdrawn',
    });
  });

  it('lets the visitor ask for erasure after the visit, once; the office is told and erases', async () => {
    t = createTestApp();
    const smtp = await startSmtp();
    t.sqlite.prepare("update users set email = 'office@example.edu.cn' where role = 'office'").run();
    await t.request('POST', '/api/v1/notifications/channels', {
      cookie: await t.signIn('office'),
      body: smtp.channel(),
    });
    await smtp.close(); // nothing is sent here: what matters is what the outbox is told
    const { request } = await invite([{ name: '张三', email: 'z@example.com' }]);
    const token = tokenOf(request.invitations[0]!.link);
    await declare(token, declaration());
    let office = await t.signIn('office');
    await t.request('POST', `/api/v1/review/${request.id}/approve`, { cookie: office, body: {} });
    const early = await t.request('POST', `/api/v1/visit/${token}/erasure`);
    expect(early.json.error.code).toBe('erasure_not_allowed');
    t.clock.set('2026-11-23T02:00:00Z');
    expect((await page(token)).json.erasure).toEqual({ requestedAt: null, allowed: true, eraseBy: '2026-12-20' });
    const asked = await t.request('POST', `/api/v1/visit/${token}/erasure`);
    expect(asked.status).toBe(200);
    expect(asked.json.erasure).toMatchObject({ requestedAt: '2026-11-23T02:00:00.000Z', allowed: false });
    expect((await t.request('POST', `/api/v1/visit/${token}/erasure`)).json.error.code).toBe('erasure_not_allowed');
    expect(
      t.sqlite.prepare("select address from notification_outbox where event = 'visitor.erasure_requested'").all(),
    ).toEqual([{ address: 'office@example.edu.cn' }]);
    const v = (await detail(await t.signIn('filer'), request.id)).visitors[0];
    expect(v.erasureRequestedAt).toBe('2026-11-23T02:00:00.000Z');
    office = await t.signIn('office'); // days later: a new session
    const erased = await t.request('POST', `/api/v1/visitors/${v.id}/erase`, {
      cookie: office,
      body: { reason: '来访人本人申请删除' },
    });
    expect(erased.status).toBe(200);
    expect((await page(token)).json).toMatchObject({
      stage: 'closed',
      closedReason: 'erased',
      declaration: null,
      link: null,
    });
    expect(t.sqlite.prepare('select name, phone, email from invitations').get()).toEqual({
      name: '（已删除）',
      phone: null,
      email: null,
    });
  });

  it('are rate-limited per address, a guessed link counting like a real one', async () => {
    t = createTestApp({ env: { VISIT_RATE_LIMIT: '5' } });
    const { request } = await invite([{ name: '张三', email: 'z@example.com' }]);
    for (let i = 0; i < 4; i++) expect((await page(`guess${'x'.repeat(20)}${i}`)).status).toBe(404);
    expect((await page(tokenOf(request.invitations[0]!.link))).status).toBe(200);
    const blocked = await page(tokenOf(request.invitations[0]!.link));
    expect(blocked.status).toBe(429);
    expect(blocked.json.error.code).toBe('rate_limited');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('at the gate', () => {
  it('keeps the code on the phone of a visitor still inside after their window, for the way out only', async () => {
    t = createTestApp();
    const { request } = await invite([{ name: '张三', email: 'z@example.com' }]);
    const token = tokenOf(request.invitations[0]!.link);
    await declare(token, declaration());
    const office = await t.signIn('office');
    const approved = (await t.request('POST', `/api/v1/review/${request.id}/approve`, { cookie: office, body: {} }))
      .json;
    const passId = approved.visitors[0].pass.id as string;
    const device = await enrollDevice(t, t.campus.gateIds.north, office);
    const sync = (events: unknown[]) =>
      t.request('POST', '/api/v1/kiosk/events', { bearer: device.token, body: { events } });
    expect((await sync([decisionEvent(1, { passId })])).status).toBe(200); // in at 09:30
    t.clock.set('2026-11-21T10:00:00Z'); // 18:00: the 09:00–17:00 window has closed
    expect((await page(token)).json.pass).toMatchObject({
      status: 'expired',
      exitOnly: true,
      token: expect.any(String),
    });
    await sync([decisionEvent(2, { type: 'exit', passId, verdict: null, at: '2026-11-21T10:05:00Z' })]);
    t.clock.set('2026-11-21T10:10:00Z');
    expect((await page(token)).json.pass).toMatchObject({ status: 'expired', exitOnly: false, token: null });
  });

  it('admits a self-declared visitor without paper, asks a paper-path one to sign, believes no tablet about it, and reports each path apart', async () => {
    t = createTestApp();
    const { request } = await invite([{ name: '张三', email: 'z@example.com' }], {
      visitors: [visitorInput({}, 2), visitorInput({}, 3)],
    });
    await declare(tokenOf(request.invitations[0]!.link), declaration());
    const office = await t.signIn('office');
    const approved = (await t.request('POST', `/api/v1/review/${request.id}/approve`, { cookie: office, body: {} }))
      .json;
    const online = approved.visitors.find((v: { declaredBy: string }) => v.declaredBy === 'visitor');
    const [paper, paper2] = approved.visitors.filter((v: { declaredBy: string }) => v.declaredBy === 'filer');
    const device = await enrollDevice(t, t.campus.gateIds.north, office);
    const snapshot = (await t.request('GET', '/api/v1/kiosk/snapshot', { bearer: device.token })).json;
    const commitmentOf = (id: string) =>
      snapshot.passes.find((p: { id: string }) => p.id === id).visitor.commitmentSigned as boolean;
    expect(commitmentOf(online.pass.id)).toBe(true);
    expect(commitmentOf(paper.pass.id)).toBe(false);

    const admit = (seq: number, passId: string, commitment: Record<string, unknown>) =>
      decisionEvent(seq, {
        passId,
        ruleVersion: 1,
        input: {
          ...decisionEvent(seq).input,
          testRequired: undefined,
          outOfCity: false,
          entrant: 'visitor',
          commitment,
        },
      });
    const sync = await t.request('POST', '/api/v1/kiosk/events', {
      bearer: device.token,
      body: {
        events: [
          admit(1, online.pass.id, { signedOnline: true, onPaper: null }),
          admit(2, paper.pass.id, { signedOnline: false, onPaper: true }),
          // A tablet that claims the paper-path visitor signed online: the server's rows say otherwise.
          admit(3, paper2.pass.id, { signedOnline: true, onPaper: null }),
        ],
      },
    });
    expect(sync.status).toBe(200);
    const rows = t.sqlite.prepare('select seq, server_verdict sv, disagreement d from gate_events order by seq').all();
    expect(rows).toEqual([
      { seq: 1, sv: 'admit', d: 0 },
      { seq: 2, sv: 'admit', d: 0 },
      { seq: 3, sv: 'incomplete', d: 1 },
    ]);
    t.clock.set('2026-11-21T03:00:00Z'); // the visit day: today so far
    const report = (await t.request('GET', '/api/v1/reports/today', { cookie: await t.signIn('office') })).json.find(
      (r: { scope: string }) => r.scope === 'campus',
    );
    expect(report.figures).toMatchObject({ admitted: 3, selfDeclaredAdmits: 1, paperPathAdmits: 2 });
  });
});

import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { fromBase64Url, hexToBytes, parsePassText, timeStep, timeStepCode, verifyPass } from '../../server/domain/pass';
import { decodeCanvasQr, launchBrowser, newPage, PHONE, screenshot } from '../helpers/browser';
import { residentId } from '../helpers/filing';
import { addDays } from '../../server/domain/dates';
import { signInAdmin } from '../helpers/gate';
import { signInOver } from '../helpers/http';
import { startServer, type RunningServer } from '../helpers/server';

const ADMIN_PASSWORD = 'admin-password-for-tests';
const PASSWORD = 'browser-test-pass';
const ID_NUMBERS = [residentId(11), residentId(12)];
let server: RunningServer;
let browser: Browser;
let gateId: number;

beforeAll(async () => {
  server = await startServer();
  const admin = await signInOver(server.url, 'admin', ADMIN_PASSWORD);
  gateId = (await admin('POST', '/api/v1/gates', { campusId: 1, code: 'north', name: '北门', nameEn: 'North Gate' }))
    .json.id;
  const dept = await admin('POST', '/api/v1/departments', {
    code: 'cs',
    name: '计算机学院',
    nameEn: 'Computer Science',
  });
  await admin('POST', '/api/v1/users', {
    username: 'filer',
    displayName: '李老师',
    role: 'filer',
    password: PASSWORD,
    departmentId: dept.json.id,
  });
  await admin('POST', '/api/v1/users', {
    username: 'office',
    displayName: '王老师',
    role: 'office',
    password: PASSWORD,
  });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.cleanup();
});

const signIn = signInAdmin;

describe('filing → approval → visitor pass', () => {
  let requestUrl = '';

  it('a filer files a request for tomorrow through the form', async () => {
    const { context, page } = await newPage(browser, { baseURL: server.url });
    await signIn(page, 'filer');
    await page.getByRole('link', { name: '新建备案' }).click();
    await expect
      .poll(() => page.locator('input[name=visitDateFrom]').getAttribute('min'))
      .toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const earliest = await page.locator('input[name=visitDateFrom]').getAttribute('min');
    await page.locator('input[name=visitDateFrom]').fill(earliest!);
    await page.getByLabel('北门').check();
    await page.getByLabel('来访事由').fill('联合课题研讨');
    await page.getByLabel('前往地点').fill('计算机楼 301');
    await page.getByLabel('接洽人姓名').fill('李老师');
    await page.getByLabel('接洽人手机').fill('13911112222');
    const v = page.locator('[data-visitor="0"]');
    // This visitor has no smartphone: the department fills in for them (the paper path).
    await v.getByLabel('由本部门代填（来访人无智能手机）').check();
    await v.getByText('代填的来访人须在校门现场签署纸质《个人健康承诺书》').waitFor();
    await v.getByLabel('姓名').fill('张三');
    await v.getByLabel('证件号码').fill(ID_NUMBERS[0]!.slice(0, 17) + (ID_NUMBERS[0]!.endsWith('1') ? '2' : '1')); // a typo first
    await v.getByLabel('手机', { exact: true }).fill('13800001111');
    // The region box is a combobox: typed in pinyin, picked with the keyboard.
    const region = v.getByRole('combobox', { name: '来源地（区县）' });
    await region.fill('jinshui');
    await v.getByRole('option', { name: /河南省 郑州市 金水区/ }).waitFor();
    await region.press('ArrowDown');
    await region.press('Enter');
    await v.locator('.chip[data-code="410105"]').waitFor();
    await page.getByRole('button', { name: '提交备案' }).click();
    // the check digit is refused at the field, in Chinese
    await expect.poll(() => v.locator('[data-field="visitors.0.idNumber"] .issue').textContent()).toContain('校验位');
    await screenshot(page, 'filing-form-error');
    await v.getByLabel('证件号码').fill(ID_NUMBERS[0]!);
    await page.getByRole('button', { name: '提交备案' }).click();
    await page.waitForURL(/\/admin\/requests\/\d+$/);
    requestUrl = new URL(page.url()).pathname;
    await expect.poll(() => page.locator('[data-status]').first().getAttribute('data-status')).toBe('pending');
    await screenshot(page, 'filing-request-detail');
    await context.close();
  });

  it('an incomplete form gets every problem at once, at its field, in the form’s language', async () => {
    const { context, page } = await newPage(browser, { baseURL: server.url });
    await signIn(page, 'filer');
    await page.getByRole('link', { name: '新建备案' }).click();
    const v = page.locator('[data-visitor="0"]');
    await v.getByLabel('由本部门代填（来访人无智能手机）').check();
    await page.locator('input[name=visitDateFrom]').fill('2020-01-01'); // long past: the lead time
    await page.getByLabel('来访事由').fill('谈');
    const issues = () => page.locator('.issue').allTextContents();
    for (const lang of ['zh', 'en'] as const) {
      if (lang === 'en') await page.getByRole('button', { name: 'English' }).click();
      await page.getByRole('button', { name: lang === 'zh' ? '提交备案' : 'File request' }).click();
      await expect.poll(async () => (await issues()).length).toBeGreaterThanOrEqual(8);
      const texts = await issues();
      // The formats and the rules in one round: the too-short purpose, the missing region, the lead time.
      if (lang === 'zh') {
        expect(texts).toEqual(expect.arrayContaining(['至少填写 2 个字', '请选择来源地']));
        expect(texts.some((m) => m.includes('至少提前一日'))).toBe(true);
        for (const m of texts) expect(m).not.toMatch(/[A-Za-z]{3,}/);
      } else {
        expect(texts).toEqual(
          expect.arrayContaining(['Enter at least 2 characters', 'Choose where the visitor comes from']),
        );
        expect(texts.some((m) => m.includes('at least a day ahead'))).toBe(true);
        for (const m of texts) expect(m).not.toMatch(/[\u4e00-\u9fff]|Too small|Invalid|expected/);
      }
      await screenshot(page, `filing-all-at-once-${lang}`);
    }
    await context.close();
  });

  it('the office approves it from the review queue', async () => {
    const { context, page } = await newPage(browser, { baseURL: server.url });
    await signIn(page, 'office');
    await page.getByRole('link', { name: '审核队列' }).click();
    const item = page.locator('.queue-item').first();
    await expect.poll(() => item.textContent()).toContain('全部通过');
    await screenshot(page, 'review-queue');
    // The visitor has no smartphone: the office allows a printed pass for this request.
    await item.getByLabel('允许打印纸质通行证（来访人无手机）').check();
    await item.getByRole('button', { name: '批准' }).click();
    await expect.poll(() => page.locator('.queue-item').count()).toBe(0);
    await page.goto(requestUrl);
    await expect.poll(() => page.locator('section[data-status]').getAttribute('data-status')).toBe('approved');
    await context.close();
  });

  it('the visitor’s pass page says when a pass for tomorrow opens, then shows a live QR that verifies', async () => {
    const filer = await signInOver(server.url, 'filer', PASSWORD);
    const id = requestUrl.split('/').pop();
    const detail = await filer('GET', `/api/v1/requests/${id}`);
    const link = detail.json.visitors[0].pass.link as string;
    expect(link).toMatch(/^\/v\//);
    // Today: the window opens tomorrow, so the page says when and where, and shows no code yet.
    const today = await newPage(browser, { baseURL: server.url, viewport: PHONE }); // no sign-in
    await today.page.goto(link);
    await today.page.getByTestId('not-yet').waitFor();
    expect(await today.page.getByTestId('not-yet').textContent()).toContain('北门');
    expect(await today.page.locator('canvas').count()).toBe(0);
    await screenshot(today.page, 'visitor-pass-not-yet');
    await today.context.close();

    // On the visit day (the phone's clock), the live code shows.
    const visitAt = new Date(`${detail.json.visitDateFrom}T10:00:00+08:00`);
    const { context, page } = await newPage(browser, { baseURL: server.url, viewport: PHONE });
    await page.clock.install({ time: visitAt });
    await page.goto(link);
    await page.locator('canvas[data-qr]').waitFor();
    await page.getByText('保卫处已允许本次来访使用纸质通行证').waitFor(); // allowed at approval, and said on the pass
    await page.getByText('请在校门现场签署纸质《个人健康承诺书》').waitFor(); // the department filled in for them
    await screenshot(page, 'visitor-pass');
    const text = await decodeCanvasQr(page);
    expect(text).toMatch(/^GH\./);
    expect(text!.length).toBeLessThanOrEqual(150);

    const view = (
      (await (await fetch(`${server.url}/api/v1/visit/${link.split('/').pop()}`)).json()) as { pass: unknown }
    ).pass as { codeSecret: string; stepSeconds: number };
    const office = await signInOver(server.url, 'office', PASSWORD);
    const keys = (await office<{ kid: number; publicKey: string }[]>('GET', '/api/v1/passes/keys')).json;
    const at = (now: Date) => ({
      now,
      gateId,
      publicKeys: new Map(keys.map((k) => [k.kid, hexToBytes(k.publicKey)])),
      isRevoked: () => false,
      entriesUsed: () => 0,
      secretFor: () => fromBase64Url(view.codeSecret)!,
      stepSeconds: view.stepSeconds,
      printedAllowed: true,
    });
    // At the visit time the page drew it: signature, window, gate and live code all hold.
    expect(verifyPass(text!, at(visitAt))).toMatchObject({ ok: true });
    const code = parsePassText(text!)!.code!;
    expect(code).toBe(timeStepCode(fromBase64Url(view.codeSecret)!, timeStep(visitAt, view.stepSeconds)));
    // Today the same code is refused: the pass is not valid yet.
    expect(verifyPass(text!, at(new Date()))).toMatchObject({ ok: false, reason: 'not_yet_valid' });
    await context.close();
  });

  it('the filer cancels the approved visit only with a reason, after a warning; the pass stops at once', async () => {
    const { context, page } = await newPage(browser, { baseURL: server.url, viewport: { width: 1280, height: 900 } });
    await signIn(page, 'filer');
    await page.goto(requestUrl);
    await page.getByRole('button', { name: '撤销备案' }).click();
    const confirm = page.getByRole('alertdialog');
    expect(await confirm.textContent()).toContain('撤销后来访人的通行码立即作废');
    const yes = confirm.getByRole('button', { name: '确认撤销' });
    expect(await yes.isDisabled()).toBe(true);
    await confirm.getByLabel('撤销原因').fill('会议改期');
    await screenshot(page, 'request-cancel-approved-zh');
    await yes.click();
    await confirm.waitFor({ state: 'detached' });
    const filer = await signInOver(server.url, 'filer', PASSWORD);
    const after = (await filer('GET', `/api/v1/requests/${requestUrl.split('/').pop()}`)).json;
    expect(after.status).toBe('cancelled');
    expect(after.history.at(-1)).toMatchObject({ action: 'cancelled', note: '会议改期' });
    expect(after.visitors[0].pass.revoked).toBe(true);
    await context.close();
  });

  it('lets the filer edit a pending request without typing a kept visitor’s ID number again', async () => {
    const filer = await signInOver(server.url, 'filer', PASSWORD);
    const earliest = (await filer('GET', '/api/v1/requests')).json.items[0].visitDateFrom as string;
    const body = {
      visitDateFrom: earliest,
      timeFrom: '09:00',
      timeTo: '12:00',
      gateIds: [gateId],
      purpose: '设备验收',
      destination: '实验楼',
      escortName: '李老师',
      escortPhone: '13911112222',
      visitors: [
        {
          name: '王五',
          idType: 'resident_id',
          idNumber: ID_NUMBERS[1],
          phone: '13800002222',
          fromRegion: '110105', // from outside the campus city: a test time is asked
          visitedRegions: [],
          closeContact: false,
          testTakenAt: `${addDays(earliest, -2)}T20:30:00+08:00`,
          testResult: 'negative',
        },
      ],
    };
    const filed = await filer('POST', '/api/v1/requests', body);
    expect(filed.status).toBe(201);
    // An office PC whose clock is set to UTC: the form still shows and reads the campus's time.
    const { context, page } = await newPage(browser, { baseURL: server.url, timezoneId: 'UTC' });
    await signIn(page, 'filer');
    await page.goto(`/admin/requests/${filed.json.id}`);
    // The request's visitors download from its page.
    const visitorsFile = await page.getByRole('link', { name: 'CSV' }).getAttribute('href');
    expect(visitorsFile).toBe(`/api/v1/requests/${filed.json.id}/visitors/export?format=csv`);
    expect((await page.request.get(visitorsFile!)).status()).toBe(200);
    await page.getByRole('link', { name: '修改备案' }).click();
    await expect.poll(() => page.getByLabel('来访事由').inputValue()).toBe('设备验收');
    const v = page.locator('[data-visitor="0"]');
    expect(await v.getByLabel('证件号码').getAttribute('placeholder')).toBe(`****${ID_NUMBERS[1]!.slice(-4)}`);
    await v.getByTestId('id-kept').waitFor(); // on file: left empty, it is kept
    expect(await v.getByLabel('核酸采样时间').inputValue()).toBe(`${addDays(earliest, -2)}T20:30`);
    await page.getByLabel('来访事由').fill('设备验收及培训');
    await page.getByRole('button', { name: '保存修改' }).click();
    await page.waitForURL(new RegExp(`/admin/requests/${filed.json.id}$`));
    const after = (await filer('GET', `/api/v1/requests/${filed.json.id}`)).json;
    expect(after).toMatchObject({ purpose: '设备验收及培训', status: 'pending' });
    // The same visitor row, link and ID number: nothing was typed again.
    expect(after.visitors[0]).toMatchObject({ id: filed.json.visitors[0].id, idLast4: ID_NUMBERS[1]!.slice(-4) });
    // Saved as it was, not moved by the PC's zone (it came back 8 hours early before).
    expect(after.visitors[0].testTakenAt).toBe(new Date(`${addDays(earliest, -2)}T20:30:00+08:00`).toISOString());
    expect(after.history.map((h: { action: string }) => h.action)).toEqual(['filed', 'edited']);
    await context.close();
  });

  it('leaves no full ID number in the database, its WAL or the server log', async () => {
    const files = readdirSync(server.dir).filter((f) => f.startsWith('gatehouse.db'));
    expect(files).toContain('gatehouse.db');
    const haystacks = [...files.map((f) => readFileSync(`${server.dir}/${f}`).toString('latin1')), server.output()];
    for (const id of ID_NUMBERS) {
      for (const h of haystacks) expect(h.includes(id)).toBe(false);
    }
    expect(server.output()).not.toContain(ID_NUMBERS[0]!.slice(0, 17)); // nor the mistyped one
  });

  it('the department’s approver sees what awaits them at home and approves it from the request page', async () => {
    const admin = await signInOver(server.url, 'admin', ADMIN_PASSWORD);
    const depts = (await admin('GET', '/api/v1/departments')).json as { id: number; code: string }[];
    const cs = depts.find((d) => d.code === 'cs')!;
    await admin('PATCH', `/api/v1/departments/${cs.id}`, { requiresDeptApproval: true });
    await admin('POST', '/api/v1/users', {
      username: 'head',
      displayName: '赵主任',
      role: 'filer',
      password: PASSWORD,
      departmentId: cs.id,
    });
    const users = (await admin('GET', '/api/v1/users')).json as { id: number; username: string }[];
    await admin('PATCH', `/api/v1/users/${users.find((u) => u.username === 'head')!.id}`, { deptApprover: true });
    try {
      const filer = await signInOver(server.url, 'filer', PASSWORD);
      const earliest = (await filer('GET', '/api/v1/requests')).json.items[0].visitDateFrom as string;
      const filed = await filer('POST', '/api/v1/requests', {
        visitDateFrom: earliest,
        timeFrom: '09:00',
        timeTo: '12:00',
        gateIds: [gateId],
        purpose: '课题评审',
        destination: '计算机楼',
        escortName: '李老师',
        escortPhone: '13911112222',
        visitors: [],
        invitations: [{ name: '钱七', phone: '13800003333' }],
      });
      expect(filed.json.status).toBe('pending_dept');
      const { context, page } = await newPage(browser, { baseURL: server.url });
      await signIn(page, 'head');
      await page.getByRole('link', { name: '待本部门审批的备案：1 件' }).click();
      await page.locator(`a[href="/admin/requests/${filed.json.id}"]`).click();
      await page.getByTestId('dept-approval').waitFor();
      await screenshot(page, 'dept-approval-zh');
      await page.getByTestId('dept-approval').getByRole('button', { name: /^批准/ }).click();
      await expect.poll(() => page.locator('[data-status]').first().getAttribute('data-status')).toBe('pending');
      expect(await page.locator('.history').textContent()).toContain('赵主任 · 部门审批通过');
      await context.close();
    } finally {
      await admin('PATCH', `/api/v1/departments/${cs.id}`, { requiresDeptApproval: false });
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { axeViolations } from '../helpers/axe';
import { decodeCanvasQr, launchBrowser, newPage, PHONE, screenshot } from '../helpers/browser';
import { residentId } from '../helpers/filing';
import {
  ADMIN_PASSWORD,
  openGate,
  PASSWORD,
  setupGateWorld,
  signInAdmin,
  verdictOf,
  type GateWorld,
} from '../helpers/gate';
import { signInOver } from '../helpers/http';
import { startServer, type RunningServer } from '../helpers/server';

/**
 * Issue 14, as the people do it: the office imports the roster; a student files leave on their
 * phone (390×844); the counsellor approves it in the admin app; the student's credential QR, drawn
 * by their page and played to the gate tablet's camera, is let out; a second student without leave
 * is refused; the first checks in and comes back (销假); the office's member view and today's
 * report show the flows.
 */
let server: RunningServer;
let browser: Browser;
let w: GateWorld;
const links: Record<string, string> = {};

const ROSTER = [
  '学号/工号,姓名,类别,工种,院系/部门,班级/班组,住校,证件类型,证件号码,手机',
  `2023010101,张三,学生,,计算机学院,计科2301,是,身份证,${residentId(41)},13800004141`,
  '2023010102,Alice Smith,学生,,cs,计科2301,是,,,13800004242',
  'T0001,赵老师,教职工,,cs,,否,,,13911112222',
].join('\r\n');

/** Campus wall-clock time (Asia/Shanghai) `minutes` from now, as a datetime-local box takes it. */
function campusLocal(minutes: number) {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(Date.now() + minutes * 60_000));
  const p = (type: string) => parts.find((x) => x.type === type)!.value;
  return `${p('year')}-${p('month')}-${p('day')}T${p('hour')}:${p('minute')}`;
}

beforeAll(async () => {
  server = await startServer();
  w = await setupGateWorld(server);
  const admin = await signInOver(server.url, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/api/v1/users', {
    username: 'counsellor',
    displayName: '陈辅导员',
    role: 'approver',
    password: PASSWORD,
    departmentId: w.deptId,
  });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.cleanup();
});

async function phone(locale: string) {
  return newPage(browser, { baseURL: server.url, viewport: PHONE, locale });
}
async function expectNoSidewaysScroll(page: Page) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
}
async function office() {
  const o = await newPage(browser, { baseURL: server.url, viewport: { width: 1280, height: 900 } });
  await signInAdmin(o.page, 'office');
  return o;
}
/** The credential's live QR as the phone draws it now. */
async function credentialText(number: string) {
  const { context, page } = await phone('zh-CN');
  await page.goto(links[number]!);
  await page.locator('canvas[data-qr]').waitFor();
  const text = await decodeCanvasQr(page);
  await context.close();
  expect(text).toMatch(/^GM\..+\.\d{6}$/);
  return text;
}

describe('campus members at the gate', () => {
  it('the office imports the roster from a file: checked first, then saved', async () => {
    const { context, page } = await office();
    await page.getByRole('link', { name: '校内人员' }).click();
    await page.getByLabel('选择名单文件').setInputFiles({
      name: '名单.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(ROSTER, 'utf8'),
    });
    await page.getByTestId('import-result').getByText('已检查：3 行无误，0 行有问题。').waitFor();
    await screenshot(page, 'members-import-checked');
    await page.getByRole('button', { name: '保存 3 人' }).click();
    await page.getByText('已保存：新增 3 人，更新 0 人。').waitFor();
    await expect.poll(() => page.locator('tr[data-member]').count()).toBe(3);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'members-office-zh');
    const api = await signInOver(server.url, 'office', PASSWORD);
    const list = (await api('GET', '/api/v1/members')).json.items as { id: number; number: string }[];
    for (const m of list) links[m.number] = (await api('POST', `/api/v1/members/${m.id}/link`)).json.link;
    await context.close();
  });

  it('a student files leave on their phone (390 px)', async () => {
    const { context, page } = await phone('zh-CN');
    await page.goto(links['2023010101']!);
    await page.locator('canvas[data-qr]').waitFor();
    expect(await page.getByText('须有已批准的请假').count()).toBe(1);
    await page.getByLabel('离校时间（Asia/Shanghai）').fill(campusLocal(-5));
    await page.getByLabel('返校时间（Asia/Shanghai）').fill(campusLocal(180));
    await page.getByRole('searchbox', { name: '去向' }).fill('金水');
    await page.getByRole('option', { name: /河南省 郑州市 金水区/ }).click();
    await page.getByLabel('事由').fill('回家取证件');
    await screenshot(page, 'member-leave-form-zh');
    await page.getByRole('button', { name: '提交请假' }).click();
    await page.locator('li[data-status=pending]').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await expectNoSidewaysScroll(page);
    await screenshot(page, 'member-leave-pending-zh');
    await context.close();
  });

  it('the counsellor approves it in the admin app', async () => {
    const { context, page } = await newPage(browser, { baseURL: server.url, viewport: { width: 1280, height: 900 } });
    await signInAdmin(page, 'counsellor');
    await page.getByRole('link', { name: '请假审批' }).click();
    const item = page.locator('li.leave-item[data-status=pending]');
    await item.waitFor();
    expect(await item.textContent()).toContain('回家取证件');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'leaves-approver-zh');
    await item.getByRole('button', { name: '批准' }).click();
    await expect.poll(() => page.locator('li.leave-item[data-status=pending]').count()).toBe(0);
    await page.getByRole('tab', { name: '已批准' }).click();
    await page.locator('li.leave-item[data-status=approved]').getByText('陈辅导员').waitFor();
    await context.close();
  });

  it('the student’s credential, from their phone to the tablet’s camera, is let out on the leave', async () => {
    const text = await credentialText('2023010101');
    // Blank frames first: the guard switches the tablet to exit mode before the code shows.
    const gate = await openGate(w, text, undefined, { video: { blankFramesBefore: 60 } });
    try {
      await gate.page.getByRole('button', { name: '离校登记' }).click();
      expect(await verdictOf(gate.page)).toEqual({ verdict: 'admit', reasons: [] });
      expect(await gate.page.getByTestId('verdict-member').textContent()).toContain('2023010101');
      expect(await gate.page.locator('.verdict-word .zh').textContent()).toBe('准予离校');
      expect(await gate.page.locator('[data-check=leave]').getAttribute('data-outcome')).toBe('pass');
      await screenshot(gate.page, 'member-gate-exit-admit');
      await gate.page.getByRole('button', { name: '下一位' }).click();
    } finally {
      await gate.browser.close();
    }
    const api = await signInOver(server.url, 'office', PASSWORD);
    await expect
      .poll(async () =>
        (await api('GET', '/api/v1/members?filter=out')).json.items.map((m: { number: string }) => m.number),
      )
      .toEqual(['2023010101']);
  });

  it('a second student, without leave and on an English phone, is refused exit with the reason', async () => {
    const { context, page } = await phone('en-US');
    await page.goto(links['2023010102']!);
    await page.locator('canvas[data-qr]').waitFor();
    expect(await page.getByRole('heading', { name: 'My credential' }).count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await expectNoSidewaysScroll(page);
    await screenshot(page, 'member-credential-en');
    const text = await decodeCanvasQr(page);
    await context.close();
    const gate = await openGate(w, text, undefined, { video: { blankFramesBefore: 60 } });
    try {
      await gate.page.getByRole('button', { name: '离校登记' }).click();
      expect(await verdictOf(gate.page)).toEqual({ verdict: 'refuse', reasons: ['no_leave'] });
      expect(await gate.page.locator('.verdict-word .zh').textContent()).toBe('不准离校');
      expect(await gate.page.locator('[data-reason=no_leave]').textContent()).toContain('无已批准的请假');
      await screenshot(gate.page, 'member-gate-exit-refused');
    } finally {
      await gate.browser.close();
    }
  });

  it('the first checks in on their phone and comes back: the return closes the leave (销假)', async () => {
    const { context, page } = await phone('zh-CN');
    await page.goto(links['2023010101']!);
    await page.getByLabel('体温（°C）').fill('36.5');
    await page.getByRole('searchbox', { name: '当前所在地' }).fill('金水');
    await page.getByRole('option', { name: /河南省 郑州市 金水区/ }).click();
    await page.getByRole('button', { name: '提交打卡' }).click();
    await page.getByTestId('checked-in').waitFor();
    await screenshot(page, 'member-checked-in-zh');
    await page.reload(); // a fresh credential and today's state
    await page.locator('canvas[data-qr]').waitFor();
    const text = await decodeCanvasQr(page);
    await context.close();
    const gate = await openGate(w, text);
    try {
      await gate.page.getByTestId('member-card').waitFor();
      await gate.page.getByRole('button', { name: '绿码' }).click();
      await gate.page.getByRole('button', { name: '36.5', exact: true }).click();
      expect(await verdictOf(gate.page)).toEqual({ verdict: 'admit', reasons: [] });
      expect(await gate.page.locator('[data-check=check_in]').getAttribute('data-outcome')).toBe('pass');
      await screenshot(gate.page, 'member-gate-return');
    } finally {
      await gate.browser.close();
    }
    const student = await phone('zh-CN');
    await student.page.goto(links['2023010101']!);
    await expect.poll(() => student.page.locator('li[data-status=returned]').count(), { timeout: 20_000 }).toBe(1);
    await student.context.close();
  });

  it('the office sees the flows: who is out, refused exits, returns, missing check-ins, today’s report', async () => {
    const { context, page } = await office();
    await page.goto('/admin/members');
    const summary = page.locator(`tr[data-department="${w.deptId}"]`);
    await summary.waitFor();
    expect(await summary.getByTestId('not-checked-in').textContent()).toBe('2');
    await page.getByRole('tab', { name: '今日未打卡' }).click();
    await expect
      .poll(() => page.locator('tr[data-member]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-member'))))
      .toEqual(['2023010102', 'T0001']);
    await screenshot(page, 'members-office-no-check-in-zh');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('tab', { name: 'Not checked in' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'members-office-en');
    await page.getByRole('button', { name: '中文' }).click();
    await page.goto('/admin/reports');
    const campus = page.locator('[data-testid=today] tr[data-scope=campus]');
    await campus.waitFor();
    const figure = (f: string) => campus.locator(`[data-figure=${f}]`).textContent();
    await expect.poll(() => figure('memberExits')).toBe('1');
    expect(await figure('memberReturns')).toBe('1');
    expect(await figure('memberExitsRefused')).toBe('1');
    expect(await figure('missingCheckIns')).toBe('2');
    await screenshot(page, 'members-report-today-zh');
    await context.close();
  });
});

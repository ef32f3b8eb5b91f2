import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { axeViolations } from '../helpers/axe';
import { decodeCanvasQr, launchBrowser, newPage, PHONE, screenshot } from '../helpers/browser';
import { residentId } from '../helpers/filing';
import {
  openGate,
  PASSWORD,
  setupGateWorld,
  signInAdmin,
  verdictOf,
  waitOrShoot,
  type GateWorld,
} from '../helpers/gate';
import { signInOver } from '../helpers/http';
import { startServer, type RunningServer } from '../helpers/server';

/**
 * Issue 16, as the people do it: the filer invites two visitors; each fills in their own part on
 * their phone (390×844, one in Chinese, one in English); the office approves; the same links show
 * the passes; one pass's QR, read from the phone's canvas, is admitted by a gate tablet's camera.
 */
let server: RunningServer;
let browser: Browser;
let w: GateWorld;
let requestId = 0;
const links: string[] = [];

beforeAll(async () => {
  server = await startServer();
  w = await setupGateWorld(server);
  const admin = await signInOver(server.url, 'admin', 'admin-password-for-tests');
  await admin('PATCH', `/api/v1/gates/${w.northId}`, {
    address: '文化路 97 号（北门岗亭）',
    addressEn: '97 Wenhua Road (north gatehouse)',
  });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.cleanup();
});

const VISITORS = [
  { lang: 'zh', locale: 'zh-CN', name: '张三', id: residentId(31), phone: '13800003131' },
  { lang: 'en', locale: 'en-US', name: 'Alice Smith', id: residentId(32), phone: '13800003232' },
] as const;

/** The visitor's phone: a fresh 390×844 browser context in the phone's language, no sign-in. */
async function phone(locale: string) {
  return newPage(browser, { baseURL: server.url, viewport: PHONE, locale });
}

async function expectNoSidewaysScroll(page: Page) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
}

describe('visitors speak for themselves', () => {
  it('the filer invites two visitors on the form, one by phone, one by e-mail in English', async () => {
    const { context, page } = await newPage(browser, { baseURL: server.url, viewport: { width: 1280, height: 900 } });
    await signInAdmin(page, 'filer');
    await page.getByRole('link', { name: '新建备案' }).click();
    await expect
      .poll(() => page.locator('input[name=visitDateFrom]').getAttribute('min'))
      .toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await page
      .locator('input[name=visitDateFrom]')
      .fill((await page.locator('input[name=visitDateFrom]').getAttribute('min'))!);
    await page.locator('input[name=timeFrom]').fill('00:00');
    await page.locator('input[name=timeTo]').fill('23:59');
    await page.getByLabel('北门').check();
    await page.getByLabel('来访事由').fill('联合课题研讨');
    await page.getByLabel('前往地点').fill('计算机楼 301');
    await page.getByLabel('接洽人姓名').fill('李老师');
    await page.getByLabel('接洽人手机').fill('13911112222');
    // Inviting is the default: the visitor fills in the rest on their phone.
    const first = page.locator('[data-visitor="0"]');
    expect(await first.getAttribute('data-mode')).toBe('invite');
    await first.getByLabel('姓名').fill(VISITORS[0].name);
    await first.getByLabel('手机（发送邀请链接）').fill(VISITORS[0].phone);
    await page.getByRole('button', { name: '邀请来访人' }).click();
    const second = page.locator('[data-visitor="1"]');
    await second.getByLabel('姓名').fill(VISITORS[1].name);
    await second.getByLabel('邮箱（自动发送邀请）').fill('alice@example.com');
    await second.getByLabel('邀请语言').selectOption('en');
    // There is no box for the department to tick the commitment on the visitor's behalf any more.
    expect(await page.getByText('来访人已阅读并同意健康承诺').count()).toBe(0);
    await screenshot(page, 'visit-filer-form');
    await page.getByRole('button', { name: '提交备案' }).click();
    await page.waitForURL(/\/admin\/requests\/\d+$/);
    requestId = Number(page.url().split('/').pop());
    await expect.poll(() => page.locator('tr[data-invitation]').count()).toBe(2);
    expect(
      await page.locator('tr[data-invitation]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-state'))),
    ).toEqual(['invited', 'invited']);
    await page.getByTestId('declarations-pending').waitFor();
    await screenshot(page, 'visit-filer-invited');
    const filer = await signInOver(server.url, 'filer', PASSWORD);
    const detail = (await filer('GET', `/api/v1/requests/${requestId}`)).json;
    links.push(...detail.invitations.map((i: { link: string }) => i.link));
    await context.close();
  });

  for (const [i, v] of VISITORS.entries()) {
    it(`${v.name} fills in their own part on their phone (${v.lang}, 390×844): notice, consents, declaration, signature`, async () => {
      const { context, page } = await phone(v.locale);
      await page.goto(links[i]!);
      await page.getByTestId('privacy').waitFor();
      const zh = v.lang === 'zh';
      expect(await page.locator('html').getAttribute('lang')).toBe(zh ? 'zh-CN' : 'en');
      expect(await page.getByTestId('escort-phone').textContent()).toBe('13911112222'); // in full: they can call
      expect(await page.getByText(zh ? '文化路 97 号' : '97 Wenhua Road').count()).toBe(1);
      expect(await axeViolations(page)).toEqual([]);
      await expectNoSidewaysScroll(page);
      await screenshot(page, `visit-declare-${v.lang}`);

      // Sent empty: every missing thing is said at once, in the phone's language.
      await page.getByRole('button', { name: zh ? '提交' : 'Submit', exact: true }).click();
      const problems = page.getByTestId('problems');
      await problems.waitFor();
      expect(await problems.locator('li').count()).toBeGreaterThanOrEqual(6);
      expect(await problems.textContent()).toContain(zh ? '请选择来源地' : 'Choose where you come from');
      await screenshot(page, `visit-declare-errors-${v.lang}`);

      await page
        .getByLabel(zh ? '我同意学校为核验身份处理我的证件号码' : 'I consent to the campus processing my ID number')
        .check();
      await page
        .getByLabel(
          zh ? '我同意学校为疫情防控处理我的健康申报信息' : 'I consent to the campus processing my health declaration',
        )
        .check();
      expect(await page.getByLabel(zh ? '姓名（与证件一致）' : 'Full name (as on your ID)').inputValue()).toBe(v.name);
      await page.getByLabel(zh ? '证件号码' : 'ID number', { exact: true }).fill(v.id);
      await page.getByLabel(zh ? '手机号' : 'Mobile phone', { exact: true }).fill(v.phone);
      await page
        .getByRole('searchbox', { name: zh ? '来自哪里（区县）' : 'Where you come from (district)' })
        .fill('金水');
      await page.getByRole('option', { name: /河南省 郑州市 金水区/ }).click();
      await page.getByLabel(zh ? '没有' : 'No', { exact: true }).check();
      await page
        .getByTestId('commitment')
        .getByLabel(zh ? '签署人姓名（请输入您的全名）' : 'Sign with your full name')
        .fill(v.name);
      await page.getByLabel(zh ? '我已阅读并签署以上承诺' : 'I have read and sign this commitment').check();
      await screenshot(page, `visit-declare-filled-${v.lang}`);
      await page.getByRole('button', { name: zh ? '提交' : 'Submit', exact: true }).click();
      await waitOrShoot(page, '[data-testid=declared]');
      expect(await page.getByTestId('declared').textContent()).toContain(
        zh ? `以“${v.name}”签署健康承诺` : `signed as “${v.name}”`,
      );
      expect(await axeViolations(page)).toEqual([]);
      await expectNoSidewaysScroll(page);
      await screenshot(page, `visit-declared-${v.lang}`);
      await context.close();
    });
  }

  it('the filer sees both completed; the office approves; the same links are now the passes', async () => {
    const { context, page } = await newPage(browser, { baseURL: server.url, viewport: { width: 1280, height: 900 } });
    await signInAdmin(page, 'filer');
    await page.goto(`/admin/requests/${requestId}`);
    await expect
      .poll(() =>
        page.locator('tr[data-invitation]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-state'))),
      )
      .toEqual(['completed', 'completed']);
    expect(await page.locator('[data-declared-by="visitor"]').count()).toBe(2);
    await screenshot(page, 'visit-filer-completed');
    await context.close();

    const office = await newPage(browser, { baseURL: server.url, viewport: { width: 1280, height: 900 } });
    await signInAdmin(office.page, 'office');
    await office.page.getByRole('link', { name: '审核队列' }).click();
    const item = office.page.locator(`.queue-item[data-request="${requestId}"]`);
    await item.waitFor();
    expect(await item.getByTestId('incomplete').count()).toBe(0);
    await item.getByRole('button', { name: '批准', exact: true }).click();
    await expect.poll(() => office.page.locator(`.queue-item[data-request="${requestId}"]`).count()).toBe(0);
    await office.context.close();

    for (const [i, v] of VISITORS.entries()) {
      const { context: c, page: p } = await phone(v.locale);
      await p.goto(links[i]!);
      await p.locator('canvas[data-qr]').waitFor();
      expect(await axeViolations(p)).toEqual([]);
      await expectNoSidewaysScroll(p);
      await screenshot(p, `visit-pass-${v.lang}`);
      await c.close();
    }
  });

  it('one pass’s QR, read from the phone’s canvas, is admitted at the gate with no paper to sign', async () => {
    const { context, page } = await phone('zh-CN');
    await page.goto(links[0]!);
    await page.locator('canvas[data-qr]').waitFor();
    const text = await decodeCanvasQr(page);
    expect(text).toMatch(/^GH\..+\.\d{6}$/);
    await context.close();

    const gate = await openGate(w, text);
    try {
      await gate.page.getByRole('button', { name: '绿码' }).click();
      await gate.page.getByRole('button', { name: '36.5', exact: true }).click();
      expect(await verdictOf(gate.page)).toEqual({ verdict: 'admit', reasons: [] });
      expect(await gate.page.locator('[data-check=commitment]').getAttribute('data-outcome')).toBe('pass');
      await screenshot(gate.page, 'visit-gate-admit');
    } finally {
      await gate.browser.close();
    }
  });

  it('an opened pass opens again with no signal at the gate', async () => {
    const { context, page } = await phone('zh-CN');
    await page.goto(links[0]!);
    await page.locator('canvas[data-qr]').waitFor();
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await context.setOffline(true);
    await page.reload();
    await page.locator('canvas[data-qr]').waitFor();
    await page.getByText('当前无网络').waitFor();
    expect(await decodeCanvasQr(page)).toMatch(/^GH\./);
    await screenshot(page, 'visit-pass-offline');
    await context.close();
  });
});

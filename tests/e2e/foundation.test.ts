import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, newPage, PHONE, screenshot } from '../helpers/browser';
import { signInOver } from '../helpers/http';
import { startServer, type RunningServer } from '../helpers/server';
import { GUARD_PIN, openGate } from '../helpers/gate';

const ADMIN_PASSWORD = 'admin-password-for-tests';
const PASSWORD = 'browser-test-pass';
let server: RunningServer;
let browser: Browser;
let gateId = 0;
let guardId = 0;

beforeAll(async () => {
  server = await startServer();
  const admin = await signInOver(server.url, 'admin', ADMIN_PASSWORD);
  const gate = await admin('POST', '/api/v1/gates', { campusId: 1, code: 'north', name: '北门', nameEn: 'North Gate' });
  gateId = gate.json.id;
  const dept = await admin('POST', '/api/v1/departments', { code: 'cs', name: '计算机学院' });
  for (const [username, role] of [
    ['office', 'office'],
    ['filer', 'filer'],
    ['guard', 'guard'],
  ] as const) {
    const res = await admin('POST', '/api/v1/users', {
      username,
      displayName: role === 'guard' ? '张师傅' : `测试${role}`,
      role,
      password: PASSWORD,
      departmentId: role === 'filer' ? dept.json.id : null,
      gateIds: role === 'guard' ? [gate.json.id] : [],
    });
    expect(res.status).toBe(201);
    if (role === 'guard') {
      guardId = res.json.id;
      await admin('PATCH', `/api/v1/users/${guardId}`, { pin: GUARD_PIN });
    }
  }
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.cleanup();
});

describe('admin app', () => {
  it.each([
    ['admin', ADMIN_PASSWORD],
    ['office', PASSWORD],
    ['filer', PASSWORD],
    ['guard', PASSWORD],
  ])('lets %s sign in and shows their role (zh-CN first)', async (username, password) => {
    const { context, page } = await newPage(browser, { baseURL: server.url });
    await page.goto('/admin/');
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('密码').fill(password);
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(() => page.locator('[data-role]').getAttribute('data-role')).toBe(username);
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await screenshot(page, `admin-home-${username}`);
    await context.close();
  });

  it('switches to English and back', async () => {
    const { context, page } = await newPage(browser, { baseURL: server.url });
    await page.goto('/admin/');
    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Sign in' }).count()).toBe(1);
    await page.getByRole('button', { name: '中文' }).click();
    await expect.poll(() => page.getByRole('button', { name: '登录' }).count()).toBe(1);
    await context.close();
  });

  it('lets the admin create a department through the form', async () => {
    const { context, page } = await newPage(browser, { baseURL: server.url });
    await page.goto('/admin/');
    await page.getByLabel('用户名').fill('admin');
    await page.getByLabel('密码').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('link', { name: '部门' }).click();
    await page.getByRole('button', { name: '新建' }).click();
    await page.locator('form.inline-form input[name=code]').fill('law');
    await page.locator('form.inline-form input[name=name]').fill('法学院');
    await page.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => page.getByRole('cell', { name: '法学院' }).count()).toBe(1);
    await screenshot(page, 'admin-departments');
    await context.close();
  });

  it('lets the admin make a reports-only integration token: the secret shown once, then listed with its scope and expiry, reaching only reports', async () => {
    const { context, page } = await newPage(browser, { baseURL: server.url, viewport: { width: 1280, height: 900 } });
    await page.goto('/admin/');
    await page.getByLabel('用户名').fill('admin');
    await page.getByLabel('密码').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('link', { name: '接口令牌' }).click();
    await page.locator('input[name=name]').fill('报表系统');
    await page.getByLabel('代本部门报备（并查看所报备的申请）').uncheck();
    await page.getByLabel('读取保卫处日报').check();
    expect(await page.locator('select[name=departmentId]').isDisabled()).toBe(true);
    await page.locator('select[name=expiresInDays]').selectOption('30');
    await page.getByRole('button', { name: '新建' }).click();
    const secret = (await page.locator('[data-secret]').textContent())!;
    expect(secret).toMatch(/^ghi_/);
    await screenshot(page, 'admin-tokens-created-zh');

    const call = (path: string) => fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${secret}` } });
    expect((await call('/api/v1/reports/today')).status).toBe(200);
    const filing = await call('/api/v1/requests');
    expect(filing.status).toBe(403);
    expect(((await filing.json()) as { error: { code: string } }).error.code).toBe('scope_missing');

    await page.reload();
    const row = page.locator('tr[data-status=active]').filter({ hasText: '报表系统' });
    await row.waitFor();
    expect(await row.textContent()).toContain('读取保卫处日报');
    expect(await page.content()).not.toContain(secret);
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: "API tokens (the school's office system)" }).waitFor();
    expect(await row.textContent()).toContain("Read the office's daily reports");
    await screenshot(page, 'admin-tokens-en');
    await page.getByRole('button', { name: '中文' }).click();
    await context.close();
  });

  it('shows a translated error for a wrong password', async () => {
    const { context, page } = await newPage(browser, { baseURL: server.url });
    await page.goto('/admin/');
    await page.getByLabel('用户名').fill('office');
    await page.getByLabel('密码').fill('wrong-password');
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(() => page.getByRole('alert').getAttribute('data-code')).toBe('invalid_credentials');
    await context.close();
  });
});

describe('kiosk', () => {
  it('shows the enrollment keypad on a landscape tablet and a phone', async () => {
    for (const [name, viewport] of [
      ['tablet', undefined],
      ['phone', PHONE],
    ] as const) {
      const { context, page } = await newPage(browser, { baseURL: server.url, ...(viewport ? { viewport } : {}) });
      await page.goto('/kiosk/');
      await page.getByRole('button', { name: '登记' }).waitFor();
      await screenshot(page, `kiosk-enroll-${name}`);
      await context.close();
    }
  });

  it('receives the fake camera feed and decodes a QR from it', async () => {
    const w = { server, northId: gateId, eastId: gateId, guardId, deptId: 0 };
    const gate = await openGate(w, 'GATEHOUSE-SMOKE-0001');
    try {
      await expect.poll(() => gate.page.locator('video').count(), { timeout: 15_000 }).toBe(1);
      // Decoded, and recognised as not a campus pass.
      await expect
        .poll(() => gate.page.getByTestId('notice').textContent(), { timeout: 20_000 })
        .toContain('不是本校通行码');
      await screenshot(gate.page, 'kiosk-camera');
    } finally {
      await gate.browser.close();
    }
  });
});

describe('the server process', () => {
  it('keeps data across a restart', async () => {
    const admin = await signInOver(server.url, 'admin', ADMIN_PASSWORD);
    await admin('POST', '/api/v1/gates', { campusId: 1, code: 'south', name: '南门' });
    expect(await server.stop()).toBe(0); // graceful SIGTERM exit
    server = await startServer({ databasePath: server.databasePath, dir: server.dir });
    const again = await signInOver(server.url, 'admin', ADMIN_PASSWORD);
    const gates = await again<{ code: string }[]>('GET', '/api/v1/gates');
    expect(gates.json.map((g) => g.code)).toEqual(['north', 'south']);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newPage, screenshot } from '../helpers/browser';
import {
  issuePass,
  liveText,
  openGate,
  PASSWORD,
  setupGateWorld,
  verdictOf,
  waitOrShoot,
  type GateWorld,
  signInAdmin,
} from '../helpers/gate';
import { signInOver } from '../helpers/http';
import { startServer, type RunningServer } from '../helpers/server';

let server: RunningServer;
let w: GateWorld;
let browser: Browser;
let office: Page;

beforeAll(async () => {
  server = await startServer();
  w = await setupGateWorld(server);
  browser = await launchBrowser();
  office = (await newPage(browser, { baseURL: server.url, viewport: { width: 1440, height: 1000 } })).page;
  await signInAdmin(office, 'office');
});
afterAll(async () => {
  await browser?.close();
  await server?.cleanup();
});

/** The office switches the campus level on the rules page: pick, say why, preview, switch. */
async function switchLevel(to: string, reason: string) {
  await office.getByRole('link', { name: '规则' }).click();
  const card = office.getByTestId('level-card');
  await card.waitFor();
  await card.getByLabel('切换到').selectOption({ label: to });
  await card.getByLabel('修改原因').fill(reason);
  await card.getByRole('button', { name: '预览影响' }).click();
  await card.getByTestId('level-impact').waitFor();
  await card.getByRole('button', { name: '切换级别' }).click();
  await card
    .getByRole('status')
    .filter({ hasText: `已切换为「${to}」` })
    .waitFor();
  // The page reloads the rules after the switch: done when the badge names the new level.
  await expect.poll(() => card.getByTestId('level-current').textContent(), { timeout: 10_000 }).toBe(to);
}

/** Events the server holds for a pass. */
async function serverEvents(passId: string) {
  const db = (await import('better-sqlite3')).default;
  const conn = new db(server.databasePath, { readonly: true });
  try {
    return conn
      .prepare('select type, verdict, disagreement from gate_events where pass_id = ? order by seq')
      .all(passId) as { type: string; verdict: string; disagreement: number }[];
  } finally {
    conn.close();
  }
}

describe('campus alert levels', () => {
  it('the office switches 封闭 → 常态 and back; a tablet takes each with its next snapshot', async () => {
    const idle = await openGate(w, null);
    try {
      const level = idle.page.getByTestId('level');
      expect(await level.getAttribute('data-level')).toBe('closed');
      expect(await level.textContent()).toBe('防控级别：封闭');

      await switchLevel('常态', '疫情解除，恢复常态管理');
      expect(await office.getByTestId('level-current').getAttribute('data-level')).toBe('ordinary');
      // The policy editor opens on the level in force: 常态 asks a filed visitor for no health code.
      const editor = office.getByTestId('policy-editor');
      await expect.poll(() => editor.getByRole('tab', { selected: true }).textContent()).toContain('常态');
      expect(await editor.getByLabel('健康码 · 备案访客').isChecked()).toBe(false);
      await screenshot(office, 'levels-rules-zh');
      await office.getByRole('button', { name: 'English' }).click();
      await office.getByTestId('policy-editor').waitFor();
      await screenshot(office, 'levels-rules-en');
      await office.getByRole('button', { name: '中文' }).click();

      // The tablet's next snapshot (a restart starts one at once) carries the level.
      await idle.page.reload();
      await expect.poll(() => level.getAttribute('data-level'), { timeout: 20_000 }).toBe('ordinary');
      await screenshot(idle.page, 'levels-kiosk-ordinary');

      // The live wall says which level is in force.
      await office.getByRole('link', { name: '实况' }).click();
      await expect
        .poll(() => office.getByTestId('live-level').textContent(), { timeout: 10_000 })
        .toBe('防控级别：常态');

      await switchLevel('封闭', '出现本地病例，封闭管理');
      await idle.page.reload();
      await expect.poll(() => level.getAttribute('data-level'), { timeout: 20_000 }).toBe('closed');
    } finally {
      await idle.browser.close();
    }
  });

  it('under 常态 a filed visitor is admitted with the scan and one tap; under 封闭 the notices’ full flow', async () => {
    await switchLevel('常态', '恢复常态管理');
    const easy = await issuePass(w, { name: '王小明' });
    const gate = await openGate(w, liveText(easy));
    try {
      await waitOrShoot(gate.page, '.entrant');
      await gate.resetTaps();
      // Only the ID glance is asked: no health code, no thermometer on screen.
      expect(
        await gate.page.locator('[data-step]').evaluateAll((s) => s.map((e) => e.getAttribute('data-step'))),
      ).toEqual(['id_match']);
      await screenshot(gate.page, 'levels-kiosk-ordinary-card');
      await gate.page.getByRole('button', { name: '相符' }).click();
      expect(await verdictOf(gate.page)).toEqual({ verdict: 'admit', reasons: [] });
      expect(await gate.taps()).toBe(1);
      const checks = gate.page.locator('.checks [data-check]');
      expect(
        await checks.evaluateAll((cs) => cs.map((c) => [c.getAttribute('data-check'), c.getAttribute('data-outcome')])),
      ).toEqual([
        ['snapshot', 'pass'],
        ['pass', 'pass'],
        ['block_list', 'pass'],
        ['health_code', 'not_required'],
        ['temperature', 'not_required'],
        ['nucleic_test', 'not_required'],
        ['commitment', 'not_required'],
        ['id_match', 'pass'],
      ]);
      expect(await gate.page.locator('[data-check=health_code]').textContent()).toContain('本级别不要求');
      await screenshot(gate.page, 'levels-kiosk-ordinary-admit');
      await gate.page.getByRole('button', { name: 'EN', exact: true }).click();
      await screenshot(gate.page, 'levels-kiosk-ordinary-admit-en');
      await expect
        .poll(() => serverEvents(easy.id), { timeout: 15_000 })
        .toEqual([{ type: 'decision', verdict: 'admit', disagreement: 0 }]);
    } finally {
      await gate.browser.close();
    }

    await switchLevel('封闭', '封闭管理');
    const full = await issuePass(w, { name: '赵小红' });
    const closedGate = await openGate(w, liveText(full));
    try {
      await waitOrShoot(closedGate.page, '.entrant');
      expect(await closedGate.page.getByTestId('level').getAttribute('data-level')).toBe('closed');
      await closedGate.resetTaps();
      await closedGate.page.getByRole('button', { name: '绿码' }).click();
      await closedGate.page.getByRole('button', { name: '36.5', exact: true }).click();
      expect(await verdictOf(closedGate.page)).toEqual({ verdict: 'admit', reasons: [] });
      expect(await closedGate.taps()).toBe(2);
      expect(await closedGate.page.locator('[data-check=health_code]').getAttribute('data-outcome')).toBe('pass');
      await screenshot(closedGate.page, 'levels-kiosk-closed-admit');
    } finally {
      await closedGate.browser.close();
    }
  });

  it('the filing form asks for travel, contact, test and commitment only when the level in force does', async () => {
    const { context, page } = await newPage(browser, { baseURL: server.url, viewport: { width: 1440, height: 900 } });
    try {
      await signInAdmin(page, 'filer');
      const asked = async () => {
        const v = page.locator('[data-visitor="0"]');
        await v.getByLabel('由本部门代填（来访人无智能手机）').check();
        await v.getByRole('combobox', { name: '来源地（区县）' }).fill('朝阳');
        await v.getByRole('option', { name: /北京市 朝阳区/ }).click(); // out of town
        return v
          .locator('[data-field]')
          .evaluateAll((fs) => fs.map((f) => f.getAttribute('data-field')).filter((f) => !f?.startsWith('visitors.')));
      };
      await switchLevel('常态', '恢复常态管理');
      await page.getByRole('link', { name: '新建备案' }).click();
      expect(await asked()).toEqual([]);
      await screenshot(page, 'levels-filing-ordinary');
      await switchLevel('封闭', '封闭管理');
      await page.reload();
      // The commitment is not the department's to tick: the visitor signs it at the gate (or on their phone).
      expect(await asked()).toEqual(['visitedRegions', 'test', 'closeContact']);
      expect(await page.locator('[data-field=test] strong').textContent()).toBe('市外来访：48 小时内核酸检测');
      await screenshot(page, 'levels-filing-closed');
    } finally {
      await context.close();
    }
  });

  it('the office lets in a visitor whose home just became a risk area, with a named reason, from the review queue', async () => {
    const pass = await issuePass(w, { name: '孙小美', fromRegion: '420102' }); // Wuhan, with a test
    const api = await signInOver(server.url, 'office', PASSWORD);
    const added = await api('POST', '/api/v1/risk-areas', {
      regionCode: '420100',
      level: 'high',
      effectiveFrom: '2026-01-01',
      effectiveTo: null,
      reason: '通报',
    });
    expect(added.status).toBe(201);
    await office.getByRole('link', { name: '审核队列' }).click();
    await office.getByRole('tab', { name: '需复核' }).click();
    const item = office.locator('.queue-item').filter({ hasText: '孙小美' });
    await item.waitFor();
    await item.getByRole('button', { name: '批准' }).click();
    await item.locator('[data-code=checks_failed]').or(item.getByRole('alert')).first().waitFor();
    await item.getByRole('checkbox', { name: /孙小美/ }).check();
    await item.getByLabel('特批 孙小美 的理由').fill('已在当地解除管控，持证明');
    await screenshot(office, 'levels-review-override');
    await item.getByRole('button', { name: '批准' }).click();
    await expect.poll(() => item.count(), { timeout: 10_000 }).toBe(0);
    const detail = await api('GET', `/api/v1/requests/${pass.requestId}`);
    expect(detail.json.visitors[0].override).toMatchObject({ codes: ['risk_area_home'], by: '王老师' });
    expect(detail.json.visitors[0].pass.revoked).toBe(false);
  });

  // Last in the file: visits filed after it must sign the new version.
  it('publishes a new commitment only after a reason and a preview of what visitors will read', async () => {
    await office.getByRole('link', { name: '规则' }).click();
    const en = office.getByLabel('English', { exact: true });
    await en.fill('I declare that my health information is true and complete.');
    const card = office.locator('section.card').filter({ has: en });
    const publish = card.getByRole('button', { name: '发布新版本' });
    expect(await publish.isDisabled()).toBe(true);
    await card.getByLabel('修改原因').fill('按新通知修订英文文本');
    await card.getByRole('button', { name: '预览影响' }).click();
    await card.getByTestId('commitment-preview').filter({ hasText: 'health information is true' }).waitFor();
    await screenshot(office, 'levels-commitment-preview');
    await publish.click();
    await office.getByRole('status').filter({ hasText: 'v2' }).waitFor();
  });
});

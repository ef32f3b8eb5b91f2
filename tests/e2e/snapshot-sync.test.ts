import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveQrText, fromBase64Url } from '../../server/domain/pass';
import { wallClock } from '../../server/domain/dates';
import { launchBrowser, launchPersistent, newPage, screenshot } from '../helpers/browser';
import { residentId } from '../helpers/filing';
import {
  enrollOverApi,
  GUARD_PIN,
  issuePass,
  PASSWORD,
  setupGateWorld,
  verdictOf,
  waitOrShoot,
  type GateWorld,
} from '../helpers/gate';
import { signInOver } from '../helpers/http';
import { startServer, type RunningServer } from '../helpers/server';
import { writeQrVideo } from '../helpers/y4m';

let server: RunningServer;
let w: GateWorld;
const profiles: string[] = [];
beforeAll(async () => {
  server = await startServer();
  w = await setupGateWorld(server);
});
afterAll(async () => {
  await server?.cleanup();
  for (const p of profiles) rmSync(p, { recursive: true, force: true });
});

const visitor = (n: number, name: string) => ({
  name,
  idType: 'resident_id',
  idNumber: residentId(500 + n),
  phone: `1390000${String(n).padStart(4, '0')}`,
  fromRegion: '410105',
  visitedRegions: [],
  closeContact: false,
});

/** What the visitor's phone holds for the pass behind their link: the signed token and the live-code secret. */
async function passCode(link: string) {
  const view = (
    (await (await fetch(`${server.url}/api/v1/visit/${link.split('/').pop()}`)).json()) as { pass: unknown }
  ).pass as {
    token: string;
    codeSecret: string;
    stepSeconds: number;
  };
  return { token: view.token, secret: fromBase64Url(view.codeSecret)!, stepSeconds: view.stepSeconds };
}

/**
 * The same tablet (one browser profile, so its stored snapshot and cursor) started with `qr` in
 * front of its camera. The guard starts the shift after the tablet's first sync has answered:
 * an online tablet, on the incremental sync it makes at start and every minute.
 */
async function tabletShowing(profile: string, device: Awaited<ReturnType<typeof enrollOverApi>>, qr: string | null) {
  const ctx = await launchPersistent({ userDataDir: profile, cameraVideo: writeQrVideo(qr), baseURL: server.url });
  await ctx.addInitScript((stored: string) => {
    if (!localStorage.getItem('gatehouse.kiosk.device')) localStorage.setItem('gatehouse.kiosk.device', stored);
    localStorage.removeItem('gatehouse.kiosk.shift');
  }, JSON.stringify(device));
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  const synced = page.waitForResponse((r) => r.url().includes('/api/v1/kiosk/snapshot') && r.status() === 200);
  await page.goto('/kiosk/');
  const snapshot = (await (await synced).json()) as { full: boolean; passes: { id: string; revoked: boolean }[] };
  await page.getByRole('button', { name: '张师傅' }).click();
  for (const d of GUARD_PIN) await page.getByRole('button', { name: d, exact: true }).click();
  await page.getByRole('button', { name: '上岗' }).click();
  await page.locator('.kiosk-bar').waitFor();
  return { ctx, page, snapshot };
}

describe('an online tablet and a request edited after its last sync', () => {
  it('admits the visitor whose request was edited and re-approved, and refuses a pass revoked in that window', async () => {
    const filer = await signInOver(server.url, 'filer', PASSWORD);
    const office = await signInOver(server.url, 'office', PASSWORD);
    const today = wallClock(new Date(), 'Asia/Shanghai').date;
    const filing = (visitors: unknown[]) => ({
      visitDateFrom: today,
      timeFrom: '00:00',
      timeTo: '23:59',
      gateIds: [w.northId],
      purpose: '学术交流',
      destination: '计算机楼',
      escortName: '李老师',
      escortPhone: '13911112222',
      visitors,
    });
    const [a, b, c] = [visitor(1, '甲一'), visitor(2, '乙二'), visitor(3, '丙三')];
    const first = (await filer('POST', '/api/v1/requests', filing([a, b]))).json;
    await office('POST', `/api/v1/review/${first.id}/approve`, { note: null });
    const second = (await filer('POST', '/api/v1/requests', filing([c]))).json;
    const cPass = (await office('POST', `/api/v1/review/${second.id}/approve`, { note: null })).json.visitors[0].pass;
    const cCode = await passCode(cPass.link); // what C's phone holds before the pass is revoked

    const device = await enrollOverApi(w);
    const profile = mkdtempSync(join(tmpdir(), 'gatehouse-tablet-'));
    profiles.push(profile);
    const before = await tabletShowing(profile, device, null);
    expect(before.snapshot.passes).toHaveLength(3);
    await before.ctx.close();

    // While the tablet is away: a block-list hit revokes the first request's passes; the filer drops
    // the blocked visitor and enters the other again; the office approves; another pass is revoked.
    await office('POST', '/api/v1/blocklist', { idType: 'resident_id', idNumber: a.idNumber, reason: '冒用证件' });
    expect((await filer('PUT', `/api/v1/requests/${first.id}`, filing([b]))).status).toBe(200);
    const reapproved = (await office('POST', `/api/v1/review/${first.id}/approve`, { note: null })).json;
    const bLink = reapproved.visitors[0].pass.link as string;
    await office('POST', `/api/v1/passes/${cPass.id}/revoke`, { reason: '来访取消' });

    const bCode = await passCode(bLink);
    const admitted = await tabletShowing(
      profile,
      device,
      liveQrText(bCode.token, bCode.secret, new Date(), bCode.stepSeconds),
    );
    try {
      expect(admitted.snapshot.full).toBe(false); // the incremental sync brought it
      await waitOrShoot(admitted.page, '.entrant');
      expect(await admitted.page.locator('.entrant .visitor-name').textContent()).toBe('乙*');
      await admitted.page.getByRole('button', { name: '绿码' }).click();
      await admitted.page.getByRole('button', { name: '36.5', exact: true }).click();
      // The department entered this visitor: the commitment is signed on paper at the gate.
      await admitted.page.getByRole('button', { name: '已签纸质承诺书' }).click();
      expect(await verdictOf(admitted.page)).toEqual({ verdict: 'admit', reasons: [] });
      await screenshot(admitted.page, 'snapshot-sync-reapproved-admit');
    } finally {
      await admitted.ctx.close();
    }

    const refused = await tabletShowing(
      profile,
      device,
      liveQrText(cCode.token, cCode.secret, new Date(), cCode.stepSeconds),
    );
    try {
      expect(refused.snapshot.full).toBe(false);
      const v = await verdictOf(refused.page);
      expect(v).toEqual({ verdict: 'refuse', reasons: ['pass_revoked'] });
      await screenshot(refused.page, 'snapshot-sync-revoked-refuse');
    } finally {
      await refused.ctx.close();
    }
  });

  it('the office forces a resync from the tablet list, and sees a tablet whose copy diverged', async () => {
    await issuePass(w, { name: '丁四' }); // a pass for the tablet's copy to lose
    const device = await enrollOverApi(w);
    const profile = mkdtempSync(join(tmpdir(), 'gatehouse-tablet-'));
    profiles.push(profile);
    const tablet = await tabletShowing(profile, device, null);
    // The tablet's storage loses its passes behind the app's back; its next sync proves the copy wrong.
    await tablet.page.evaluate(() => {
      const snap = JSON.parse(localStorage.getItem('gatehouse.kiosk.snapshot')!);
      localStorage.setItem('gatehouse.kiosk.snapshot', JSON.stringify({ ...snap, passes: [] }));
    });
    await tablet.ctx.close();
    const again = await tabletShowing(profile, device, null);
    expect(again.snapshot.full).toBe(true);
    await again.ctx.close();

    const browser = await launchBrowser();
    try {
      for (const lang of ['zh', 'en'] as const) {
        const { page } = await newPage(browser, { baseURL: server.url });
        await page.goto('/admin/');
        await page.evaluate((l) => localStorage.setItem('gatehouse.admin.lang', l), lang);
        await page.goto('/admin/');
        await page.getByLabel(lang === 'zh' ? '用户名' : 'Username').fill('office');
        await page.getByLabel(lang === 'zh' ? '密码' : 'Password').fill(PASSWORD);
        await page.getByRole('button', { name: lang === 'zh' ? '登录' : 'Sign in' }).click();
        await page.getByRole('link', { name: lang === 'zh' ? '首页' : 'Home' }).waitFor(); // signed in
        await page.goto('/admin/devices');
        const row = page.locator(`tr[data-device="${device.deviceId}"]`);
        await expect
          .poll(() => row.locator('[data-snapshot-state]').textContent())
          .toContain(lang === 'zh' ? '不一致' : 'differed');
        if (lang === 'zh') {
          await row.getByRole('button', { name: '重新全量同步' }).click();
          await expect.poll(() => row.locator('[data-snapshot-state]').textContent()).toContain('下次联系时全量同步');
          // The office names the tablet for where it stands.
          await row.getByRole('button', { name: '改名' }).click();
          await row.getByLabel('平板名称（如：北门 左侧）').fill('北门 左侧');
          await row.getByRole('button', { name: '保存' }).click();
          await row.getByText('北门 左侧').waitFor();
        }
        await screenshot(page, `admin-devices-resync-${lang}`);
        await page.context().close();
      }
    } finally {
      await browser.close();
    }
    const resynced = await tabletShowing(profile, device, null);
    expect(resynced.snapshot.full).toBe(true);
    await resynced.ctx.close();
  });
});

import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { launchPersistent, screenshot } from '../helpers/browser';
import {
  enrollOverApi,
  GUARD_PIN,
  issuePass,
  liveText,
  setupGateWorld,
  verdictOf,
  waitOrShoot,
  type GateWorld,
} from '../helpers/gate';
import { startServer, type RunningServer } from '../helpers/server';
import { writeQrVideo } from '../helpers/y4m';

let server: RunningServer;
let w: GateWorld;
const profile = mkdtempSync(join(tmpdir(), 'gatehouse-tablet-'));

beforeAll(async () => {
  server = await startServer();
  w = await setupGateWorld(server);
});
afterAll(async () => {
  await server?.cleanup();
  rmSync(profile, { recursive: true, force: true });
});

/** Switches the tablet on with `qr` in front of its camera. */
async function tabletShowing(qr: string) {
  const ctx = await launchPersistent({ userDataDir: profile, cameraVideo: writeQrVideo(qr), baseURL: server.url });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  return { ctx, page };
}

async function admit(page: Page) {
  await waitOrShoot(page, '.entrant');
  await page.getByRole('button', { name: '绿码' }).click();
  await page.getByRole('button', { name: '36.5', exact: true }).click();
  expect((await verdictOf(page)).verdict).toBe('admit');
  await page.getByRole('button', { name: '下一位' }).click();
}

const serverEvents = () => {
  const db = new Database(server.databasePath, { readonly: true });
  try {
    return db
      .prepare("select id, seq, pass_id as passId, verdict from gate_events where type = 'decision' order by seq")
      .all() as { id: string; seq: number; passId: string; verdict: string }[];
  } finally {
    db.close();
  }
};

describe('an offline shift', () => {
  it('keeps admitting with the server stopped, survives a reload and a killed browser, and syncs every decision exactly once', async () => {
    const passes = [
      await issuePass(w, { name: '赵一' }),
      await issuePass(w, { name: '钱二' }),
      await issuePass(w, { name: '孙三' }),
    ];
    const device = await enrollOverApi(w);

    // Online: the tablet enrolls, loads its snapshot, the guard starts the shift, the service worker caches the app.
    let tablet: { ctx: BrowserContext; page: Page } = await tabletShowing(liveText(passes[0]!));
    await tablet.ctx.addInitScript((stored: string) => {
      if (!localStorage.getItem('gatehouse.kiosk.device')) localStorage.setItem('gatehouse.kiosk.device', stored);
    }, JSON.stringify(device));
    await tablet.page.goto('/kiosk/');
    await tablet.page.getByRole('button', { name: '张师傅' }).click();
    for (const d of GUARD_PIN) await tablet.page.getByRole('button', { name: d, exact: true }).click();
    await tablet.page.getByRole('button', { name: '上岗' }).click();
    await tablet.page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await expect.poll(() => tablet.page.evaluate(() => caches.keys().then((k) => k.length))).toBeGreaterThan(0);

    // The real server process stops.
    const port = server.port;
    expect(await server.stop()).toBe(0);

    // Offline: reload, still on shift, admit the first visitor.
    await tablet.page.reload();
    await admit(tablet.page);
    await expect.poll(() => tablet.page.getByTestId('net').textContent()).toContain('离线');
    await screenshot(tablet.page, 'kiosk-offline');

    // The tablet is killed mid-shift and switched on again, still with no server: two more visitors.
    await tablet.ctx.close();
    for (const p of passes.slice(1)) {
      tablet = await tabletShowing(liveText(p));
      await tablet.page.goto('/kiosk/');
      await admit(tablet.page);
      if (p !== passes.at(-1)) await tablet.ctx.close();
    }
    await expect.poll(() => tablet.page.getByTestId('net').textContent()).toContain('待上传 3 条');
    expect(serverEvents()).toEqual([]);

    // The server comes back on the same address: the tablet drains its outbox by itself.
    server = await startServer({ env: { PORT: String(port) }, databasePath: server.databasePath, dir: server.dir });
    await expect.poll(() => serverEvents().length, { timeout: 60_000, interval: 1000 }).toBe(3);
    await expect.poll(() => tablet.page.getByTestId('net').textContent(), { timeout: 30_000 }).not.toContain('待上传');
    const events = serverEvents();
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]); // per-device sequence without gaps
    expect(events.map((e) => e.passId).sort()).toEqual(passes.map((p) => p.id).sort()); // each decision exactly once
    expect(events.every((e) => e.verdict === 'admit')).toBe(true);
    await tablet.ctx.close();
  });
});

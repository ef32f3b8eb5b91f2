import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchPersistent, screenshot } from '../helpers/browser';
import {
  enrollOverApi,
  GUARD_PIN,
  issuePass,
  PASSWORD,
  setupGateWorld,
  verdictOf,
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

/** A tablet (a persistent browser profile, as a real one keeps its storage) enrolled at the north gate. */
async function tablet() {
  const device = await enrollOverApi(w);
  const profile = mkdtempSync(join(tmpdir(), 'gatehouse-tablet-'));
  profiles.push(profile);
  const ctx = await launchPersistent({ userDataDir: profile, cameraVideo: writeQrVideo(null), baseURL: server.url });
  await ctx.addInitScript((stored: string) => {
    if (!localStorage.getItem('gatehouse.kiosk.device')) localStorage.setItem('gatehouse.kiosk.device', stored);
  }, JSON.stringify(device));
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  await page.goto('/kiosk/');
  return { ctx, page, device };
}

async function startShift(page: Page, pin = GUARD_PIN) {
  await page.getByRole('button', { name: '张师傅' }).click();
  for (const d of pin) await page.getByRole('button', { name: d, exact: true }).click();
  await page.getByRole('button', { name: '上岗' }).click();
}

async function refuseCourier(page: Page) {
  await page.getByRole('button', { name: '快递' }).click();
  expect((await verdictOf(page)).verdict).toBe('refuse');
  await page.getByRole('button', { name: '下一位' }).click();
}

const pendingText = (page: Page) => page.getByTestId('net').textContent();

function serverRows(deviceId: number) {
  const db = new Database(server.databasePath, { readonly: true });
  try {
    return db.prepare('select id, seq from gate_events where device_id = ? order by seq').all(deviceId) as {
      id: string;
      seq: number;
    }[];
  } finally {
    db.close();
  }
}

async function stopServer() {
  const port = server.port;
  expect(await server.stop()).toBe(0);
  return () =>
    startServer({ env: { PORT: String(port) }, databasePath: server.databasePath, dir: server.dir }).then(
      (s) => (server = s),
    );
}

/** Puts `n` events into the tablet's outbox as eight hours of a busy gate would, continuing its numbering. */
async function queueBacklog(page: Page, n: number) {
  await page.evaluate(`new Promise((resolve, reject) => {
    const open = indexedDB.open('gatehouse-kiosk', 2);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const t = db.transaction(['outbox', 'meta'], 'readwrite', { durability: 'strict' });
      const meta = t.objectStore('meta');
      const get = meta.get('seq');
      get.onsuccess = () => {
        let seq = Number(get.result || 0);
        for (let i = 0; i < ${n}; i++) {
          seq += 1;
          t.objectStore('outbox').put({ id: crypto.randomUUID(), seq, type: 'decision', at: new Date().toISOString(), startedAt: null, guardUserId: null, passId: null,
            verdict: 'refuse', reasons: ['courier'], checks: [], ruleVersion: 1,
            input: { quickRefusal: 'courier', pass: { ok: true }, healthCode: null, temperatures: [], testRequired: false, testConfirmed: null, idConfirmed: null, snapshotFresh: true } });
        }
        meta.put(seq, 'seq');
        localStorage.setItem('gatehouse.kiosk.seq', String(seq));
      };
      t.oncomplete = () => { db.close(); resolve(undefined); };
      t.onerror = () => reject(t.error);
    };
  })`);
}

describe('a tablet offline', () => {
  it('starts a shift by PIN with no server, works in two tabs, and drains a 5,000-event backlog once, with a progress bar', async () => {
    const { ctx, page, device } = await tablet();
    const sent: string[] = [];
    // Every event id the tablet got a 200 for, whichever tab sent it: a second drainer would show as repeats.
    await ctx.route('**/api/v1/kiosk/events', async (route) => {
      const response = await route.fetch().catch(() => null);
      if (!response) return route.abort('connectionrefused'); // the server is down
      if (response.status() === 200)
        sent.push(...(JSON.parse(route.request().postData() ?? '{}').events ?? []).map((e: { id: string }) => e.id));
      await route.fulfill({ response });
    });
    await startShift(page);
    await page.locator('.kiosk-bar').waitFor();
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await expect.poll(() => page.evaluate(() => caches.keys().then((k) => k.length))).toBeGreaterThan(0);

    const restart = await stopServer();
    // The guard hands over: the next guard's PIN is checked on the tablet (a wrong one is refused).
    await page.getByRole('button', { name: '交班' }).click();
    await startShift(page, '1111');
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 20_000 }).toContain('PIN 错误');
    await page.getByRole('button', { name: '返回' }).click();
    await startShift(page);
    await page.locator('.kiosk-bar').waitFor({ timeout: 20_000 });

    await refuseCourier(page);
    const second = await ctx.newPage();
    await second.goto('/kiosk/'); // served by the service worker
    await second.locator('.kiosk-bar').waitFor();
    await refuseCourier(second);
    await refuseCourier(page);
    await expect.poll(() => pendingText(second)).toContain('待上传');

    await queueBacklog(page, 5000);
    await page.reload();
    await expect.poll(() => pendingText(page)).toContain('待上传 5003 条');
    await screenshot(page, 'kiosk-offline-backlog');

    await restart();
    const back = Date.now();
    // Whichever tab holds the drain lock shows the progress.
    const drainer = await Promise.any(
      [page, second].map((p) =>
        p
          .getByTestId('sync-progress')
          .waitFor({ timeout: 70_000 })
          .then(() => p),
      ),
    );
    const shown = Date.now();
    await screenshot(drainer, 'kiosk-sync-progress');
    await expect.poll(() => serverRows(device.deviceId).length, { timeout: 60_000, interval: 200 }).toBe(5003);
    const drained = Date.now();
    await expect.poll(() => pendingText(page), { timeout: 20_000 }).not.toContain('待上传');
    await expect.poll(() => pendingText(second), { timeout: 30_000 }).not.toContain('待上传');
    console.log(
      `backlog of 5,003: drain began ${shown - back} ms after the server was back (backoff), and took ${drained - shown} ms`,
    );

    const rows = serverRows(device.deviceId);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 5003 }, (_, i) => i + 1)); // no gaps, no repeats
    expect(sent).toHaveLength(5003); // two tabs, one drainer: nothing sent twice
    expect(new Set(sent).size).toBe(5003);
    await ctx.close();
  });

  it('pauses offline admits once its data is older than the office allows, and says why', async () => {
    await issuePass(w, { name: '周五' });
    const device = await enrollOverApi(w);
    const profile = mkdtempSync(join(tmpdir(), 'gatehouse-tablet-'));
    profiles.push(profile);
    const ctx = await launchPersistent({ userDataDir: profile, cameraVideo: writeQrVideo(null), baseURL: server.url });
    await ctx.addInitScript(
      (stored: string) => localStorage.setItem('gatehouse.kiosk.device', stored),
      JSON.stringify(device),
    );
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    await page.clock.install();
    await page.goto('/kiosk/');
    await startShift(page);
    await expect.poll(() => page.getByTestId('snapshot-age').textContent()).toContain('分钟前');
    const restart = await stopServer();
    await page.clock.fastForward('25:00:00'); // the default maximum age is 24 h
    await expect.poll(() => page.getByTestId('snapshot-age').textContent()).toContain('暂停离线放行');
    await page.getByRole('searchbox').fill('周');
    await page.getByRole('button', { name: /周\*/ }).click();
    const v = await verdictOf(page);
    expect(v.verdict).toBe('refuse');
    expect(v.reasons).toContain('snapshot_stale');
    await screenshot(page, 'kiosk-snapshot-stale');
    await restart();
    await ctx.close();
  });

  it('raises a sequence gap when the tablet’s outbox storage is evicted before it synced', async () => {
    const { ctx, page, device } = await tablet();
    await startShift(page);
    await refuseCourier(page); // seq 1, synced
    await expect.poll(() => serverRows(device.deviceId).length).toBe(1);
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    const restart = await stopServer();
    await refuseCourier(page); // seq 2, only on the tablet
    await expect.poll(() => pendingText(page)).toContain('待上传 1 条');
    // The browser evicts the tablet's IndexedDB (storage pressure): the event is gone.
    await page.evaluate(
      () =>
        new Promise((r) => {
          const q = indexedDB.deleteDatabase('gatehouse-kiosk');
          q.onsuccess = q.onerror = q.onblocked = r;
        }),
    );
    await page.reload();
    await restart();
    await refuseCourier(page); // seq 3: numbering continues, so the hole shows
    await expect
      .poll(() => serverRows(device.deviceId).map((r) => r.seq), { timeout: 70_000, interval: 500 })
      .toEqual([1, 3]);
    const office = await signInOver(server.url, 'office', PASSWORD);
    const alerts = (await office('GET', '/api/v1/alerts')).json as { type: string; deviceId: number; detail: string }[];
    expect(alerts.filter((a) => a.type === 'sequence_gap' && a.deviceId === device.deviceId)).toEqual([
      expect.objectContaining({ detail: 'missing 2–2' }),
    ]);
    await ctx.close();
  });
});

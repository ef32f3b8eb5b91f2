import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import qrcode from 'qrcode-generator';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../server/app';
import { launchBrowser, newPage } from '../helpers/browser';
import { freePort } from '../helpers/server';
import { writeSweepVideo, type SweepSegment } from '../helpers/y4m';

/**
 * The kiosk's camera scanner (kiosk/src/lib/camera.ts, as the kiosk runs it) in front of a fake
 * camera that holds codes up at every size a guard meets: from a fifth of the frame's short side
 * (a phone held at arm's length) to nearly all of it (a printed pass held close). The codes are
 * drawn by qrcode-generator, not by the `qrcode` package the product uses, and are as long as a
 * real pass's live code, so neither our encoder nor a short text flatters the scanner.
 */
const SHARES = [0.2, 0.3, 0.45, 0.6, 0.75, 0.9, 0.95];
// Off-centre: a small code near each corner, a middling one to each side.
const OFF_CENTRE: [number, [number, number]][] = [
  [0.3, [0.25, 0.25]],
  [0.3, [0.75, 0.75]],
  [0.3, [0.75, 0.25]],
  [0.3, [0.25, 0.75]],
  [0.45, [0.33, 0.5]],
  [0.45, [0.67, 0.5]],
];
const FRAMES = 24; // 1.6 s at 15 fps per stretch; the video loops

/** A text as long as a one-gate pass's live code (GH.<payload>.<signature>.<code>), unique per stretch. */
const passLike = (i: number) => `GH.${`sweep${i}`.padEnd(30, 'x')}.${'A'.repeat(86)}.${String(100000 + i)}`;

const matrix = (text: string) => {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  return { size: qr.getModuleCount(), isDark: (r: number, c: number) => qr.isDark(r, c) };
};

let dir: string;
let server: Server;
let url: string;

beforeAll(async () => {
  // The scanner module alone, built the way the kiosk's build bundles it, on a page of the kiosk's viewfinder size.
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-scanner-'));
  writeFileSync(
    join(dir, 'index.html'),
    `<!doctype html><meta charset="utf-8"><body style="margin:0">
     <div id="qr-view" style="width:732px"></div><script type="module" src="./main.ts"></script>`,
  );
  writeFileSync(
    join(dir, 'main.ts'),
    `import { createCameraScanner } from ${JSON.stringify(join(ROOT_DIR, 'kiosk/src/lib/camera.ts'))};
     const seen = (window.__seen = []);
     createCameraScanner('qr-view', { repeatAfterGoneMs: 0 })
       .start((text) => seen.push({ text, at: performance.now() }))
       .then(() => (window.__started = true), (e) => (window.__failed = String(e)));`,
  );
  await build({ root: dir, logLevel: 'warn', configFile: false, build: { outDir: join(dir, 'dist') } });
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  server = createServer((req, res) => {
    const path = join(dir, 'dist', req.url === '/' ? 'index.html' : req.url!.split('?')[0]!);
    let body: Buffer;
    try {
      body = readFileSync(path);
    } catch {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(body);
  });
  const port = await freePort();
  await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
  url = `http://127.0.0.1:${port}/`;
}, 120_000);

afterAll(() => {
  server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the camera scanner', () => {
  it('reads a pass-length code held at any size from a fifth to nearly all of the frame, centred or off-centre', async () => {
    const segments: (SweepSegment & { text: string; label: string })[] = [
      ...SHARES.map((share): [number, [number, number]] => [share, [0.5, 0.5]]),
      ...OFF_CENTRE,
    ].map(([share, at], i) => {
      const text = passLike(i);
      return { text, code: matrix(text), share, at, frames: FRAMES, label: `${share} at ${at.join(',')}` };
    });
    expect(segments[0]!.code.size).toBeGreaterThanOrEqual(45); // as dense as a real pass (version 7 or more)
    const browser = await launchBrowser({ cameraVideo: writeSweepVideo(segments) });
    try {
      const { page } = await newPage(browser, { baseURL: url, permissions: ['camera'] });
      await page.goto(url);
      await page.waitForFunction(() => (window as any).__started || (window as any).__failed);
      expect(await page.evaluate(() => (window as any).__failed ?? null)).toBeNull();
      // Three passes through the video at most: a stretch missed once is a stretch a guard waits on.
      const loop = (segments.length * FRAMES) / 15;
      const missing = async () => {
        const seen = new Set(await page.evaluate(() => (window as any).__seen.map((s: { text: string }) => s.text)));
        return segments.filter((s) => !seen.has(s.text)).map((s) => s.label);
      };
      const started = Date.now();
      await expect.poll(missing, { timeout: 3 * loop * 1000, interval: 500 }).toEqual([]);
      console.log(
        `all ${segments.length} stretches read within ${((Date.now() - started) / 1000).toFixed(1)} s (one pass of the video: ${loop.toFixed(1)} s)`,
      );
    } finally {
      await browser.close();
    }
  }, 180_000);
});

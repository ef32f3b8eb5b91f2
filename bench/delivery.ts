import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import { ROOT_DIR } from '../server/app';
import { chromium, demoServer, median, stop } from './visit-page';

/**
 * What the kiosk and the admin's sign-in page cost a first visit (issue 17): Lighthouse's performance
 * score and the bytes actually transferred (as served: compressed or not), mobile (simulated slow 4G,
 * 4× CPU) and desktop, beside the same pages built and served from BASELINE in the same run.
 */
const BASELINE = 'f991a0e'; // before the kiosk's split, pre-compressed files and API compression
const RUNS = 3;

interface Figures {
  score: number;
  fcpMs: number;
  transferBytes: number;
  scriptBytes: number;
}

async function measure(url: string, port: number, desktop: boolean): Promise<Figures> {
  const result = await lighthouse(
    url,
    { port, output: 'json', logLevel: 'error', onlyCategories: ['performance'] },
    desktop ? desktopConfig : undefined,
  );
  if (!result) throw new Error(`no Lighthouse result for ${url}`);
  const lhr = result.lhr;
  const items = (
    lhr.audits['network-requests']?.details as unknown as {
      items: { url: string; resourceType: string; transferSize: number }[];
    }
  ).items.filter((r) => r.url.startsWith('http://127.0.0.1'));
  return {
    score: Math.round((lhr.categories.performance?.score ?? 0) * 100),
    fcpMs: lhr.audits['first-contentful-paint']?.numericValue ?? Number.NaN,
    transferBytes: items.reduce((n, r) => n + r.transferSize, 0),
    scriptBytes: items.filter((r) => r.resourceType === 'Script').reduce((n, r) => n + r.transferSize, 0),
  };
}

async function measureMedian(name: string, url: string, desktop: boolean) {
  const port = 9400 + Math.floor(Math.random() * 500);
  const runs: Figures[] = [];
  for (let i = 0; i < RUNS; i++) {
    const browser = await chromium(port);
    try {
      runs.push(await measure(url, port, desktop));
    } finally {
      await browser.close();
    }
  }
  const m = (k: keyof Figures) => median(runs.map((r) => r[k]));
  console.log(
    `${name.padEnd(40)} ${desktop ? 'desktop' : 'mobile '} performance ${String(m('score')).padStart(3)}  FCP ${(m('fcpMs') / 1000).toFixed(2)} s  transferred ${(m('transferBytes') / 1024).toFixed(1)} KB (scripts ${(m('scriptBytes') / 1024).toFixed(1)} KB)  [${runs.map((r) => r.score).join(', ')}]`,
  );
}

async function pages(label: string, root: string) {
  const server = await demoServer(root);
  try {
    for (const desktop of [false, true]) {
      await measureMedian(`${label}: kiosk (/kiosk/, enrollment)`, `${server.url}/kiosk/`, desktop);
      await measureMedian(`${label}: admin sign-in (/admin/)`, `${server.url}/admin/`, desktop);
    }
  } finally {
    await stop(server);
  }
}

export async function benchDelivery() {
  console.log(`\nFirst loads, Lighthouse, median of ${RUNS} (bytes as transferred):`);
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-baseline-'));
  try {
    execFileSync('sh', ['-c', `git -C "${ROOT_DIR}" archive ${BASELINE} | tar -x -C "${dir}"`]);
    symlinkSync(join(ROOT_DIR, 'node_modules'), join(dir, 'node_modules'));
    for (const app of ['kiosk', 'admin'])
      execFileSync(
        process.execPath,
        [join(ROOT_DIR, 'node_modules/vite/bin/vite.js'), 'build', '-c', `${app}/vite.config.ts`],
        {
          cwd: dir,
          stdio: 'ignore',
        },
      );
    await pages(`before (${BASELINE})`, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await pages('now', ROOT_DIR);
}

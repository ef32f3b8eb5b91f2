import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import lighthouse from 'lighthouse';
import { ROOT_DIR } from '../server/app';
import { DEMO_USERS } from '../server/demo/seed';
import { signInOver } from '../tests/helpers/http';
import { CHROMIUM_PATH } from '../tests/helpers/browser';

/**
 * The visitor's page on a phone on mobile data (issue 16): Lighthouse's mobile form factor with its
 * default (simulated) throttling, beside the pass page as it was before, built from BASELINE in
 * the same run. Figures: the performance score, LCP, CLS, and the JavaScript a first load fetches,
 * as bytes gzip makes of it (the server does not compress yet: issue 17), medians of RUNS runs.
 */
const BASELINE = '573e023'; // the last commit with the admin app's /pass/ page
const RUNS = 3;

interface Server {
  url: string;
  link: string;
  child: ChildProcess;
  dir: string;
}

/** A demo server from `root` on a free port and a fresh database; answers the visitor's link it prints. */
export async function demoServer(root: string): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-lh-'));
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'server/main.ts'), '--demo'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_PATH: join(dir, 'demo.db'),
      SKIP_FRONTEND_BUILD: 'true',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += String(d)));
  child.stderr?.on('data', (d) => (out += String(d)));
  const link = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no demo link in 60 s:\n${out}`)), 60_000);
    child.stdout?.on('data', () => {
      const m = /(http:\/\/127\.0\.0\.1:\d+\/(?:pass|v)\/[A-Za-z0-9_-]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
  return { url: new URL(link).origin, link, child, dir };
}

export async function stop(s: Server) {
  s.child.kill('SIGTERM');
  await new Promise((r) => s.child.once('exit', r));
  rmSync(s.dir, { recursive: true, force: true });
}

/** Headless Chromium with a DevTools port for Lighthouse. */
export async function chromium(port: number) {
  const profile = mkdtempSync(join(tmpdir(), 'gatehouse-lh-chrome-'));
  const child = spawn(
    CHROMIUM_PATH,
    [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      `--remote-debugging-port=${port}`,
      `--user-data-dir=${profile}`,
      'about:blank',
    ],
    // Its own process group: the browser's helper processes go with it.
    { stdio: 'ignore', detached: true },
  );
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/json/version`)).ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    async close() {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid!, 'SIGKILL');
      await exited;
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}

interface Figures {
  score: number;
  lcpMs: number;
  cls: number;
  jsGzipBytes: number;
  jsBytes: number;
}

/** One Lighthouse run (mobile, simulated throttling: its defaults) and the first load's scripts, gzipped here. */
async function measure(url: string, port: number, assetsRoot: string): Promise<Figures> {
  const result = await lighthouse(url, { port, output: 'json', logLevel: 'error', onlyCategories: ['performance'] });
  if (!result) throw new Error(`no Lighthouse result for ${url}`);
  const lhr = result.lhr;
  const requests = (
    lhr.audits['network-requests']?.details as unknown as { items: { url: string; resourceType: string }[] }
  ).items;
  let jsGzipBytes = 0;
  let jsBytes = 0;
  for (const r of requests.filter((x) => x.resourceType === 'Script')) {
    const file = readFileSync(join(assetsRoot, new URL(r.url).pathname.replace(/^\/admin\//, '')));
    jsBytes += file.length;
    jsGzipBytes += gzipSync(file, { level: 9 }).length;
  }
  return {
    score: Math.round((lhr.categories.performance?.score ?? 0) * 100),
    lcpMs: lhr.audits['largest-contentful-paint']?.numericValue ?? Number.NaN,
    cls: lhr.audits['cumulative-layout-shift']?.numericValue ?? Number.NaN,
    jsGzipBytes,
    jsBytes,
  };
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measureMedian(name: string, url: string, assetsRoot: string) {
  const port = 9400 + Math.floor(Math.random() * 500);
  const runs: Figures[] = [];
  for (let i = 0; i < RUNS; i++) {
    const browser = await chromium(port);
    try {
      runs.push(await measure(url, port, assetsRoot));
    } finally {
      await browser.close();
    }
  }
  const m = {
    score: median(runs.map((r) => r.score)),
    lcpMs: median(runs.map((r) => r.lcpMs)),
    cls: median(runs.map((r) => r.cls)),
    jsGzipBytes: median(runs.map((r) => r.jsGzipBytes)),
    jsBytes: median(runs.map((r) => r.jsBytes)),
  };
  console.log(
    `${name.padEnd(44)} performance ${String(m.score).padStart(3)}  LCP ${(m.lcpMs / 1000).toFixed(2)} s  CLS ${m.cls.toFixed(3)}  first-load JS ${(m.jsGzipBytes / 1024).toFixed(1)} KB gzip (${(m.jsBytes / 1024).toFixed(1)} KB)  [${runs.map((r) => r.score).join(', ')}]`,
  );
  return m;
}

/** The pass page before issue 16, from BASELINE, built and served as it was. */
async function baselinePassPage() {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-baseline-'));
  try {
    execFileSync('sh', ['-c', `git -C "${ROOT_DIR}" archive ${BASELINE} | tar -x -C "${dir}"`]);
    symlinkSync(join(ROOT_DIR, 'node_modules'), join(dir, 'node_modules'));
    execFileSync(
      process.execPath,
      [join(ROOT_DIR, 'node_modules/vite/bin/vite.js'), 'build', '-c', 'admin/vite.config.ts'],
      {
        cwd: dir,
        stdio: 'ignore',
      },
    );
    const server = await demoServer(dir);
    try {
      return await measureMedian(`pass page before (${BASELINE}, /pass/…)`, server.link, join(dir, 'admin/dist'));
    } finally {
      await stop(server);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchVisitPage() {
  console.log(`\nThe visitor's page, Lighthouse mobile (simulated throttling), median of ${RUNS}:`);
  await baselinePassPage();
  const server = await demoServer(ROOT_DIR);
  try {
    await measureMedian('visitor page now: the pass (/v/…)', server.link, join(ROOT_DIR, 'admin/dist'));
    // A fresh invitation: the page a stranger opens first, with the form.
    const filer = DEMO_USERS.find((u) => u.role === 'filer')!;
    const api = await signInOver(server.url, filer.username, filer.password);
    const rules = (await api('GET', '/api/v1/rules')).json.rules as { leadDays: number };
    const gates = (await api('GET', '/api/v1/gates')).json as { id: number }[];
    const day = new Date(Date.now() + (rules.leadDays + 1) * 86_400_000).toISOString().slice(0, 10);
    const filed = await api('POST', '/api/v1/requests', {
      visitDateFrom: day,
      timeFrom: '09:00',
      timeTo: '17:00',
      gateIds: [gates[0]!.id],
      purpose: '学术交流',
      destination: '计算机楼 301',
      escortName: '李老师',
      escortPhone: '13911112222',
      visitors: [],
      invitations: [{ name: '王五', phone: '13700001111' }],
    });
    if (filed.status !== 201) throw new Error(`filing for the bench failed: ${JSON.stringify(filed.json)}`);
    await measureMedian(
      'visitor page now: the invitation (form)',
      `${server.url}${filed.json.invitations[0].link}`,
      join(ROOT_DIR, 'admin/dist'),
    );
  } finally {
    await stop(server);
  }
}

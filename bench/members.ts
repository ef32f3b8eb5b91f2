import Database from 'better-sqlite3';
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { buildStaleFrontends } from '../server/frontend-build';
import { ROOT_DIR } from '../server/app';
import { launchBrowser, newPage } from '../tests/helpers/browser';
import { enrollOverApi, setupGateWorld, type GateWorld } from '../tests/helpers/gate';
import { startServer } from '../tests/helpers/server';
import { percentile } from './lib';

/**
 * Issue 14: the tablet carries the whole campus's members. A snapshot without members (the
 * baseline) beside one with 30,000: bytes on the wire (gzip, as the kiosk asks) and raw, the
 * server's time to answer, the kiosk's time from opening to a stored snapshot (unthrottled and at
 * 4× CPU, Chromium's DevTools throttling), then an incremental sync after 100 changes.
 */
const MEMBERS = 30_000;

/** GET the snapshot as a browser does (Accept-Encoding: gzip): the bytes on the wire and the time. */
function snapshotOverWire(url: string, token: string, since?: string) {
  return new Promise<{ wire: number; ms: number; encoding: string; cursor: string; members: number; raw: number }>(
    (resolve, reject) => {
      const start = performance.now();
      const u = new URL(`/api/v1/kiosk/snapshot${since ? `?since=${encodeURIComponent(since)}` : ''}`, url);
      const req = request(u, { headers: { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const ms = performance.now() - start;
          const encoding = String(res.headers['content-encoding'] ?? 'identity');
          const text = (encoding === 'gzip' ? gunzipSync(body) : body).toString('utf8');
          const json = JSON.parse(text) as { cursor: string; members: unknown[] };
          resolve({
            wire: body.length,
            ms,
            encoding,
            cursor: json.cursor,
            members: json.members.length,
            raw: text.length,
          });
        });
      });
      req.on('error', reject);
      req.end();
    },
  );
}

function seedMembers(dbPath: string, deptId: number, n: number) {
  const db = new Database(dbPath);
  db.pragma('busy_timeout = 10000');
  const now = Date.now();
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
  const member = db.prepare(
    `insert into members (number, name, type, department_id, unit, resident, id_hash, id_last4, phone, link_token, created_at, updated_at)
     values (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)`,
  );
  const leave = db.prepare(
    `insert into leaves (member_id, from_at, to_at, destination, reason, status, filed_at, decided_at) values (?, ?, ?, '410105', '回家', 'approved', ?, ?)`,
  );
  const checkIn = db.prepare('insert into member_check_ins (member_id, day, at, temperature) values (?, ?, ?, 36.5)');
  const surnames = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
  db.transaction(() => {
    for (let i = 1; i <= n; i++) {
      const id = Number(
        member.run(
          `2023${String(i).padStart(6, '0')}`,
          `${surnames[i % surnames.length]}${'明华芳伟娜'[i % 5]}${'一二三四'[i % 4]}`,
          i % 10 === 0 ? 'staff' : 'student',
          deptId,
          `计科${2300 + (i % 40)}`,
          randomBytes(32).toString('hex'),
          String(1000 + (i % 9000)),
          `138${String(i).padStart(8, '0')}`,
          randomBytes(24).toString('base64url'),
          now,
          now,
        ).lastInsertRowid,
      );
      // About one in ten has approved leave, and two in three checked in today.
      if (i % 10 === 3) leave.run(id, now - 3_600_000, now + 86_400_000, now, now);
      if (i % 3 !== 0) checkIn.run(id, day, now);
    }
  })();
  db.close();
}

/** 100 changes on the roster: 50 check-ins and 50 approved leaves. */
function change100(dbPath: string) {
  const db = new Database(dbPath);
  db.pragma('busy_timeout = 10000');
  const now = Date.now();
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
  // Members not checked in today and not on leave: each run changes another hundred.
  const ids = db
    .prepare(
      `select id from members m where not exists (select 1 from member_check_ins c where c.member_id = m.id and c.day = ?)
         and not exists (select 1 from leaves l where l.member_id = m.id) order by id limit 100`,
    )
    .pluck()
    .all(day) as number[];
  db.transaction(() => {
    for (const id of ids.slice(0, 50))
      db.prepare('insert into member_check_ins (member_id, day, at, temperature) values (?, ?, ?, 36.6)').run(
        id,
        day,
        now,
      );
    for (const id of ids.slice(50))
      db.prepare(
        `insert into leaves (member_id, from_at, to_at, destination, reason, status, filed_at, decided_at) values (?, ?, ?, '410105', '看病', 'approved', ?, ?)`,
      ).run(id, now, now + 3_600_000, now, now);
  })();
  db.close();
}

/** The kiosk opened with its credential and no snapshot: ms until the snapshot is stored (the app's own first sync). */
async function kioskFirstSync(w: GateWorld, cpu: 1 | 4, runs: number) {
  const samples: number[] = [];
  let storedChars = 0;
  const browser = await launchBrowser();
  try {
    for (let i = 0; i < runs; i++) {
      const device = await enrollOverApi(w);
      const { context, page } = await newPage(browser, { baseURL: w.server.url });
      await context.addInitScript((stored: string) => {
        if (!localStorage.getItem('gatehouse.kiosk.device')) localStorage.setItem('gatehouse.kiosk.device', stored);
      }, JSON.stringify(device));
      if (cpu > 1) {
        const cdp = await context.newCDPSession(page);
        await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpu });
      }
      const start = Date.now();
      await page.goto('/kiosk/');
      await waitForSnapshot(page);
      samples.push(Date.now() - start);
      storedChars = await page.evaluate(() => localStorage.getItem('gatehouse.kiosk.snapshot')?.length ?? 0);
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return { samples: samples.sort((a, b) => a - b), storedChars };
}

async function waitForSnapshot(page: Page, previousCursor?: string) {
  await page.waitForFunction(
    (prev) => {
      const s = localStorage.getItem('gatehouse.kiosk.snapshot');
      if (!s) return false;
      const cursor = (JSON.parse(s) as { cursor: string }).cursor;
      return prev ? cursor !== prev : true;
    },
    previousCursor,
    { timeout: 60_000, polling: 20 },
  );
}

/** An open kiosk holding the full snapshot: ms for the incremental sync after 100 changes (a reload syncs at start). */
async function kioskIncremental(w: GateWorld, dbPath: string) {
  const browser = await launchBrowser();
  try {
    const device = await enrollOverApi(w);
    const { context, page } = await newPage(browser, { baseURL: w.server.url });
    await context.addInitScript((stored: string) => {
      if (!localStorage.getItem('gatehouse.kiosk.device')) localStorage.setItem('gatehouse.kiosk.device', stored);
    }, JSON.stringify(device));
    await page.goto('/kiosk/');
    await waitForSnapshot(page);
    const before = await page.evaluate(
      () => (JSON.parse(localStorage.getItem('gatehouse.kiosk.snapshot')!) as { cursor: string }).cursor,
    );
    change100(dbPath);
    const start = Date.now();
    await page.reload();
    await waitForSnapshot(page, before);
    const ms = Date.now() - start;
    const members = await page.evaluate(
      () => (JSON.parse(localStorage.getItem('gatehouse.kiosk.snapshot')!) as { members: unknown[] }).members.length,
    );
    await context.close();
    return { ms, members };
  } finally {
    await browser.close();
  }
}

export async function benchMembers() {
  await buildStaleFrontends(ROOT_DIR, () => undefined);
  const server = await startServer();
  try {
    const w = await setupGateWorld(server);
    const device = await enrollOverApi(w);
    // Baseline: the same campus without members.
    const base = await snapshotOverWire(server.url, device.token);
    const baseKiosk = await kioskFirstSync(w, 1, 3);
    seedMembers(server.databasePath, w.deptId, MEMBERS);
    const full: Awaited<ReturnType<typeof snapshotOverWire>>[] = [];
    for (let i = 0; i < 5; i++) full.push(await snapshotOverWire(server.url, device.token));
    const f = full.at(-1)!;
    const serverMs = full.map((x) => x.ms).sort((a, b) => a - b);
    const kiosk1 = await kioskFirstSync(w, 1, 3);
    const kiosk4 = await kioskFirstSync(w, 4, 3);
    const cursor = f.cursor;
    change100(server.databasePath);
    const inc = await snapshotOverWire(server.url, device.token, cursor);
    const kInc = await kioskIncremental(w, server.databasePath);
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
    console.log(`\nMembers in the tablet's snapshot (${MEMBERS.toLocaleString('en')} members)`);
    console.log(
      `baseline, no members: ${kb(base.wire)} on the wire (${base.encoding}), ${kb(base.raw)} raw; kiosk first sync p50 ${percentile(baseKiosk.samples, 50)} ms`,
    );
    console.log(
      `full: ${f.members} members, ${kb(f.wire)} on the wire (${f.encoding}), ${kb(f.raw)} raw; server answer p50 ${percentile(serverMs, 50).toFixed(0)} ms, max ${serverMs.at(-1)!.toFixed(0)} ms`,
    );
    console.log(
      `kiosk first sync (open → snapshot stored): p50 ${percentile(kiosk1.samples, 50)} ms, max ${kiosk1.samples.at(-1)} ms unthrottled; p50 ${percentile(kiosk4.samples, 50)} ms, max ${kiosk4.samples.at(-1)} ms at 4× CPU; stored ${kb(kiosk1.storedChars)} of localStorage (chars)`,
    );
    console.log(
      `incremental after 100 changes: ${inc.members} members sent, ${kb(inc.wire)} on the wire, ${inc.ms.toFixed(0)} ms server; kiosk reload → merged ${kInc.ms} ms (${kInc.members} members held)`,
    );
  } finally {
    await server.cleanup();
  }
}

// `npx tsx bench/members.ts` runs this one alone.
if (process.argv[1]?.endsWith('members.ts')) await benchMembers();

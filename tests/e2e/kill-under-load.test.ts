import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { signInOver } from '../helpers/http';
import { quickRefusalEvent } from '../helpers/kiosk';
import { startServer, type RunningServer } from '../helpers/server';

const ADMIN_PASSWORD = 'admin-password-for-tests';
const TABLETS = 10;
const CHECK_INS = 2000;
const CONCURRENCY = 50;

interface CrashRun {
  killedAfterAcks: number;
  acked: Set<string>;
  stored: Set<string>;
  integrity: string;
  rowsAfterResend: number;
  distinctAfterResend: number;
}

async function enrollTablets(server: RunningServer) {
  const admin = await signInOver(server.url, 'admin', ADMIN_PASSWORD);
  const campus = (await admin('POST', '/api/v1/campuses', { name: '测试校区', timezone: 'Asia/Shanghai' })).json;
  const gate = (await admin('POST', '/api/v1/gates', { campusId: campus.id, code: 'north', name: '北门' })).json;
  const tablets: { token: string }[] = [];
  for (let i = 0; i < TABLETS; i++) {
    const { code } = (await admin('POST', '/api/v1/devices/enrollments', { gateId: gate.id })).json;
    const res = await fetch(`${server.url}/api/v1/kiosk/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, name: `平板${i}` }),
    });
    tablets.push((await res.json()) as { token: string });
  }
  return tablets;
}

const checkIn = (seq: number) => quickRefusalEvent(seq, 'courier');

async function post(url: string, token: string, events: unknown[]) {
  const res = await fetch(`${url}/api/v1/kiosk/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ events }),
  });
  if (res.status !== 200) throw new Error(`ingest answered ${res.status}`);
  return (await res.json()) as { acked: string[]; duplicates: string[] };
}

/**
 * 2,000 check-ins from 10 tablets, 50 in flight at once, each its own request; the server is
 * SIGKILLed when a random number of them has been acknowledged. The real server then starts on
 * the same file, and the file is read directly.
 */
async function crashRun(entry: string): Promise<CrashRun> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-crash-'));
  const databasePath = join(dir, 'gatehouse.db');
  try {
    const server = await startServer({ entry, databasePath, dir });
    const tablets = await enrollTablets(server);
    const work = Array.from({ length: CHECK_INS }, (_, i) => ({
      tablet: tablets[i % TABLETS]!,
      event: checkIn(Math.floor(i / TABLETS) + 1),
    }));
    const killedAfterAcks = 100 + Math.floor(Math.random() * (CHECK_INS - 200));
    const acked = new Set<string>();
    let next = 0;
    let killed: Promise<unknown> | null = null;
    const worker = async () => {
      while (next < work.length && !killed) {
        const { tablet, event } = work[next++]!;
        try {
          const res = await post(server.url, tablet.token, [event]);
          for (const id of [...res.acked, ...res.duplicates]) acked.add(id);
        } catch {
          return; // the server is gone
        }
        if (acked.size >= killedAfterAcks && !killed) killed = server.stop('SIGKILL');
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await (killed ?? server.stop('SIGKILL'));

    const restarted = await startServer({ databasePath, dir });
    try {
      const db = new Database(databasePath, { readonly: true });
      const stored = new Set(db.prepare('select id from gate_events').pluck().all() as string[]);
      const integrity = db.pragma('integrity_check', { simple: true }) as string;
      db.close();
      // The tablets re-send everything they hold: each check-in ends up stored exactly once.
      for (let i = 0; i < work.length; i += 200) {
        const byTablet = new Map<string, unknown[]>();
        for (const w of work.slice(i, i + 200))
          byTablet.set(w.tablet.token, [...(byTablet.get(w.tablet.token) ?? []), w.event]);
        await Promise.all([...byTablet].map(([token, events]) => post(restarted.url, token, events)));
      }
      const after = new Database(databasePath, { readonly: true });
      const { n, d } = after.prepare('select count(*) n, count(distinct id) d from gate_events').get() as {
        n: number;
        d: number;
      };
      after.close();
      return { killedAfterAcks, acked, stored, integrity, rowsAfterResend: n, distinctAfterResend: d };
    } finally {
      await restarted.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const lost = (r: CrashRun) => [...r.acked].filter((id) => !r.stored.has(id));

describe('kill -9 under load', () => {
  it('keeps every acknowledged check-in through SIGKILL at random points, with an intact database (3 runs)', async () => {
    for (let run = 0; run < 3; run++) {
      const r = await crashRun('server/main.ts');
      console.log(
        `crash run ${run + 1}: killed after ${r.killedAfterAcks} acks; ${r.acked.size} acknowledged, ${r.stored.size} stored, ${lost(r).length} lost`,
      );
      expect(r.acked.size).toBeGreaterThanOrEqual(r.killedAfterAcks);
      expect(lost(r)).toEqual([]);
      expect(r.integrity).toBe('ok');
      expect({ rows: r.rowsAfterResend, distinct: r.distinctAfterResend }).toEqual({
        rows: CHECK_INS,
        distinct: CHECK_INS,
      });
    }
  }, 180_000);

  it('catches a server that acknowledges before it commits: acknowledged check-ins are lost', async () => {
    const r = await crashRun('tests/helpers/ack-before-commit-server.ts');
    console.log(
      `ack-before-commit: killed after ${r.killedAfterAcks} acks; ${r.acked.size} acknowledged, ${r.stored.size} stored, ${lost(r).length} lost`,
    );
    expect(lost(r).length).toBeGreaterThan(0);
  }, 90_000);
});

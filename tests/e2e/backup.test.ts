import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../server/app';
import { restoreDatabase, RestoreRefused } from '../../server/db/backup';
import { expectedSchemaVersion } from '../../server/db/open';
import { enrollOverApi, setupGateWorld } from '../helpers/gate';
import { quickRefusalEvent } from '../helpers/kiosk';
import { startServer, type RunningServer } from '../helpers/server';

/**
 * Issue 17, records that survive the machine: `npm run backup` under ingest load, `npm run restore`
 * on a fresh path, and the server starting on what was restored.
 */
const run = promisify(execFile);
const servers: RunningServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.cleanup()));
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});
const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};
const cli = (script: string, args: string[], env: Record<string, string>) =>
  run(process.execPath, ['--import', 'tsx', join(ROOT_DIR, 'server/cli', script), ...args], {
    cwd: ROOT_DIR,
    env: { ...process.env, ...env },
  });

describe('backup and restore', () => {
  it('copies a database under ingest load with every event acknowledged before it began, and the server starts on the restore', async () => {
    const server = await startServer();
    servers.push(server);
    const w = await setupGateWorld(server);
    const device = await enrollOverApi(w);
    let seq = 0;
    const acked = new Set<string>();
    let stop = false;
    // A tablet syncing batches of 20 the whole time.
    const load = (async () => {
      while (!stop) {
        const events = Array.from({ length: 20 }, () => quickRefusalEvent(++seq, 'courier'));
        const res = await fetch(`${server.url}/api/v1/kiosk/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${device.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ events }),
        });
        const body = (await res.json()) as { acked: string[] };
        for (const id of body.acked) acked.add(id);
      }
    })();
    await expect.poll(() => acked.size, { timeout: 20_000 }).toBeGreaterThan(200);
    const before = new Set(acked);
    const dir = join(tempDir('gatehouse-backup-'), 'b1');
    const keys = join(tempDir('gatehouse-keys-'), 'keys');
    const out = await cli('backup.ts', [dir, '--keys-to', keys], { DATABASE_PATH: server.databasePath });
    expect(out.stdout).toContain('Backed up');
    // The tablet went on syncing while the copy was taken.
    const during = acked.size;
    await expect.poll(() => acked.size, { timeout: 20_000 }).toBeGreaterThan(during);
    stop = true;
    await load;

    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.schemaVersion).toBe(expectedSchemaVersion());
    expect(manifest.counts.gate_events).toBeGreaterThanOrEqual(before.size);
    expect(manifest.keys).toEqual([
      expect.objectContaining({ name: 'id-hash.key', copiedTo: join(keys, 'id-hash.key') }),
    ]);
    expect(existsSync(join(dir, 'id-hash.key'))).toBe(false); // never next to the database copy

    const restoredDir = tempDir('gatehouse-restored-');
    const restored = join(restoredDir, 'gatehouse.db');
    writeFileSync(join(restoredDir, 'id-hash.key'), readFileSync(join(keys, 'id-hash.key')));
    const r = await cli('restore.ts', [dir], { DATABASE_PATH: restored });
    expect(r.stdout).toContain('Restored the backup');
    expect(r.stderr).not.toContain('key file in place is not');
    const db = new Database(restored, { readonly: true });
    expect(db.prepare('pragma integrity_check').pluck().get()).toBe('ok');
    const ids = new Set(db.prepare('select id from gate_events').pluck().all() as string[]);
    db.close();
    expect([...before].filter((id) => !ids.has(id))).toEqual([]);

    const again = await startServer({ databasePath: restored, dir: restoredDir });
    servers.push(again);
    const health = await fetch(`${again.url}/healthz`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { schemaVersion: number }).schemaVersion).toBe(expectedSchemaVersion());
  });

  it('refuses a damaged backup, a newer schema, and an existing database without --replace', async () => {
    const server = await startServer();
    servers.push(server);
    const dir = join(tempDir('gatehouse-backup-'), 'b2');
    await cli('backup.ts', [dir], { DATABASE_PATH: server.databasePath });
    const target = join(tempDir('gatehouse-target-'), 'gatehouse.db');

    const manifestPath = join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    writeFileSync(manifestPath, JSON.stringify({ ...manifest, schemaVersion: expectedSchemaVersion() + 1 }));
    expect(() => restoreDatabase(dir, target)).toThrow(/newer than this server/);
    writeFileSync(manifestPath, JSON.stringify(manifest));

    const file = join(dir, 'gatehouse.db');
    const bytes = readFileSync(file);
    bytes[bytes.length - 100]! ^= 0xff;
    writeFileSync(file, bytes);
    expect(() => restoreDatabase(dir, target)).toThrow(RestoreRefused);
    expect(() => restoreDatabase(dir, target)).toThrow(/checksum/);
    bytes[bytes.length - 100]! ^= 0xff;
    writeFileSync(file, bytes);

    restoreDatabase(dir, target);
    expect(() => restoreDatabase(dir, target)).toThrow(/--replace/);
    const second = restoreDatabase(dir, target, { replace: true, now: new Date('2026-11-29T10:00:00Z') });
    expect(second.manifest.schemaVersion).toBe(expectedSchemaVersion());
    expect(existsSync(`${target}.before-restore-2026-11-29T10-00-00-000Z`)).toBe(true);
    const refused = await cli('restore.ts', [dir], { DATABASE_PATH: target }).catch(
      (e: { stderr: string; code: number }) => e,
    );
    expect(refused).toMatchObject({ code: 1 });
    expect((refused as { stderr: string }).stderr).toContain('Refused');
  });
});

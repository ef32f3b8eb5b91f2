import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { expectedSchemaVersion } from './open';

/**
 * Copies of the database that survive the machine. A copy is taken with `VACUUM INTO`: one read
 * transaction, so it is consistent while the server runs and tablets sync (WAL readers do not block
 * the writer), and compact. The key file is not copied next to it (a database copy and its key
 * together are everything): the manifest names it with a fingerprint, and `--keys-to` copies it to
 * a place of its own.
 */
export const DATABASE_FILE = 'gatehouse.db';
export const MANIFEST_FILE = 'manifest.json';

/** Tables whose row counts the manifest records: what a restore can be checked against. */
const COUNTED = [
  'gate_events',
  'visit_requests',
  'visitors',
  'passes',
  'members',
  'leaves',
  'daily_reports',
  'audit_log',
  'users',
  'devices',
] as const;

export interface BackupManifest {
  format: 1;
  createdAt: string;
  schemaVersion: number;
  database: { file: string; bytes: number; sha256: string };
  counts: Record<string, number>;
  /** Key files this database needs, by fingerprint: store them apart from the copy. */
  keys: { name: string; sha256: string; copiedTo: string | null }[];
}

export const sha256File = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

const schemaOf = (db: Database.Database) =>
  (db.prepare('select count(*) as n from __drizzle_migrations').get() as { n: number }).n;

/** Takes a consistent copy of the open database into `dir` (created, must be empty) with its manifest. */
export function backupDatabase(
  sqlite: Database.Database,
  dir: string,
  { keyFiles = [], keysTo = null, now = new Date() }: { keyFiles?: string[]; keysTo?: string | null; now?: Date } = {},
): BackupManifest {
  mkdirSync(dir, { recursive: true });
  if (readdirSync(dir).length) throw new Error(`${dir} is not empty: a backup goes into a folder of its own`);
  const file = join(dir, DATABASE_FILE);
  sqlite.prepare('vacuum into ?').run(file);
  const copy = new Database(file, { readonly: true });
  let counts: Record<string, number>;
  let schemaVersion: number;
  try {
    schemaVersion = schemaOf(copy);
    counts = Object.fromEntries(
      COUNTED.map((t) => [t, (copy.prepare(`select count(*) as n from ${t}`).get() as { n: number }).n]),
    );
  } finally {
    copy.close();
  }
  const keys = keyFiles
    .filter((k) => existsSync(k))
    .map((k) => {
      let copiedTo: string | null = null;
      if (keysTo) {
        mkdirSync(keysTo, { recursive: true, mode: 0o700 });
        copiedTo = join(keysTo, basename(k));
        copyFileSync(k, copiedTo);
      }
      return { name: basename(k), sha256: sha256File(k), copiedTo };
    });
  const manifest: BackupManifest = {
    format: 1,
    createdAt: now.toISOString(),
    schemaVersion,
    database: { file: DATABASE_FILE, bytes: readFileSync(file).length, sha256: sha256File(file) },
    counts,
    keys,
  };
  writeFileSync(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

export class RestoreRefused extends Error {}

/**
 * Puts a backup in place of `target` after checking it: the manifest, the file's checksum, SQLite's
 * integrity check, and a schema this server knows (never a newer one). An existing database is kept
 * beside it (`<target>.before-restore-<time>`) and only with `replace`; its WAL and shared memory go
 * with it. Answers the manifest and whether the key file in place is the one the backup names.
 */
export function restoreDatabase(
  dir: string,
  target: string,
  {
    replace = false,
    keyFile = null,
    now = new Date(),
  }: { replace?: boolean; keyFile?: string | null; now?: Date } = {},
) {
  const manifestPath = join(dir, MANIFEST_FILE);
  if (!existsSync(manifestPath)) throw new RestoreRefused(`${dir} holds no ${MANIFEST_FILE}: not a Gatehouse backup`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as BackupManifest;
  const file = join(dir, manifest.database.file);
  if (!existsSync(file)) throw new RestoreRefused(`${file} is missing`);
  if (sha256File(file) !== manifest.database.sha256)
    throw new RestoreRefused(`${file} does not match its checksum in the manifest: damaged or altered`);
  const known = expectedSchemaVersion();
  if (manifest.schemaVersion > known)
    throw new RestoreRefused(
      `The backup's schema version ${manifest.schemaVersion} is newer than this server's ${known}: restore it with the release that made it`,
    );
  const copy = new Database(file, { readonly: true });
  try {
    const integrity = copy.prepare('pragma integrity_check').pluck().all() as string[];
    if (integrity.join() !== 'ok') throw new RestoreRefused(`integrity_check: ${integrity.slice(0, 5).join('; ')}`);
    const schema = schemaOf(copy);
    if (schema !== manifest.schemaVersion)
      throw new RestoreRefused(`The file's schema version ${schema} is not the manifest's ${manifest.schemaVersion}`);
  } finally {
    copy.close();
  }
  if (existsSync(target)) {
    if (!replace)
      throw new RestoreRefused(`${target} exists: stop the server and pass --replace to put the backup in its place`);
    const aside = `${target}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`;
    renameSync(target, aside);
    for (const suffix of ['-wal', '-shm']) if (existsSync(target + suffix)) renameSync(target + suffix, aside + suffix);
  }
  copyFileSync(file, target);
  const keyMatches =
    keyFile && manifest.keys.length
      ? existsSync(keyFile) && manifest.keys.some((k) => k.sha256 === sha256File(keyFile))
      : null;
  return { manifest, keyMatches };
}

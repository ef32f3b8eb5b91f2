import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as schema from './schema';
import { projectRoot } from '../lib/paths';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };
export type Synchronous = 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';

export const MIGRATIONS_FOLDER = join(projectRoot(), 'server', 'db', 'migrations');

/**
 * 3.51.3 fixes a WAL-reset bug that can corrupt a database when two connections
 * checkpoint and write concurrently (sqlite.org/releaselog/3_51_3.html). Gates lose power
 * and run for years: refuse anything older.
 */
export const MIN_SQLITE_VERSION = '3.51.3';

export interface OpenOptions {
  synchronous?: Synchronous;
  busyTimeoutMs?: number;
}

export interface DbSettings {
  sqliteVersion: string;
  journalMode: string;
  synchronous: Synchronous;
  foreignKeys: boolean;
  busyTimeoutMs: number;
}

const SYNC_NAMES: Synchronous[] = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** Opens (creating the folder if needed) and configures a database; pragmas are read back, not assumed. */
export function openDatabase(path: string, { synchronous = 'FULL', busyTimeoutMs = 5000 }: OpenOptions = {}) {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  const sqliteVersion = (sqlite.prepare('select sqlite_version() as v').get() as { v: string }).v;
  if (compareVersions(sqliteVersion, MIN_SQLITE_VERSION) < 0) {
    sqlite.close();
    throw new Error(`SQLite ${sqliteVersion} is older than ${MIN_SQLITE_VERSION}; upgrade better-sqlite3`);
  }
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${synchronous}`);
  sqlite.pragma('foreign_keys = ON');
  // Deleted content is overwritten, so an erased visitor's name does not stay behind in free pages.
  sqlite.pragma('secure_delete = ON');
  sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`);
  const settings: DbSettings = {
    sqliteVersion,
    journalMode: String(sqlite.pragma('journal_mode', { simple: true })),
    synchronous: SYNC_NAMES[Number(sqlite.pragma('synchronous', { simple: true }))] ?? 'FULL',
    foreignKeys: Number(sqlite.pragma('foreign_keys', { simple: true })) === 1,
    busyTimeoutMs: Number(sqlite.pragma('busy_timeout', { simple: true })),
  };
  const db = drizzle(sqlite, { schema }) as Db;
  return { db, sqlite, settings };
}

/**
 * Applies committed migrations synchronously; returns the schema version (migrations applied).
 * Refuses a database newer than this release (a rollback must restore a backup, not run old code on
 * new tables). With `backupDir`, a database about to be migrated is first copied there (`VACUUM
 * INTO`, consistent): `pre-migration-v<from>-<time>.db`, the way back if the upgrade goes wrong.
 */
export function migrateDatabase(
  db: Db,
  { backupDir = null, now = new Date() }: { backupDir?: string | null; now?: Date } = {},
): { schemaVersion: number; backup: string | null } {
  const known = expectedSchemaVersion();
  const hasTable = db.$client
    .prepare("select 1 from sqlite_master where type = 'table' and name = '__drizzle_migrations'")
    .get();
  const from = hasTable ? schemaVersion(db) : 0;
  if (from > known)
    throw new Error(
      `The database's schema version ${from} is newer than this release's ${known}: run the release that made it, or restore a backup taken before the upgrade`,
    );
  let backup: string | null = null;
  if (backupDir && from > 0 && from < known) {
    mkdirSync(backupDir, { recursive: true });
    backup = join(backupDir, `pre-migration-v${from}-${now.toISOString().replace(/[:.]/g, '-')}.db`);
    db.$client.prepare('vacuum into ?').run(backup);
  }
  migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  return { schemaVersion: schemaVersion(db), backup };
}

/** The cheapest read that proves the database answers: the health probe's. */
export function pingDatabase(db: Db) {
  db.$client.prepare('select 1').get();
}

export function schemaVersion(db: Db): number {
  const row = db.$client.prepare('select count(*) as n from __drizzle_migrations').get() as { n: number };
  return row.n;
}

export const expectedSchemaVersion = () => readdirSync(MIGRATIONS_FOLDER).filter((f) => f.endsWith('.sql')).length;

/**
 * What a store function takes: the database itself or an open transaction, which read and write
 * alike. The one name for it (drizzle's transaction type is long and says nothing more).
 */
export type Tx = Pick<Db, 'select' | 'insert' | 'update' | 'delete' | 'run' | 'get' | 'all' | '$count'>;

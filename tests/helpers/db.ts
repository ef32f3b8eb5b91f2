import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateDatabase, openDatabase } from '../../server/db/open';

/** A real SQLite file, freshly migrated, private to the calling test file. */
export function createTestDb() {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  const path = join(dir, 'test.db');
  const { db, sqlite, settings } = openDatabase(path, { synchronous: 'FULL' });
  migrateDatabase(db);
  return {
    db,
    sqlite,
    settings,
    path,
    dir,
    cleanup() {
      sqlite.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

import { afterEach, describe, expect, it } from 'vitest';
import { compareVersions, expectedSchemaVersion, MIN_SQLITE_VERSION, schemaVersion } from '../../../server/db/open';
import { createTestDb } from '../../helpers/db';

let t: ReturnType<typeof createTestDb>;
afterEach(() => t?.cleanup());

describe('openDatabase', () => {
  it('runs WAL, foreign keys on, FULL sync and a busy timeout, read back from SQLite', () => {
    t = createTestDb();
    expect(t.settings).toMatchObject({
      journalMode: 'wal',
      synchronous: 'FULL',
      foreignKeys: true,
      busyTimeoutMs: 5000,
    });
    expect(compareVersions(t.settings.sqliteVersion, MIN_SQLITE_VERSION)).toBeGreaterThanOrEqual(0);
  });

  it('applies every committed migration', () => {
    t = createTestDb();
    expect(schemaVersion(t.db)).toBe(expectedSchemaVersion());
  });

  it('keeps the audit log append-only', () => {
    t = createTestDb();
    t.sqlite.prepare("insert into audit_log (at, actor_label, action, entity) values (1, 'x', 'a', 'e')").run();
    expect(() => t.sqlite.prepare("update audit_log set action = 'b'").run()).toThrow(/append-only/);
    expect(() => t.sqlite.prepare('delete from audit_log').run()).toThrow(/append-only/);
  });

  it('enforces foreign keys', () => {
    t = createTestDb();
    expect(() => t.sqlite.prepare("insert into gates (campus_id, code, name) values (999, 'x', 'x')").run()).toThrow(
      /FOREIGN KEY/,
    );
  });
});

describe('compareVersions', () => {
  it('orders dotted versions numerically', () => {
    expect(compareVersions('3.51.3', '3.51.3')).toBe(0);
    expect(compareVersions('3.51.2', '3.51.3')).toBe(-1);
    expect(compareVersions('3.100.0', '3.51.3')).toBe(1);
    expect(compareVersions('3.52', '3.51.9')).toBe(1);
  });
});

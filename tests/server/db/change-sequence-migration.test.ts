import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import { expectedSchemaVersion, MIGRATIONS_FOLDER, migrateDatabase, openDatabase } from '../../../server/db/open';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The committed migrations up to and including `lastIdx`: a database as an older release left it. */
function migrationsUpTo(lastIdx: number) {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-migrations-'));
  dirs.push(dir);
  cpSync(MIGRATIONS_FOLDER, dir, { recursive: true });
  const journal = JSON.parse(readFileSync(join(dir, 'meta/_journal.json'), 'utf8')) as { entries: { idx: number }[] };
  journal.entries = journal.entries.filter((e) => e.idx <= lastIdx);
  writeFileSync(join(dir, 'meta/_journal.json'), JSON.stringify(journal));
  return dir;
}

describe('migration 0008 (change counter, visitors’ links)', () => {
  it('upgrades a database of the old numbering without losing a link or moving the counter back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-upgrade-'));
    dirs.push(dir);
    const { db, sqlite } = openDatabase(join(dir, 'old.db'));
    migrate(db, { migrationsFolder: migrationsUpTo(7) });
    const now = Date.now();
    sqlite.exec(`
      insert into campuses (id, name) values (1, 'c');
      insert into gates (id, campus_id, code, name) values (1, 1, 'north', '北门');
      insert into departments (id, code, name) values (1, 'cs', '计算机学院');
      insert into visit_requests (id, department_id, filed_by_label, status, visit_date_from, visit_date_to, time_from, time_to, gate_ids, purpose, destination, escort_name, escort_phone, rule_version, created_at, updated_at)
        values (1, 1, 'filer', 'approved', '2026-11-21', '2026-11-21', '09:00', '17:00', '[1]', 'p', 'd', 'e', '139', 1, ${now}, ${now});
      insert into visitors (id, request_id, name, name_norm, id_type, id_hash, id_last4, phone, from_region, visited_regions, close_contact, out_of_city, checks)
        values (1, 1, '甲', '甲', 'resident_id', 'h1', '0001', '138', '410105', '[]', 0, 0, '[]'),
               (2, 1, '乙', '乙', 'resident_id', 'h2', '0002', '138', '410105', '[]', 0, 0, '[]');`);
    const pass = sqlite.prepare(
      `insert into passes (id, visitor_id, request_id, kid, token, code_secret, link_token, valid_from, valid_to, gate_ids, entries_allowed, printable, created_at) values (?, ?, 1, 1, 't', 's', ?, ${now}, ${now + 3_600_000}, '[1]', 1, 0, ?)`,
    );
    pass.run('00000000000000a1', 1, 'old-link-of-visitor-one-aaaa', now - 1000);
    pass.run('00000000000000a2', 1, 'newer-link-of-visitor-one-bb', now);
    sqlite.prepare("update passes set revoked_at = ? where id = '00000000000000a2'").run(now);
    const highest = (sqlite.prepare('select max(change_seq) n from passes').get() as { n: number }).n;
    expect(highest).toBe(3);

    migrateDatabase(db);
    const links = sqlite.prepare('select id, link_token l from visitors order by id').all() as {
      id: number;
      l: string;
    }[];
    expect(links[0]).toEqual({ id: 1, l: 'newer-link-of-visitor-one-bb' });
    expect(links[1]!.l).toMatch(/^[0-9a-f]{48}$/); // a visitor without a pass gets a fresh link
    expect(sqlite.prepare('select value from change_counter').get()).toEqual({ value: highest });
    sqlite.prepare("delete from passes where id = '00000000000000a2'").run();
    sqlite
      .prepare(
        `insert into passes (id, visitor_id, request_id, kid, token, code_secret, valid_from, valid_to, gate_ids, entries_allowed, printable, created_at) values ('00000000000000a3', 2, 1, 1, 't', 's', ${now}, ${now}, '[1]', 1, 0, ${now})`,
      )
      .run();
    expect(sqlite.prepare("select change_seq n from passes where id = '00000000000000a3'").get()).toEqual({
      n: highest + 2,
    });
    expect(sqlite.prepare('select seq, key from snapshot_tombstones').all()).toEqual([
      { seq: highest + 1, key: '00000000000000a2' },
    ]);
    sqlite.close();
  });
});

describe('upgrades (issue 17)', () => {
  it('copies the database before migrating it, and the copy opens at the old schema version', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-upgrade-'));
    dirs.push(dir);
    const { db, sqlite } = openDatabase(join(dir, 'old.db'));
    migrate(db, { migrationsFolder: migrationsUpTo(15) });
    sqlite.exec("insert into campuses (id, name) values (1, '测试校区')");
    const { schemaVersion, backup } = migrateDatabase(db, {
      backupDir: join(dir, 'backups'),
      now: new Date('2026-11-29T10:00:00Z'),
    });
    expect(schemaVersion).toBe(expectedSchemaVersion());
    expect(backup).toBe(join(dir, 'backups', 'pre-migration-v16-2026-11-29T10-00-00-000Z.db'));
    const copy = openDatabase(backup!);
    expect(copy.sqlite.prepare('select count(*) n from __drizzle_migrations').get()).toEqual({ n: 16 });
    expect(copy.sqlite.prepare('select name from campuses').get()).toEqual({ name: '测试校区' });
    copy.sqlite.close();
    // Up to date: no copy on the next start.
    expect(migrateDatabase(db, { backupDir: join(dir, 'backups') }).backup).toBeNull();
    sqlite.close();
  });

  it('refuses to start on a database newer than the release', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-upgrade-'));
    dirs.push(dir);
    const { db, sqlite } = openDatabase(join(dir, 'new.db'));
    migrateDatabase(db);
    sqlite
      .prepare("insert into __drizzle_migrations (hash, created_at) values ('from-a-later-release', ?)")
      .run(Date.now());
    expect(() => migrateDatabase(db)).toThrow(/newer than this release/);
    sqlite.close();
  });
});

/**
 * `npm run backup -- DIR [--keys-to KEYDIR]`: a consistent copy of the database the server uses
 * (same environment variables), taken while it runs and tablets sync, with a manifest (schema
 * version, row counts, checksum) and the key file named by its fingerprint. `--keys-to` copies the
 * key file to a separate place: keep it apart from the database copy.
 */
import { loadConfig } from '../env';
import { backupDatabase } from '../db/backup';
import { openDatabase } from '../db/open';
import { idHashKeyFile } from '../lib/secrets';

const args = process.argv.slice(2);
const keysAt = args.indexOf('--keys-to');
const keysTo = keysAt >= 0 ? (args[keysAt + 1] ?? null) : null;
const dir = args.find((a, i) => !a.startsWith('--') && (keysAt < 0 || i !== keysAt + 1));
if (!dir || (keysAt >= 0 && !keysTo)) {
  console.error('Usage: npm run backup -- DIR [--keys-to KEYDIR]');
  process.exit(2);
}
const config = loadConfig(process.env);
const { sqlite } = openDatabase(config.DATABASE_PATH, { synchronous: config.SQLITE_SYNCHRONOUS });
try {
  const keyFile = idHashKeyFile(config);
  const m = backupDatabase(sqlite, dir, { keyFiles: keyFile ? [keyFile] : [], keysTo });
  console.log(
    `Backed up ${config.DATABASE_PATH} (schema ${m.schemaVersion}, ${m.database.bytes} bytes, ${m.counts.gate_events} gate events) to ${dir}.`,
  );
  for (const k of m.keys)
    console.log(
      k.copiedTo
        ? `Key file ${k.name} copied to ${k.copiedTo}: keep it apart from the database copy.`
        : `Key file ${k.name} (sha256 ${k.sha256.slice(0, 16)}…) is NOT in the backup: copy it somewhere safe and separate (--keys-to).`,
    );
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
} finally {
  sqlite.close();
}

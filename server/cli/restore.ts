/**
 * `npm run restore -- DIR [--replace]`: puts a backup made by `npm run backup` in place of the
 * database the server uses (same environment variables), with the server stopped. Checks the
 * checksum, SQLite's integrity check and the schema version (never newer than this release); an
 * existing database is only replaced with `--replace`, and kept beside it.
 */
import { loadConfig } from '../env';
import { restoreDatabase, RestoreRefused } from '../db/backup';
import { idHashKeyFile } from '../lib/secrets';

const args = process.argv.slice(2);
const dir = args.find((a) => !a.startsWith('--'));
if (!dir) {
  console.error('Usage: npm run restore -- DIR [--replace]');
  process.exit(2);
}
const config = loadConfig(process.env);
try {
  const { manifest, keyMatches } = restoreDatabase(dir, config.DATABASE_PATH, {
    replace: args.includes('--replace'),
    keyFile: idHashKeyFile(config),
  });
  console.log(
    `Restored the backup of ${manifest.createdAt} (schema ${manifest.schemaVersion}, ${manifest.counts.gate_events} gate events) to ${config.DATABASE_PATH}. Start the server: it applies any newer migrations.`,
  );
  if (keyMatches === false)
    console.warn(
      'The key file in place is not the one this backup was taken with: restore that key file too, or ID numbers will not match and signing keys cannot be read.',
    );
} catch (err) {
  console.error(err instanceof RestoreRefused ? `Refused: ${err.message}` : String(err));
  process.exitCode = 1;
}

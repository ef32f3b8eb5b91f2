/**
 * `npm run rotate-signing-key -- "reason"`: the same rotation as the admin's button, for a campus IT
 * person at the server (a suspected key leak at night, a scheduled yearly rotation). Runs against
 * the database and key file the server uses (same environment variables), audit-logged as `cli`.
 */
import { loadConfig } from '../env';
import { migrateDatabase, openDatabase } from '../db/open';
import { recordAudit } from '../lib/audit';
import { deriveKey, loadIdHashKey } from '../lib/secrets';
import { publicKeys, rotateSigningKey } from '../passes/keys';
import { currentRules } from '../rules/store';

const reason = process.argv.slice(2).join(' ').trim();
if (reason.length < 2) {
  console.error('Usage: npm run rotate-signing-key -- "why the key is rotated"');
  process.exit(2);
}
const config = loadConfig(process.env);
const { db, sqlite } = openDatabase(config.DATABASE_PATH, { synchronous: config.SQLITE_SYNCHRONOUS });
migrateDatabase(db);
const wrap = deriveKey(loadIdHashKey(config), 'signing-key-wrap');
const now = new Date();
const out = db.transaction((tx) => {
  const { kid, rotated } = rotateSigningKey(tx, now, wrap, currentRules(tx).rules.clockToleranceMinutes * 60_000);
  const views = publicKeys(tx)
    .filter((k) => rotated.includes(k.kid))
    .map((k) => ({ kid: k.kid, acceptUntil: k.acceptUntil?.toISOString() ?? null }));
  recordAudit(tx, now, null, 'cli', {
    action: 'signing_key.rotate',
    entity: 'signing_key',
    entityId: kid,
    after: { kid, rotated: views },
    reason,
  });
  return { kid, rotated: views };
});
sqlite.close();
console.log(
  `New pass-signing key ${out.kid}. ${out.rotated.map((r) => `Key ${r.kid} verifies its passes until ${r.acceptUntil}, then is retired.`).join(' ')}`,
);

import { desc, isNull } from 'drizzle-orm';
import { signingKeys } from '../db/schema';
import { bytesToHex, hexToBytes, newPrivateKey, publicKeyOf } from '../domain/pass';
import type { Db } from '../db/open';

type Tx = Pick<Db, 'select' | 'insert'>;

/** Creates the first pass-signing key on first start; later keys come from rotation. */
export function ensureSigningKey(db: Tx, now: Date) {
  if (db.select().from(signingKeys).where(isNull(signingKeys.retiredAt)).get()) return;
  const last = db.select().from(signingKeys).orderBy(desc(signingKeys.kid)).limit(1).get();
  const privateKey = newPrivateKey();
  db.insert(signingKeys)
    .values({ kid: (last?.kid ?? 0) + 1, publicKey: bytesToHex(publicKeyOf(privateKey)), privateKey: bytesToHex(privateKey), createdAt: now })
    .run();
}

export function currentSigningKey(db: Tx) {
  const row = db.select().from(signingKeys).where(isNull(signingKeys.retiredAt)).orderBy(desc(signingKeys.kid)).limit(1).get();
  if (!row) throw new Error('No pass-signing key: ensureSigningKey runs at start-up');
  return { kid: row.kid, privateKey: hexToBytes(row.privateKey) };
}

/** Every public key, retired ones too: passes signed before a rotation stay verifiable. */
export function publicKeys(db: Pick<Db, 'select'>) {
  return db.select({ kid: signingKeys.kid, publicKey: signingKeys.publicKey, retiredAt: signingKeys.retiredAt }).from(signingKeys).all();
}

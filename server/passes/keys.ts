import { and, desc, eq, isNotNull, isNull, max, sql } from 'drizzle-orm';
import { passes, signingKeys } from '../db/schema';
import { bytesToHex, hexToBytes, newPrivateKey, publicKeyOf } from '../domain/pass';
import { isWrapped, unwrapSecret, wrapSecret } from '../lib/secrets';
import type { Tx } from '../db/open';

function insertKey(db: Tx, now: Date, wrapKey: Buffer) {
  const last =
    db
      .select({ kid: max(signingKeys.kid) })
      .from(signingKeys)
      .get()?.kid ?? 0;
  const privateKey = newPrivateKey();
  db.insert(signingKeys)
    .values({
      kid: last + 1,
      publicKey: bytesToHex(publicKeyOf(privateKey)),
      privateKey: wrapSecret(wrapKey, privateKey),
      createdAt: now,
    })
    .run();
  return last + 1;
}

/**
 * At start-up: wraps any private key an older release stored in the clear, and creates the first
 * key on a new database. Later keys come from rotateSigningKey.
 */
export function ensureSigningKey(db: Tx, now: Date, wrapKey: Buffer) {
  for (const k of db.select({ kid: signingKeys.kid, privateKey: signingKeys.privateKey }).from(signingKeys).all()) {
    if (!isWrapped(k.privateKey))
      db.update(signingKeys)
        .set({ privateKey: wrapSecret(wrapKey, hexToBytes(k.privateKey)) })
        .where(eq(signingKeys.kid, k.kid))
        .run();
  }
  if (
    !db
      .select()
      .from(signingKeys)
      .where(and(isNull(signingKeys.rotatedAt), isNull(signingKeys.retiredAt)))
      .get()
  )
    insertKey(db, now, wrapKey);
}

/** The key new passes are signed with: the newest one not rotated out. */
export function currentSigningKey(db: Tx, wrapKey: Buffer) {
  const row = db
    .select()
    .from(signingKeys)
    .where(and(isNull(signingKeys.rotatedAt), isNull(signingKeys.retiredAt)))
    .orderBy(desc(signingKeys.kid))
    .limit(1)
    .get();
  if (!row) throw new Error('No pass-signing key: ensureSigningKey runs at start-up');
  try {
    return { kid: row.kid, privateKey: unwrapSecret(wrapKey, row.privateKey) };
  } catch {
    throw new Error(
      `Pass-signing key ${row.kid} cannot be unwrapped: the key file (ID_HASH_KEY_FILE) is not the one it was wrapped with. Rotate the signing key (npm run rotate-signing-key).`,
    );
  }
}

/**
 * Rotation: a new key signs from now on; the old one stops signing and goes on verifying the passes
 * it signed until the last of them ends (plus the clock tolerance). Tablets receive that date with
 * the key and refuse it afterwards, offline too; the daily job then retires it for good.
 */
export function rotateSigningKey(db: Tx, now: Date, wrapKey: Buffer, toleranceMs: number) {
  const old = db
    .select()
    .from(signingKeys)
    .where(and(isNull(signingKeys.rotatedAt), isNull(signingKeys.retiredAt)))
    .all();
  for (const k of old) {
    const lastEnd =
      db
        .select({ t: max(passes.validTo) })
        .from(passes)
        .where(and(eq(passes.kid, k.kid), isNull(passes.revokedAt)))
        .get()?.t ?? null;
    const acceptUntil = new Date(Math.max(now.getTime(), (lastEnd?.getTime() ?? 0) + toleranceMs));
    db.update(signingKeys).set({ rotatedAt: now, acceptUntil }).where(eq(signingKeys.kid, k.kid)).run();
  }
  const kid = insertKey(db, now, wrapKey);
  return { kid, rotated: old.map((k) => k.kid) };
}

/** Keys rotated out whose last pass has ended: retired, no longer sent to tablets. */
export function retireSpentKeys(db: Tx, now: Date) {
  return db
    .update(signingKeys)
    .set({ retiredAt: now })
    .where(
      and(
        isNotNull(signingKeys.rotatedAt),
        isNull(signingKeys.retiredAt),
        sql`${signingKeys.acceptUntil} <= ${now.getTime()}`,
      ),
    )
    .run().changes;
}

/** The public keys tablets verify with: current and rotated-but-not-retired, each with the end of its acceptance. */
export function publicKeys(db: Tx) {
  return db
    .select({
      kid: signingKeys.kid,
      publicKey: signingKeys.publicKey,
      acceptUntil: signingKeys.acceptUntil,
      rotatedAt: signingKeys.rotatedAt,
      retiredAt: signingKeys.retiredAt,
    })
    .from(signingKeys)
    .where(isNull(signingKeys.retiredAt))
    .orderBy(signingKeys.kid)
    .all();
}

import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { normalizeIdNumber } from '../domain/id-number';
import type { Config } from '../env';

/**
 * The key of the keyed ID hash. It lives outside the database on purpose: a copied database
 * file alone must not let anyone test guesses of ID numbers against the stored hashes.
 */
export function loadIdHashKey(config: Config): Buffer {
  if (config.ID_HASH_KEY) return Buffer.from(config.ID_HASH_KEY, 'hex');
  const file = idHashKeyFile(config)!;
  if (existsSync(file)) {
    const hex = readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/i.test(hex)) throw new Error(`${file} does not hold a 64-hex-character key`);
    return Buffer.from(hex, 'hex');
  }
  mkdirSync(dirname(file), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}

/** Where the key file is (null when the key comes from the environment instead). */
export const idHashKeyFile = (config: Config) =>
  config.ID_HASH_KEY ? null : (config.ID_HASH_KEY_FILE ?? join(dirname(config.DATABASE_PATH), 'id-hash.key'));

/** HMAC-SHA-256 of type and normalised number: equal documents give equal hashes, nothing else leaks. */
export const idHash = (key: Buffer, idType: string, idNumber: string) =>
  createHmac('sha256', key)
    .update(`${idType}:${normalizeIdNumber(idNumber)}`)
    .digest('hex');

/**
 * Every other server secret is derived from that one key file (HKDF-SHA-256, one label each), so
 * one file outside the database protects them all: the filing fingerprints, the wrapping of the
 * pass-signing keys and of the notification channels' passwords, robot keys and webhook secrets,
 * the members' live-code key and the tablets' name-lookup keys. Losing the file means new signing keys, re-shown member codes and
 * unmatched block-list hashes, not a leak.
 */
export type KeyPurpose = 'idempotency' | 'signing-key-wrap' | 'notification-secrets' | 'member-codes' | 'name-lookup';
export const deriveKey = (master: Buffer, purpose: KeyPurpose) =>
  Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `gatehouse:${purpose}`, 32));

/** HMAC-SHA-256 as hex: fingerprints of personal data that a copied database cannot test guesses against. */
export const keyedDigest = (key: Buffer, data: string) => createHmac('sha256', key).update(data).digest('hex');

const WRAP_PREFIX = 'gcm1.';
export const isWrapped = (text: string) => text.startsWith(WRAP_PREFIX);

/** AES-256-GCM with a random 96-bit nonce (NIST SP 800-38D): `gcm1.` + base64url(nonce | ciphertext | tag). */
export function wrapSecret(key: Buffer, plain: Uint8Array): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return WRAP_PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

export function unwrapSecret(key: Buffer, wrapped: string): Buffer {
  if (!isWrapped(wrapped)) throw new Error('unwrapSecret: not a wrapped secret');
  const raw = Buffer.from(wrapped.slice(WRAP_PREFIX.length), 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
}

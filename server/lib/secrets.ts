import { createHmac, randomBytes } from 'node:crypto';
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
  const file = config.ID_HASH_KEY_FILE ?? join(dirname(config.DATABASE_PATH), 'id-hash.key');
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

/** HMAC-SHA-256 of type and normalised number: equal documents give equal hashes, nothing else leaks. */
export const idHash = (key: Buffer, idType: string, idNumber: string) =>
  createHmac('sha256', key).update(`${idType}:${normalizeIdNumber(idNumber)}`).digest('hex');

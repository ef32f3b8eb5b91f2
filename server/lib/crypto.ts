import { hash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

/** A random token for cookies, bearer credentials and links: 32 bytes, base64url. */
export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');

/**
 * Tokens are stored only as their SHA-256: a leaked database holds no usable credential.
 * One-shot `hash` (Node ≥ 20.12): every tablet request hashes its token, and this is half the
 * cost of building a Hash object.
 */
export const sha256 = (value: string) => hash('sha256', value, 'hex');

// scrypt parameters: N=2^15, r=8, p=1 is OWASP's minimum recommendation for scrypt.
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const KEY_LEN = 32;

/** `scrypt$N$r$p$salt$hash`, so the parameters can be raised later without breaking old hashes. */
export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password.normalize('NFKC'), salt, KEY_LEN, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export function verifyPassword(password: string, stored: string): boolean {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = scryptSync(password.normalize('NFKC'), Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT.maxmem,
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A hash computed once so that logins for unknown users cost the same as for known ones. */
let dummyHash: string | undefined;
export const dummyPasswordHash = () => (dummyHash ??= hashPassword(randomToken()));

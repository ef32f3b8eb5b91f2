import { fieldError } from './errors';
import { hash, randomBytes, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto';

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

function parseStored(stored: string) {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return null;
  return {
    salt: Buffer.from(salt, 'base64url'),
    expected: Buffer.from(hash, 'base64url'),
    options: { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem },
  };
}

const scryptAsync = (password: string, salt: Buffer, len: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, len, options, (err, key) => (err ? reject(err) : resolve(key))),
  );

/**
 * The same checks on libuv's thread pool: a request handler must not hold the event loop for a
 * scrypt (synchronous hashing let 5 sign-ins a second push /healthz from 4 ms to 155 ms).
 */
export async function verifyPasswordAsync(password: string, stored: string): Promise<boolean> {
  const s = parseStored(stored);
  if (!s) return false;
  const actual = await scryptAsync(password.normalize('NFKC'), s.salt, s.expected.length, s.options);
  return actual.length === s.expected.length && timingSafeEqual(actual, s.expected);
}

export async function hashPasswordAsync(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password.normalize('NFKC'), salt, KEY_LEN, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Why a password cannot be set for `username`, or null: blank (only spaces), or the username itself. */
export function passwordProblem(password: string, username: string): 'password_blank' | 'password_is_username' | null {
  if (password.trim() === '') return 'password_blank';
  if (password.trim().normalize('NFKC').toLowerCase() === username.trim().normalize('NFKC').toLowerCase())
    return 'password_is_username';
  return null;
}

/** A hash computed once so that logins for unknown users cost the same as for known ones. */
let dummyHash: string | undefined;
export const dummyPasswordHash = () => (dummyHash ??= hashPassword(randomToken()));

/** Throws the field error a form shows when `passwordProblem` finds one. */
export function assertPasswordFor(password: string, username: string, path: string[] = ['password']) {
  const problem = passwordProblem(password, username);
  if (problem)
    throw fieldError(
      path,
      problem,
      problem === 'password_blank' ? 'The password must not be only spaces' : 'The password must not be the username',
    );
}

/** Compares a presented secret with the configured one in constant time (hashes first: lengths may differ). */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(hash('sha256', given, 'buffer'), hash('sha256', expected, 'buffer'));
}

import { scryptAsync } from '@noble/hashes/scrypt.js';

const fromB64url = (s: string) =>
  Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4)), (c) =>
    c.charCodeAt(0),
  );

/**
 * Checks a guard's PIN against the server's verifier (`scrypt$N$r$p$salt$hash`, see
 * server/lib/crypto.ts) when the gate is offline. Async so the screen stays responsive during
 * scrypt's deliberate cost.
 */
export async function verifyPin(pin: string, verifier: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = verifier.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = fromB64url(hash);
  const actual = await scryptAsync(new TextEncoder().encode(pin.normalize('NFKC')), fromB64url(salt), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    dkLen: expected.length,
    maxmem: 64 * 1024 * 1024 + 1024,
  });
  let diff = actual.length ^ expected.length;
  for (let i = 0; i < expected.length; i++) diff |= (actual[i] ?? 0) ^ expected[i]!;
  return diff === 0;
}

import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

/**
 * The live part of a pass on the visitor's phone: a six-digit code of the current time step, so a
 * screenshot goes stale. Apart from pass.ts (signing and verifying, Ed25519) so that the phone's
 * page, which only shows its code, carries none of the verification code.
 */

export function toBase64Url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** The time step a code belongs to. */
export const timeStep = (now: Date, stepSeconds: number) => Math.floor(now.getTime() / 1000 / stepSeconds);

/** RFC 4226 dynamic truncation over HMAC-SHA-256 of the step: six digits. */
export function timeStepCode(secret: Uint8Array, step: number): string {
  const msg = new Uint8Array(8);
  new DataView(msg.buffer).setBigUint64(0, BigInt(step));
  const mac = hmac(sha256, secret, msg);
  const offset = mac[mac.length - 1]! & 0x0f;
  const bin = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return String(bin % 1_000_000).padStart(6, '0');
}

/** What the visitor's phone shows: the token plus the current code. */
export const liveQrText = (token: string, secret: Uint8Array, now: Date, stepSeconds: number) =>
  `${token}.${timeStepCode(secret, timeStep(now, stepSeconds))}`;

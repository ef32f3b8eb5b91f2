import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  fromBase64Url,
  liveCodeMatches,
  signatureRefusal,
  signPayload,
  type PassContext,
  type PassRefusal,
} from './pass';

/**
 * The member's credential: `GM.<payload>.<signature>` with the live code appended on the phone.
 * Payload bytes (big-endian): 0 version (1) · 1 key id · 2–5 member id · 6–7 serial · 8–11 valid-to
 * minute. The serial goes up when the office re-issues the link: tablets refuse an older one.
 */
export const CREDENTIAL_PREFIX = 'GM';
const CREDENTIAL_VERSION = 1;
const MINUTE = 60_000;

export interface CredentialClaims {
  kid: number;
  memberId: number;
  serial: number;
  validTo: Date;
}

export function encodeCredential(c: CredentialClaims): Uint8Array {
  const out = new Uint8Array(12);
  const view = new DataView(out.buffer);
  out[0] = CREDENTIAL_VERSION;
  out[1] = c.kid;
  view.setUint32(2, c.memberId);
  view.setUint16(6, c.serial);
  view.setUint32(8, Math.ceil(c.validTo.getTime() / MINUTE));
  return out;
}

function decodeCredential(bytes: Uint8Array): CredentialClaims | null {
  if (bytes.length !== 12 || bytes[0] !== CREDENTIAL_VERSION) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    kid: bytes[1]!,
    memberId: view.getUint32(2),
    serial: view.getUint16(6),
    validTo: new Date(view.getUint32(8) * MINUTE),
  };
}

export const signCredential = (claims: CredentialClaims, privateKey: Uint8Array) =>
  signPayload(CREDENTIAL_PREFIX, encodeCredential(claims), privateKey);

export function parseCredentialText(text: string) {
  const parts = text.trim().split('.');
  if (parts[0] !== CREDENTIAL_PREFIX || parts.length !== 4) return null;
  const payload = fromBase64Url(parts[1]!);
  const signature = fromBase64Url(parts[2]!);
  const code = parts[3]!;
  if (!payload || !signature || signature.length !== 64 || !/^\d{6}$/.test(code)) return null;
  const claims = decodeCredential(payload);
  return claims && { payload, signature, claims, code };
}

/** Whether a scanned text is a member's credential at all (the gate then takes the member's path). */
export const isCredentialText = (text: string) => text.trim().startsWith(`${CREDENTIAL_PREFIX}.`);

/**
 * A member's live-code secret, derived from the campus's member-code key (itself derived from the key
 * file, never stored) and the credential's serial: the tablets hold one key, not 30,000 secrets, and a
 * re-issued credential's old codes die with its serial.
 */
export const memberSecret = (key: Uint8Array, memberId: number, serial: number) =>
  hmac(sha256, key, new TextEncoder().encode(`member:${memberId}:${serial}`)).subarray(0, 20);

/** What the verifier knows of a member: the tablet's snapshot or the server's row. */
export interface CredentialHolder {
  serial: number;
  active: boolean;
}

export type CredentialVerdict = { ok: true; memberId: number } | { ok: false; reason: PassRefusal; memberId?: number };

/**
 * Verifies a scanned credential: signature, expiry, the member (known, active, this serial) and the
 * live code, which a credential always carries (a screenshot goes stale). Pure: the kiosk runs it offline.
 */
export function verifyCredential(
  text: string,
  ctx: Pick<PassContext, 'now' | 'publicKeys' | 'keyAcceptUntil' | 'stepSeconds' | 'skewSteps'> & {
    holder(memberId: number): CredentialHolder | undefined;
    memberCodeKey: Uint8Array;
  },
): CredentialVerdict {
  const trimmed = text.trim();
  const parsed = parseCredentialText(trimmed);
  if (!parsed)
    return {
      ok: false,
      reason: trimmed.split('.').length === 3 && isCredentialText(trimmed) ? 'code_required' : 'malformed',
    };
  const { claims } = parsed;
  const signature = signatureRefusal(parsed, ctx);
  if (signature === 'bad_signature') return { ok: false, reason: signature };
  if (signature) return { ok: false, reason: signature, memberId: claims.memberId };
  const memberId = claims.memberId;
  if (ctx.now > claims.validTo) return { ok: false, reason: 'expired', memberId };
  const holder = ctx.holder(memberId);
  if (!holder) return { ok: false, reason: 'unknown_pass', memberId };
  if (!holder.active || holder.serial !== claims.serial) return { ok: false, reason: 'revoked', memberId };
  return liveCodeMatches(memberSecret(ctx.memberCodeKey, memberId, holder.serial), parsed.code, ctx)
    ? { ok: true, memberId }
    : { ok: false, reason: 'stale_code', memberId };
}

import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { fromBase64Url, timeStep, timeStepCode, toBase64Url } from './live-code';

export { fromBase64Url, liveQrText, timeStep, timeStepCode, toBase64Url } from './live-code';

// noble's synchronous API needs a SHA-512; this module is the only place that sets it.
ed.hashes.sha512 = sha512;

/**
 * The visitor pass: a compact token signed with Ed25519, verifiable offline by any kiosk that
 * holds the public key. It carries no readable personal data, only ids, times and gates.
 *
 * Payload bytes (big-endian):
 *   0 version (1) · 1 key id · 2–9 pass id · 10–13 valid-from minute · 14–17 valid-to minute
 *   18 entries allowed · 19 flags (bit 0: printable) · 20 gate count n · 21.. n × uint16 gate id
 * Text: `GH.<payload b64url>.<signature b64url>` (~122 chars for one gate), and on the visitor's
 * phone `.<6-digit time-step code>` appended, so that a screenshot goes stale.
 */
export const PASS_VERSION = 1;
export const PASS_PREFIX = 'GH';

export interface PassClaims {
  kid: number;
  passId: string; // 16 hex characters
  validFrom: Date;
  validTo: Date;
  entries: number;
  printable: boolean;
  gateIds: number[];
}

/** Why a pass fails, in verification order; the kiosk's event schema is built from this list. */
export const PASS_REFUSALS = [
  'malformed',
  'unknown_key',
  'bad_signature',
  'not_yet_valid',
  'expired',
  'wrong_gate',
  'revoked',
  'unknown_pass',
  'no_entries_left',
  'code_required',
  'stale_code',
] as const;
export type PassRefusal = (typeof PASS_REFUSALS)[number];
/** Refusals that mean the code itself is not a pass we issued: a forgery or a tampered code, not a missing one. */
export const FORGED_PASS_REFUSALS: readonly PassRefusal[] = ['malformed', 'unknown_key', 'bad_signature'];

export type PassVerdict = { ok: true; claims: PassClaims } | { ok: false; reason: PassRefusal; claims?: PassClaims };

const MINUTE = 60_000;

export const hexToBytes = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
export const bytesToHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

export function encodeClaims(c: PassClaims): Uint8Array {
  const out = new Uint8Array(21 + 2 * c.gateIds.length);
  const view = new DataView(out.buffer);
  out[0] = PASS_VERSION;
  out[1] = c.kid;
  out.set(hexToBytes(c.passId), 2);
  view.setUint32(10, Math.floor(c.validFrom.getTime() / MINUTE));
  view.setUint32(14, Math.ceil(c.validTo.getTime() / MINUTE));
  out[18] = c.entries;
  out[19] = c.printable ? 1 : 0;
  out[20] = c.gateIds.length;
  c.gateIds.forEach((g, i) => view.setUint16(21 + 2 * i, g));
  return out;
}

export function decodeClaims(bytes: Uint8Array): PassClaims | null {
  if (bytes.length < 21 || bytes[0] !== PASS_VERSION) return null;
  const n = bytes[20]!;
  if (bytes.length !== 21 + 2 * n) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    kid: bytes[1]!,
    passId: bytesToHex(bytes.subarray(2, 10)),
    validFrom: new Date(view.getUint32(10) * MINUTE),
    validTo: new Date(view.getUint32(14) * MINUTE),
    entries: bytes[18]!,
    printable: (bytes[19]! & 1) === 1,
    gateIds: Array.from({ length: n }, (_, i) => view.getUint16(21 + 2 * i)),
  };
}

export const signPass = (claims: PassClaims, privateKey: Uint8Array) =>
  signPayload(PASS_PREFIX, encodeClaims(claims), privateKey);

export const publicKeyOf = (privateKey: Uint8Array) => ed.getPublicKey(privateKey);
export const newPrivateKey = () => ed.utils.randomSecretKey();

export interface ParsedPassText {
  token: string;
  payload: Uint8Array;
  signature: Uint8Array;
  claims: PassClaims;
  code: string | null;
}

export function parsePassText(text: string): ParsedPassText | null {
  const parts = text.trim().split('.');
  if (parts[0] !== PASS_PREFIX || parts.length < 3 || parts.length > 4) return null;
  const payload = fromBase64Url(parts[1]!);
  const signature = fromBase64Url(parts[2]!);
  const code = parts[3] ?? null;
  if (!payload || !signature || signature.length !== 64 || (code !== null && !/^\d{6}$/.test(code))) return null;
  const claims = decodeClaims(payload);
  if (!claims) return null;
  return { token: parts.slice(0, 3).join('.'), payload, signature, claims, code };
}

export interface PassContext {
  now: Date;
  gateId: number;
  publicKeys: ReadonlyMap<number, Uint8Array>;
  /** When a rotated-out key stops being accepted (the end of the last pass it signed); none for the current key. */
  keyAcceptUntil?: ReadonlyMap<number, Date>;
  isRevoked(passId: string): boolean;
  entriesUsed(passId: string): number;
  /** The pass's time-step secret, if this verifier knows the pass. */
  secretFor(passId: string): Uint8Array | undefined;
  stepSeconds: number;
  /** Whether printed passes (no live code) are accepted at all (office setting). */
  printedAllowed: boolean;
  /** Steps of clock difference tolerated between the visitor's phone and the verifier. */
  skewSteps?: number;
}

/**
 * Window, gate, revocation and entries of a pass already known to be genuine: the part of
 * verification the guard's manual lookup (by name or ID last four) shares with a scan.
 */
export function passStateVerdict(
  claims: PassClaims,
  ctx: Pick<PassContext, 'now' | 'gateId' | 'isRevoked' | 'entriesUsed'>,
): PassVerdict {
  const t = ctx.now.getTime();
  if (t < claims.validFrom.getTime()) return { ok: false, reason: 'not_yet_valid', claims };
  if (t > claims.validTo.getTime()) return { ok: false, reason: 'expired', claims };
  if (!claims.gateIds.includes(ctx.gateId)) return { ok: false, reason: 'wrong_gate', claims };
  if (ctx.isRevoked(claims.passId)) return { ok: false, reason: 'revoked', claims };
  if (ctx.entriesUsed(claims.passId) >= claims.entries) return { ok: false, reason: 'no_entries_left', claims };
  return { ok: true, claims };
}

/** What the server knows of a pass a tablet named: its own row, as it stood at the event's time. */
export interface PassRecord {
  passId: string;
  validFrom: Date;
  validTo: Date;
  gateIds: number[];
  entries: number;
  entriesUsed: number;
  revokedAt: Date | null;
}
/**
 * What the server's records can refute outright about a tablet's admit. Such an admit is kept and
 * alerted, but it uses no entry and puts nobody on the on-campus list. Revoked and no-entries-left
 * passes are not here: an offline gate could not know, and their own alerts say so.
 */
export const PASS_MISMATCHES = ['unknown_pass', 'wrong_gate', 'outside_window'] as const;
export type PassMismatch = (typeof PASS_MISMATCHES)[number];
export function passMismatchOf(reason: PassRefusal): PassMismatch | null {
  if (reason === 'unknown_pass' || reason === 'wrong_gate') return reason;
  return reason === 'not_yet_valid' || reason === 'expired' ? 'outside_window' : null;
}

/**
 * The server's check of a pass named by a synced event, with the same rules as the tablet's
 * (passStateVerdict): it exists, the gate is one of its gates, the event lies in its window (give
 * or take the clock tolerance), it was not revoked before the event, entries are left.
 */
export function recordedPassVerdict(
  rec: PassRecord | null,
  ctx: { at: Date; gateId: number; toleranceMs: number },
): { ok: true } | { ok: false; reason: PassRefusal } {
  if (!rec) return { ok: false, reason: 'unknown_pass' };
  const claims: PassClaims = {
    kid: 0,
    passId: rec.passId,
    printable: false,
    gateIds: rec.gateIds,
    entries: rec.entries,
    validFrom: new Date(rec.validFrom.getTime() - ctx.toleranceMs),
    validTo: new Date(rec.validTo.getTime() + ctx.toleranceMs),
  };
  const v = passStateVerdict(claims, {
    now: ctx.at,
    gateId: ctx.gateId,
    isRevoked: () => rec.revokedAt !== null && rec.revokedAt <= ctx.at,
    entriesUsed: () => rec.entriesUsed,
  });
  return v.ok ? { ok: true } : { ok: false, reason: v.reason };
}

/**
 * Verifies a scanned pass: signature, validity window, gate, revocation, entries used and the
 * live code, in that order; each failure has its own reason. Pure and synchronous: the kiosk
 * runs it offline. The server never sees the pass text of a synced event: it checks the pass the
 * event names with recordedPassVerdict above, the same window, gate, revocation and entry rules
 * (passStateVerdict) against its own row.
 */
export function verifyPass(text: string, ctx: PassContext): PassVerdict {
  const parsed = parsePassText(text);
  if (!parsed) return { ok: false, reason: 'malformed' };
  const { claims } = parsed;
  const signature = signatureRefusal(parsed, ctx);
  if (signature)
    return signature === 'bad_signature' ? { ok: false, reason: signature } : { ok: false, reason: signature, claims };
  const state = passStateVerdict(claims, ctx);
  if (!state.ok) return state;
  if (parsed.code === null) {
    return claims.printable && ctx.printedAllowed
      ? { ok: true, claims }
      : { ok: false, reason: 'code_required', claims };
  }
  const secret = ctx.secretFor(claims.passId);
  if (!secret) return { ok: false, reason: 'unknown_pass', claims };
  return liveCodeMatches(secret, parsed.code, ctx) ? { ok: true, claims } : { ok: false, reason: 'stale_code', claims };
}

/** The key and signature of a signed code (a pass or a member's credential): why it is not ours, or null. */
export function signatureRefusal(
  signed: { payload: Uint8Array; signature: Uint8Array; claims: { kid: number } },
  ctx: Pick<PassContext, 'now' | 'publicKeys' | 'keyAcceptUntil'>,
): 'unknown_key' | 'bad_signature' | null {
  const key = ctx.publicKeys.get(signed.claims.kid);
  if (!key) return 'unknown_key';
  const until = ctx.keyAcceptUntil?.get(signed.claims.kid);
  if (until && ctx.now > until) return 'unknown_key'; // a retired key: refused offline too
  try {
    return ed.verify(signed.signature, signed.payload, key) ? null : 'bad_signature';
  } catch {
    return 'bad_signature';
  }
}

/** Whether a phone's six-digit code is the secret's for now, give or take the tolerated clock steps. */
export function liveCodeMatches(
  secret: Uint8Array,
  code: string,
  ctx: Pick<PassContext, 'now' | 'stepSeconds' | 'skewSteps'>,
): boolean {
  const step = timeStep(ctx.now, ctx.stepSeconds);
  const skew = ctx.skewSteps ?? 1;
  for (let s = step - skew; s <= step + skew; s++) if (timeStepCode(secret, s) === code) return true;
  return false;
}

/** Signs any payload with a pass key, as `<prefix>.<payload>.<signature>`. */
export const signPayload = (prefix: string, payload: Uint8Array, privateKey: Uint8Array) =>
  `${prefix}.${toBase64Url(payload)}.${toBase64Url(ed.sign(payload, privateKey))}`;

/** RFC 8032, section 7.1, TEST 1: a public key, the empty message, and its signature. */
const RFC8032_TEST1 = {
  publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
  signature:
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
};
const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));

/**
 * Runs the scan path's cryptography once: Ed25519 verification (RFC 8032's first test vector) and a
 * live code. noble builds its point tables and the browser compiles the code on first use — 30 to 60 ms
 * in a fresh tablet browser, measured on the first visitor's scan (bench/kiosk.ts) — so a tablet calls
 * this when the shift starts, not at the gate. Answers whether the test vector verified: a self-test too.
 */
export function warmUpVerifier(): boolean {
  const ok = ed.verify(hex(RFC8032_TEST1.signature), new Uint8Array(0), hex(RFC8032_TEST1.publicKey));
  liveCodeMatches(new Uint8Array(16), '000000', { now: new Date(), stepSeconds: 30 });
  return ok;
}

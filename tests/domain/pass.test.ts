import { describe, expect, it } from 'vitest';
import { flipByte as flip } from '../helpers/tamper';
import {
  decodeClaims,
  encodeClaims,
  liveQrText,
  newPrivateKey,
  publicKeyOf,
  signPass,
  timeStep,
  timeStepCode,
  type PassClaims,
  type PassContext,
  verifyPass,
  warmUpVerifier,
} from '../../server/domain/pass';

const key = newPrivateKey();
const otherKey = newPrivateKey();
const secret = new Uint8Array(16).fill(7);
const NOW = new Date('2026-11-21T02:00:00Z');
const claims: PassClaims = {
  kid: 3,
  passId: '0123456789abcdef',
  validFrom: new Date('2026-11-21T00:00:00Z'),
  validTo: new Date('2026-11-21T10:00:00Z'),
  entries: 1,
  printable: false,
  gateIds: [1, 2],
};
const token = signPass(claims, key);
const ctx = (over: Partial<PassContext> = {}): PassContext => ({
  now: NOW,
  gateId: 1,
  publicKeys: new Map([[3, publicKeyOf(key)]]),
  isRevoked: () => false,
  entriesUsed: () => 0,
  secretFor: () => secret,
  stepSeconds: 30,
  printedAllowed: true,
  ...over,
});
const live = (at = NOW) => liveQrText(token, secret, at, 30);

describe('pass token', () => {
  it('round-trips its claims and stays short enough for a fast QR', () => {
    expect(decodeClaims(encodeClaims(claims))).toEqual(claims);
    expect(live().length).toBeLessThanOrEqual(150);
  });

  it('verifies a valid live pass', () => {
    expect(verifyPass(live(), ctx())).toMatchObject({ ok: true, claims: { passId: claims.passId } });
  });

  it.each([
    ['a flipped payload byte', () => flip(live(), 1, 12), 'bad_signature'],
    ['a flipped signature byte', () => flip(live(), 2, 10), 'bad_signature'],
    ['garbage', () => 'hello world', 'malformed'],
    ['a truncated token', () => live().slice(0, 60), 'malformed'],
  ])('refuses %s', (_name, text, reason) => {
    expect(verifyPass(text(), ctx())).toMatchObject({ ok: false, reason });
  });

  it('refuses a pass signed by a key the kiosk does not know', () => {
    expect(verifyPass(live(), ctx({ publicKeys: new Map([[4, publicKeyOf(key)]]) }))).toMatchObject({
      ok: false,
      reason: 'unknown_key',
    });
  });

  it('refuses a pass whose key id names another key', () => {
    expect(verifyPass(live(), ctx({ publicKeys: new Map([[3, publicKeyOf(otherKey)]]) }))).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('refuses outside its window, to the minute', () => {
    const before = new Date('2026-11-20T23:59:00Z');
    const after = new Date('2026-11-21T10:01:00Z');
    expect(verifyPass(liveQrText(token, secret, before, 30), ctx({ now: before }))).toMatchObject({
      ok: false,
      reason: 'not_yet_valid',
    });
    expect(verifyPass(liveQrText(token, secret, after, 30), ctx({ now: after }))).toMatchObject({
      ok: false,
      reason: 'expired',
    });
    const edge = new Date('2026-11-21T10:00:00Z');
    expect(verifyPass(liveQrText(token, secret, edge, 30), ctx({ now: edge })).ok).toBe(true);
  });

  it('refuses a pass for another gate', () => {
    expect(verifyPass(live(), ctx({ gateId: 3 }))).toMatchObject({ ok: false, reason: 'wrong_gate' });
  });

  it('refuses a revoked pass', () => {
    expect(verifyPass(live(), ctx({ isRevoked: (id) => id === claims.passId }))).toMatchObject({
      ok: false,
      reason: 'revoked',
    });
  });

  it('refuses a pass with no entries left', () => {
    expect(verifyPass(live(), ctx({ entriesUsed: () => 1 }))).toMatchObject({ ok: false, reason: 'no_entries_left' });
  });

  it('refuses a stale time-step code (a screenshot) but tolerates one step of clock skew', () => {
    const screenshot = liveQrText(token, secret, new Date(NOW.getTime() - 90_000), 30);
    expect(verifyPass(screenshot, ctx())).toMatchObject({ ok: false, reason: 'stale_code' });
    const phoneSlightlyBehind = liveQrText(token, secret, new Date(NOW.getTime() - 30_000), 30);
    expect(verifyPass(phoneSlightlyBehind, ctx()).ok).toBe(true);
  });

  it('requires the live code unless the pass is printable and printing is allowed', () => {
    expect(verifyPass(token, ctx())).toMatchObject({ ok: false, reason: 'code_required' });
    const printable = signPass({ ...claims, printable: true }, key);
    expect(verifyPass(printable, ctx()).ok).toBe(true);
    expect(verifyPass(printable, ctx({ printedAllowed: false }))).toMatchObject({ ok: false, reason: 'code_required' });
  });

  it('answers unknown_pass when the verifier holds no secret for it', () => {
    expect(verifyPass(live(), ctx({ secretFor: () => undefined }))).toMatchObject({
      ok: false,
      reason: 'unknown_pass',
    });
  });
});

describe('timeStepCode', () => {
  it('is six digits, stable within a step and different across steps', () => {
    const s = timeStep(NOW, 30);
    expect(timeStepCode(secret, s)).toMatch(/^\d{6}$/);
    expect(timeStepCode(secret, s)).toBe(timeStepCode(secret, timeStep(new Date(NOW.getTime() + 29_000), 30)));
    expect(timeStepCode(secret, s)).not.toBe(timeStepCode(secret, s + 1));
  });
});

describe('warmUpVerifier', () => {
  it('verifies RFC 8032’s first test vector (the tablet runs it when the shift starts, off the scan path)', () => {
    expect(warmUpVerifier()).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { decideAdmission, type AdmissionInput } from '../../server/domain/admission';
import { memberSecret, signCredential, verifyCredential } from '../../server/domain/credential';
import { liveQrText, newPrivateKey, publicKeyOf, signPass } from '../../server/domain/pass';
import { DEFAULT_RULES } from '../../server/domain/rules';

const rulesAt = (level: string) => ({ ...DEFAULT_RULES, level });

describe('a member’s credential', () => {
  const key = newPrivateKey();
  const memberCodeKey = new Uint8Array(32).fill(7);
  const now = new Date('2026-11-21T01:00:00Z');
  const token = signCredential({ kid: 1, memberId: 42, serial: 3, validTo: new Date('2026-11-28T00:00:00Z') }, key);
  const ctx = (over: Partial<Parameters<typeof verifyCredential>[1]> = {}) => ({
    now,
    publicKeys: new Map([[1, publicKeyOf(key)]]),
    stepSeconds: 30,
    memberCodeKey,
    holder: (id: number) => (id === 42 ? { serial: 3, active: true } : undefined),
    ...over,
  });
  const live = (serial = 3, at = now) => liveQrText(token, memberSecret(memberCodeKey, 42, serial), at, 30);

  it('verifies offline with the live code of its serial', () => {
    expect(verifyCredential(live(), ctx())).toEqual({ ok: true, memberId: 42 });
  });

  it('refuses what a screenshot or a re-issue leaves behind, and a visitor’s pass is not a credential', () => {
    expect(verifyCredential(live(3, new Date(now.getTime() - 5 * 60_000)), ctx())).toMatchObject({
      ok: false,
      reason: 'stale_code',
    });
    expect(verifyCredential(token, ctx())).toMatchObject({ ok: false, reason: 'code_required' });
    expect(verifyCredential(live(), ctx({ holder: () => ({ serial: 4, active: true }) }))).toMatchObject({
      reason: 'revoked',
    });
    expect(verifyCredential(live(), ctx({ holder: () => ({ serial: 3, active: false }) }))).toMatchObject({
      reason: 'revoked',
    });
    expect(verifyCredential(live(), ctx({ holder: () => undefined }))).toMatchObject({ reason: 'unknown_pass' });
    expect(verifyCredential(live(), ctx({ now: new Date('2026-12-01T00:00:00Z') }))).toMatchObject({
      reason: 'expired',
    });
    const forged = live().replace(/\.([A-Za-z0-9_-]{10})/, '.AAAAAAAAAA');
    expect(verifyCredential(forged, ctx()).ok).toBe(false);
    const pass = signPass(
      { kid: 1, passId: '0123456789abcdef', validFrom: now, validTo: now, entries: 1, printable: false, gateIds: [1] },
      key,
    );
    expect(verifyCredential(pass, ctx())).toMatchObject({ ok: false, reason: 'malformed' });
  });
});

describe('the engine on members', () => {
  const base: AdmissionInput = {
    pass: { ok: true },
    healthCode: { colour: 'green', method: 'seen_by_guard' },
    temperatures: [{ celsius: 36.5, method: 'forehead_ir', at: '2026-11-21T01:00:00Z' }],
    entrant: 'student',
    outOfCity: false,
    testConfirmed: null,
    idConfirmed: null,
    snapshotFresh: true,
    member: { resident: true, leave: false, checkedInToday: true, hold: false },
  };

  it('refuses a resident student’s exit without leave under the closed level, and not under the ordinary one', () => {
    const out = { ...base, direction: 'out' as const };
    expect(decideAdmission(out, rulesAt('closed'))).toMatchObject({ verdict: 'refuse', reasons: ['no_leave'] });
    expect(decideAdmission({ ...out, member: { ...base.member!, leave: true } }, rulesAt('closed')).verdict).toBe(
      'admit',
    );
    expect(decideAdmission(out, rulesAt('ordinary')).verdict).toBe('admit');
    // A student living off campus goes home every day.
    const dayStudent = decideAdmission({ ...out, member: { ...base.member!, resident: false } }, rulesAt('closed'));
    expect(dayStudent.verdict).toBe('admit');
    expect(dayStudent.checks.find((c) => c.code === 'leave')).toMatchObject({ outcome: 'not_applicable' });
    // Staff are not asked for leave at the gate.
    expect(decideAdmission({ ...out, entrant: 'staff' }, rulesAt('closed')).verdict).toBe('admit');
  });

  it('asks for today’s check-in where the level says so, and holds a member back from a risk area', () => {
    const noCheckIn = { ...base, member: { ...base.member!, checkedInToday: false } };
    expect(decideAdmission(noCheckIn, rulesAt('closed'))).toMatchObject({
      verdict: 'refuse',
      reasons: ['checkin_missing'],
    });
    expect(decideAdmission(noCheckIn, rulesAt('ordinary')).verdict).toBe('admit');
    expect(decideAdmission({ ...base, member: { ...base.member!, hold: true } }, rulesAt('ordinary'))).toMatchObject({
      verdict: 'refuse',
      reasons: ['risk_hold'],
    });
    // Entry keeps the level's checks: under the closed level the temperature is still asked.
    expect(decideAdmission({ ...base, temperatures: [] }, rulesAt('closed'))).toMatchObject({
      verdict: 'incomplete',
      next: 'temperature',
    });
  });
});

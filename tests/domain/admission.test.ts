import { describe, expect, it } from 'vitest';
import {
  decideAdmission,
  feverRetested,
  temperatureRules,
  temperatureVerdict,
  type AdmissionInput,
  type TemperatureReading,
} from '../../server/domain/admission';
import { policyFor } from '../../server/domain/policy';
import { DEFAULT_RULES } from '../../server/domain/rules';

const at = (min: number) => new Date(Date.UTC(2026, 10, 21, 1, min)).toISOString();
const r = (celsius: number, min = 0): TemperatureReading => ({ celsius, method: 'forehead_ir', at: at(min) });
const base: AdmissionInput = {
  pass: { ok: true },
  healthCode: { colour: 'green', method: 'seen_by_guard' },
  temperatures: [r(36.5)],
  testRequired: false,
  testConfirmed: null,
  idConfirmed: null,
  snapshotFresh: true,
};
/** The closed campus's fever protocol for a filed visitor: the notices' 37.3 °C with a re-test. */
const TR = temperatureRules(DEFAULT_RULES, policyFor(DEFAULT_RULES, 'visitor'));
const decide = (over: Partial<AdmissionInput>) => decideAdmission({ ...base, ...over }, DEFAULT_RULES);

describe('temperatureVerdict', () => {
  it('passes below the threshold and rests at or above it (37.3 °C)', () => {
    expect(temperatureVerdict([r(37.2)], TR).state).toBe('normal');
    expect(temperatureVerdict([r(37.3)], TR)).toMatchObject({ state: 'rest', retestAfter: at(5) });
  });

  it('never passes an implausible reading: 34.1 asks for a retake, then the retake counts', () => {
    expect(temperatureVerdict([r(34.1)], TR)).toEqual({ state: 'retake', celsius: 34.1 });
    expect(temperatureVerdict([r(34.1), r(36.4, 1)], TR).state).toBe('normal');
    expect(temperatureVerdict([r(43)], TR).state).toBe('retake');
  });

  it('lets the re-test after the rest decide, and ignores a reading taken during the rest', () => {
    expect(temperatureVerdict([r(37.6), r(36.8, 5)], TR)).toEqual({
      state: 'normal',
      celsius: 36.8,
      afterRest: true,
    });
    expect(temperatureVerdict([r(37.6), r(37.4, 6)], TR)).toEqual({ state: 'fever', celsius: 37.4 });
    expect(temperatureVerdict([r(37.6), r(36.8, 2)], TR).state).toBe('rest');
  });

  it('rounds each reading to 0.1 °C before the threshold, as the thermometer shows it: 37.25 rests, 37.24 passes', () => {
    expect(temperatureVerdict([r(37.25)], TR)).toMatchObject({ state: 'rest', celsius: 37.3 });
    expect(temperatureVerdict([r(37.24)], TR)).toEqual({ state: 'normal', celsius: 37.2 });
    expect(feverRetested(temperatureVerdict([r(37.25), r(36.9, 5)], TR))).toBe(true);
    expect(feverRetested(temperatureVerdict([r(37.24)], TR))).toBe(false);
  });

  it('follows the office’s threshold', () => {
    expect(temperatureVerdict([r(37.3)], { ...TR, thresholdC: 37.5 }).state).toBe('normal');
  });
});

describe('decideAdmission', () => {
  it('never shows a check as passed that rested on a failed pass, nor one it did not reach', () => {
    const forged = decide({ pass: { ok: false, reason: 'bad_signature' }, blocked: false, healthCode: undefined });
    const outcome = (code: string) => forged.checks.find((c) => c.code === code)?.outcome;
    expect(forged.verdict).toBe('refuse');
    expect(outcome('pass')).toBe('fail');
    expect(outcome('block_list')).toBe('not_done');
    expect(outcome('health_code')).toBe('not_done');
    expect(forged.checks.some((c) => c.code !== 'snapshot' && c.outcome === 'pass')).toBe(false);
    // A genuine pass refused for a red code: the block-list check stands, the temperature was never taken.
    const red = decide({ blocked: false, healthCode: { colour: 'red', method: 'seen_by_guard' }, temperatures: [] });
    expect(red.checks.find((c) => c.code === 'block_list')?.outcome).toBe('pass');
    expect(red.checks.find((c) => c.code === 'temperature')?.outcome).toBe('not_done');
  });

  it('admits a valid pass, a green code and a normal temperature', () => {
    const d = decide({});
    expect(d.verdict).toBe('admit');
    expect(d.checks.map((c) => [c.code, c.outcome])).toEqual([
      ['snapshot', 'pass'],
      ['pass', 'pass'],
      ['health_code', 'pass'],
      ['temperature', 'pass'],
      ['nucleic_test', 'not_applicable'],
      ['id_match', 'not_applicable'],
    ]);
  });

  it.each([
    [{ pass: { ok: false as const, reason: 'revoked' as const } }, 'pass_revoked'],
    [{ pass: { ok: false as const, reason: 'stale_code' as const } }, 'pass_stale_code'],
    [{ healthCode: { colour: 'red' as const, method: 'seen_by_guard' as const } }, 'code_red'],
    [{ healthCode: { colour: 'yellow' as const, method: 'seen_by_guard' as const } }, 'code_yellow'],
    [{ temperatures: [r(37.5), r(37.5, 5)] }, 'fever'],
    [{ testRequired: true, testConfirmed: false }, 'test_not_confirmed'],
    [{ idConfirmed: false }, 'id_mismatch'],
    [{ snapshotFresh: false }, 'snapshot_stale'],
  ])('refuses %o with %s', (over, reason) => {
    const d = decide(over);
    expect(d.verdict).toBe('refuse');
    expect(d.reasons).toContain(reason);
  });

  it('refuses a bad pass at once, before any other check', () => {
    const d = decide({ pass: { ok: false, reason: 'expired' }, healthCode: null, temperatures: [] });
    expect(d).toMatchObject({ verdict: 'refuse', reasons: ['pass_expired'], next: null });
  });

  it('stays incomplete and names the next step while checks are open', () => {
    expect(decide({ healthCode: null, temperatures: [] })).toMatchObject({
      verdict: 'incomplete',
      next: 'health_code',
    });
    expect(decide({ temperatures: [] })).toMatchObject({ verdict: 'incomplete', next: 'temperature' });
    expect(decide({ temperatures: [r(34.1)] })).toMatchObject({ verdict: 'incomplete', next: 'retake_temperature' });
    expect(decide({ temperatures: [r(37.8)] })).toMatchObject({ verdict: 'incomplete', next: 'rest' });
    expect(decide({ testRequired: true })).toMatchObject({ verdict: 'incomplete', next: 'nucleic_test' });
    expect(decide({ testRequired: true, testConfirmed: true }).verdict).toBe('admit');
  });

  it('refuses a visitor on the block list with its own reason, and records the check either way', () => {
    expect(decide({ blocked: true })).toMatchObject({ verdict: 'refuse', reasons: ['block_list'] });
    expect(decide({ blocked: false }).checks).toContainEqual({
      code: 'block_list',
      outcome: 'pass',
      detail: 'not_listed',
    });
    expect(decide({}).checks.map((c) => c.code)).not.toContain('block_list'); // events from older tablet builds
  });

  it('takes the commitment signed on the phone, asks a paper-path visitor to sign at the gate, and refuses one who will not', () => {
    expect(decide({ commitment: { signedOnline: true, onPaper: null } })).toMatchObject({ verdict: 'admit' });
    expect(decide({ commitment: { signedOnline: true, onPaper: null } }).checks).toContainEqual({
      code: 'commitment',
      outcome: 'pass',
      detail: 'signed_online',
    });
    expect(decide({ commitment: { signedOnline: false, onPaper: null } })).toMatchObject({
      verdict: 'incomplete',
      next: 'commitment',
    });
    const paper = decide({ commitment: { signedOnline: false, onPaper: true } });
    expect(paper.verdict).toBe('admit');
    expect(paper.checks).toContainEqual({ code: 'commitment', outcome: 'pass', detail: 'signed_on_paper' });
    expect(decide({ commitment: { signedOnline: false, onPaper: false } })).toMatchObject({
      verdict: 'refuse',
      reasons: ['commitment_refused'],
    });
    // A level that asks for no commitment never shows it as signed; builds before it send none.
    const ordinary = { ...DEFAULT_RULES, level: 'ordinary' };
    expect(
      decideAdmission({ ...base, idConfirmed: true, commitment: { signedOnline: false, onPaper: null } }, ordinary)
        .checks,
    ).toContainEqual({ code: 'commitment', outcome: 'not_required', detail: 'off' });
    expect(decide({}).checks.map((c) => c.code)).not.toContain('commitment');
  });

  it('lets a quick refusal decide alone', () => {
    expect(decide({ quickRefusal: 'courier' })).toMatchObject({ verdict: 'refuse', reasons: ['courier'] });
    expect(decide({ quickRefusal: 'food_delivery', pass: { ok: false, reason: 'malformed' } }).reasons).toEqual([
      'food_delivery',
    ]);
  });

  it('admits after a fever only when the re-test after the rest is normal', () => {
    expect(decide({ temperatures: [r(37.9), r(36.9, 5)] }).verdict).toBe('admit');
    expect(decide({ temperatures: [r(37.9), r(37.3, 5)] }).verdict).toBe('refuse');
  });
});

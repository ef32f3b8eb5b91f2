import { describe, expect, it } from 'vitest';
import { decideAdmission, refusalText, type AdmissionInput, type CheckCode } from '../../server/domain/admission';
import { checkFiling, type RequestFacts } from '../../server/domain/filing-checks';
import { DEFAULT_LEVELS, policyFor, type EntrantPolicy, type EntrantType } from '../../server/domain/policy';
import { DEFAULT_RULES, parseStoredRules, RulesSchema, type Rules } from '../../server/domain/rules';

const at = (min: number) => new Date(Date.UTC(2026, 10, 21, 1, min)).toISOString();
const atLevel = (level: string): Rules => ({ ...DEFAULT_RULES, level });
/** The rules with one entrant type's policy at the level in force changed. */
function withPolicy(rules: Rules, entrant: EntrantType, change: (p: EntrantPolicy) => EntrantPolicy): Rules {
  return {
    ...rules,
    levels: rules.levels.map((l) =>
      l.id === rules.level ? { ...l, policies: { ...l.policies, [entrant]: change(l.policies[entrant]) } } : l,
    ),
  };
}

/** Only the pass, scanned: what the guard has before any tap. */
const scanned: AdmissionInput = {
  pass: { ok: true },
  healthCode: null,
  temperatures: [],
  entrant: 'visitor',
  outOfCity: false,
  testConfirmed: null,
  idConfirmed: null,
  snapshotFresh: true,
};
const green = { colour: 'green', method: 'seen_by_guard' } as const;
const outcomes = (input: AdmissionInput, rules: Rules) =>
  Object.fromEntries(decideAdmission(input, rules).checks.map((c) => [c.code, c.outcome])) as Partial<
    Record<CheckCode, string>
  >;

describe('entry policy: entrant type × level × check outcomes', () => {
  const full: Partial<AdmissionInput> = {
    healthCode: green,
    temperatures: [{ celsius: 36.5, method: 'forehead_ir', at: at(0) }],
  };
  it.each([
    // level, entrant, what the guard has done, verdict, the step asked next
    ['closed', 'visitor', {}, 'incomplete', 'health_code'],
    ['closed', 'visitor', full, 'admit', null],
    ['closed', 'visitor', { ...full, outOfCity: true }, 'incomplete', 'nucleic_test'],
    ['closed', 'group', full, 'admit', null],
    ['closed', 'emergency', { healthCode: green }, 'incomplete', 'temperature'],
    ['heightened', 'visitor', { ...full, outOfCity: true }, 'admit', null],
    ['ordinary', 'visitor', {}, 'incomplete', 'id_match'],
    ['ordinary', 'visitor', { idConfirmed: true }, 'admit', null],
    ['ordinary', 'visitor', { idConfirmed: false }, 'refuse', null],
    ['ordinary', 'contractor', {}, 'incomplete', 'id_match'],
    ['ordinary', 'student', {}, 'admit', null],
  ] as const)('%s · %s · %o → %s (next %s)', (level, entrant, done, verdict, next) => {
    const d = decideAdmission({ ...scanned, entrant, ...done }, atLevel(level));
    expect(d.verdict).toBe(verdict);
    expect(d.next).toBe(next);
  });

  it('shows a check the policy does not ask for as "not required", never as passed', () => {
    expect(outcomes({ ...scanned, idConfirmed: true }, atLevel('ordinary'))).toEqual({
      snapshot: 'pass',
      pass: 'pass',
      health_code: 'not_required',
      temperature: 'not_required',
      nucleic_test: 'not_required',
      id_match: 'pass',
    });
    // A reading taken anyway does not turn into a pass where the policy does not ask for one.
    const fever = { ...scanned, idConfirmed: true, temperatures: [{ celsius: 38.5, method: 'contact', at: at(0) }] };
    expect(outcomes(fever as AdmissionInput, atLevel('ordinary')).temperature).toBe('not_required');
  });

  it('lets a type go without temperature while the others at the same level are measured', () => {
    const rules = withPolicy(DEFAULT_RULES, 'contractor', (p) => ({
      ...p,
      temperature: { ...p.temperature, required: false },
    }));
    expect(decideAdmission({ ...scanned, entrant: 'contractor', healthCode: green }, rules).verdict).toBe('admit');
    expect(decideAdmission({ ...scanned, entrant: 'visitor', healthCode: green }, rules).next).toBe('temperature');
  });

  it('asks everyone for a test when the level says so, the in-city visitor too', () => {
    const rules = withPolicy(DEFAULT_RULES, 'visitor', (p) => ({
      ...p,
      nucleicTest: { scope: 'everyone', hours: 72 },
    }));
    const inCity = { ...scanned, ...full, outOfCity: false };
    expect(decideAdmission(inCity, rules).next).toBe('nucleic_test');
    expect(decideAdmission({ ...inCity, testConfirmed: false }, rules).reasons).toEqual(['test_not_confirmed']);
    expect(refusalText('test_not_confirmed', policyFor(rules, 'visitor')).zh).toContain('72小时');
    // …while under the notices only the out-of-town visitor is asked.
    expect(outcomes(inCity, DEFAULT_RULES).nucleic_test).toBe('not_applicable');
  });

  it('refuses for fever at the threshold in force, with or without the re-test, and says the threshold', () => {
    const higher = withPolicy(DEFAULT_RULES, 'visitor', (p) => ({
      ...p,
      temperature: { ...p.temperature, thresholdC: 37.5 },
    }));
    const reading = (c: number) => ({
      ...scanned,
      healthCode: green,
      temperatures: [{ celsius: c, method: 'forehead_ir' as const, at: at(0) }],
    });
    expect(decideAdmission(reading(37.4), higher).verdict).toBe('admit');
    expect(decideAdmission(reading(37.4), DEFAULT_RULES).next).toBe('rest');
    const noRetest = withPolicy(higher, 'visitor', (p) => ({ ...p, temperature: { ...p.temperature, retest: false } }));
    expect(decideAdmission(reading(37.5), noRetest)).toMatchObject({ verdict: 'refuse', reasons: ['fever'] });
    expect(refusalText('fever', policyFor(noRetest, 'visitor'))).toEqual({
      zh: '体温≥37.5°C，请前往发热门诊',
      en: 'Temperature at or above 37.5 °C; please go to the fever clinic',
    });
  });

  it('keeps the block list on at every level', () => {
    for (const level of ['ordinary', 'heightened', 'closed'])
      expect(
        decideAdmission({ ...scanned, idConfirmed: true, blocked: true, healthCode: green }, atLevel(level)).reasons,
      ).toContain('block_list');
  });
});

describe('rule versions and levels', () => {
  it('has the notices as the closed level, in force by default', () => {
    expect(DEFAULT_RULES.level).toBe('closed');
    expect(policyFor(DEFAULT_RULES, 'visitor')).toMatchObject({
      healthCode: true,
      temperature: { required: true, thresholdC: 37.3, retest: true },
      nucleicTest: { scope: 'out_of_city', hours: 48 },
      lookbackDays: 14,
      commitment: true,
    });
  });

  it('reads a version saved before levels as that version’s closed level, so old decisions replay the same', () => {
    const old = { ...DEFAULT_RULES, levels: undefined, level: undefined, feverThresholdC: 37.5, testWindowHours: 24 };
    const rules = parseStoredRules(JSON.parse(JSON.stringify(old)));
    expect(rules.level).toBe('closed');
    for (const entrant of ['visitor', 'group', 'emergency'] as const)
      expect(policyFor(rules, entrant)).toMatchObject({
        temperature: { thresholdC: 37.5 },
        nucleicTest: { scope: 'out_of_city', hours: 24 },
      });
    // An event from a build before entry policies: it sent testRequired, not who the entrant is.
    const legacy = { ...scanned, entrant: undefined, outOfCity: undefined, testRequired: true, healthCode: green };
    const d = decideAdmission(
      { ...legacy, temperatures: [{ celsius: 36.6, method: 'forehead_ir', at: at(0) }] },
      rules,
    );
    expect(d.next).toBe('nucleic_test');
  });

  it('refuses a level that is not among the levels, and a level named twice', () => {
    expect(RulesSchema.safeParse({ ...DEFAULT_RULES, level: 'lockdown' }).success).toBe(false);
    const twice = { ...DEFAULT_RULES, levels: [DEFAULT_LEVELS[0], DEFAULT_LEVELS[0]], level: 'ordinary' };
    expect(RulesSchema.safeParse(twice).success).toBe(false);
  });
});

describe('filing under one level, visiting under another', () => {
  const now = new Date('2026-11-20T02:00:00Z');
  const request = (v: Partial<RequestFacts['visitors'][number]> = {}): RequestFacts => ({
    visitDateFrom: '2026-11-21',
    visitDateTo: '2026-11-21',
    timeFrom: '09:00',
    timeTo: '17:00',
    preventionPlan: null,
    visitors: [
      {
        fromRegion: '110105', // Beijing: out of town for a Zhengzhou campus
        visitedRegions: ['110105'],
        closeContact: false,
        testTakenAt: null,
        testResult: null,
        blocked: false,
        ...v,
      },
    ],
  });
  const risk = [{ regionCode: '110100', level: 'high' as const, effectiveFrom: '2026-11-01', effectiveTo: null }];

  it('asks under 常态 for none of the health data, and under 封闭 for all of it', () => {
    const ordinary = checkFiling(request(), { now, rules: atLevel('ordinary'), riskAreas: risk });
    expect(ordinary.violations).toEqual([]);
    const closed = checkFiling(request(), { now, rules: atLevel('closed'), riskAreas: risk, checkLeadTime: false });
    expect(closed.violations.map((v) => v.code).sort()).toEqual([
      'risk_area_home',
      'risk_area_visited',
      'test_required',
    ]);
  });

  it('judges the group by the group policy and the walk-in by the emergency one', () => {
    const rules = withPolicy(atLevel('ordinary'), 'group', (p) => ({ ...p, closeContactDeclaration: true }));
    const big = {
      ...request(),
      preventionPlan: '分批入校',
      visitors: Array.from({ length: 51 }, () => ({ ...request().visitors[0]!, closeContact: true })),
    };
    expect(checkFiling(big, { now, rules, riskAreas: [] })).toMatchObject({ entrant: 'group', groupReview: true });
    expect(checkFiling(big, { now, rules, riskAreas: [] }).violations[0]?.code).toBe('close_contact');
    expect(checkFiling({ ...request(), emergency: true }, { now, rules, riskAreas: [] }).entrant).toBe('emergency');
  });
});

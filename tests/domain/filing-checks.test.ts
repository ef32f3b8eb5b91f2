import { describe, expect, it } from 'vitest';
import {
  checkFiling,
  earliestVisitDate,
  type RequestFacts,
  type VisitorFacts,
} from '../../server/domain/filing-checks';
import { instantAt } from '../../server/domain/dates';
import { DEFAULT_RULES, regionPrefix, type RiskArea } from '../../server/domain/rules';

const TZ = 'Asia/Shanghai';
const at = (local: string) => instantAt(local.slice(0, 10), local.slice(11, 16), TZ);
const visitor = (over: Partial<VisitorFacts> = {}): VisitorFacts => ({
  fromRegion: '410105', // 郑州市金水区: in the campus city
  visitedRegions: [],
  closeContact: false,
  testTakenAt: null,
  testResult: null,
  blocked: false,
  ...over,
});
const request = (over: Partial<RequestFacts> = {}): RequestFacts => ({
  visitDateFrom: '2026-11-21',
  visitDateTo: '2026-11-21',
  timeFrom: '09:00',
  timeTo: '17:00',
  preventionPlan: null,
  visitors: [visitor()],
  ...over,
});
const codes = (r: ReturnType<typeof checkFiling>) => r.violations.map((v) => v.code);

describe('lead time (rule 2)', () => {
  it('allows tomorrow when filed at 23:59 campus time, not today', () => {
    const lateEvening = at('2026-11-20 23:59');
    expect(codes(checkFiling(request(), { now: lateEvening, rules: DEFAULT_RULES, riskAreas: [] }))).toEqual([]);
    expect(
      codes(
        checkFiling(request({ visitDateFrom: '2026-11-20', visitDateTo: '2026-11-20' }), {
          now: lateEvening,
          rules: DEFAULT_RULES,
          riskAreas: [],
        }),
      ),
    ).toEqual(['lead_time']);
  });

  it('refuses tomorrow’s date once campus midnight has passed (00:00 is the next day)', () => {
    // 16:00 UTC is 00:00 in Shanghai: "tomorrow" moved on, though it is still the 20th in UTC.
    expect(codes(checkFiling(request(), { now: at('2026-11-21 00:00'), rules: DEFAULT_RULES, riskAreas: [] }))).toEqual(
      ['lead_time'],
    );
  });

  it('applies an optional same-day cut-off hour', () => {
    const rules = { ...DEFAULT_RULES, filingCutoffHour: 17 };
    expect(earliestVisitDate(at('2026-11-20 16:59'), rules)).toBe('2026-11-21');
    expect(earliestVisitDate(at('2026-11-20 17:00'), rules)).toBe('2026-11-22');
  });

  it('limits the date range', () => {
    expect(
      codes(
        checkFiling(request({ visitDateTo: '2026-12-20' }), {
          now: at('2026-11-20 10:00'),
          rules: DEFAULT_RULES,
          riskAreas: [],
        }),
      ),
    ).toEqual([]);
    expect(
      codes(
        checkFiling(request({ visitDateTo: '2026-12-21' }), {
          now: at('2026-11-20 10:00'),
          rules: DEFAULT_RULES,
          riskAreas: [],
        }),
      ),
    ).toEqual(['range_too_long']);
  });
});

describe('risk areas (rule 4)', () => {
  const now = at('2026-11-20 10:00');
  const area = (over: Partial<RiskArea>): RiskArea => ({
    regionCode: '410105',
    level: 'high',
    effectiveFrom: '2026-11-01',
    effectiveTo: null,
    ...over,
  });

  it('refuses a visitor living in a medium or high area, not a low one', () => {
    expect(codes(checkFiling(request(), { now, rules: DEFAULT_RULES, riskAreas: [area({})] }))).toEqual([
      'risk_area_home',
    ]);
    expect(codes(checkFiling(request(), { now, rules: DEFAULT_RULES, riskAreas: [area({ level: 'low' })] }))).toEqual(
      [],
    );
  });

  it('covers a district by a city-level entry', () => {
    expect(regionPrefix('410100')).toBe('4101');
    expect(
      codes(
        checkFiling(request(), {
          now,
          rules: DEFAULT_RULES,
          riskAreas: [area({ regionCode: '410100', level: 'medium' })],
        }),
      ),
    ).toEqual(['risk_area_home']);
  });

  it('counts an area in force on any day of the 14-day look-back up to the visit, by its dates', () => {
    const check = (a: RiskArea) => codes(checkFiling(request(), { now, rules: DEFAULT_RULES, riskAreas: [a] }));
    expect(check(area({ effectiveFrom: '2026-10-01', effectiveTo: '2026-11-06' }))).toEqual(['risk_area_home']); // 14 days before the 20th
    expect(check(area({ effectiveFrom: '2026-10-01', effectiveTo: '2026-11-05' }))).toEqual([]);
    expect(check(area({ effectiveFrom: '2026-11-21' }))).toEqual(['risk_area_home']); // in force on the visit day
    expect(check(area({ effectiveFrom: '2026-11-22' }))).toEqual([]);
  });

  it('refuses a visit through a risk area', () => {
    const r = checkFiling(request({ visitors: [visitor({ visitedRegions: ['110101'] })] }), {
      now,
      rules: DEFAULT_RULES,
      riskAreas: [area({ regionCode: '110000' })],
    });
    expect(r.violations).toEqual([
      {
        path: ['visitors', 0, 'visitedRegions'],
        code: 'risk_area_visited',
        params: { region: '110101', level: 'high' },
      },
    ]);
  });
});

describe('out-of-city test (rule 5)', () => {
  const now = at('2026-11-20 10:00');
  const outOfCity = (over: Partial<VisitorFacts>) =>
    request({ visitors: [visitor({ fromRegion: '110101', ...over })] });
  const check = (r: RequestFacts) => codes(checkFiling(r, { now, rules: DEFAULT_RULES, riskAreas: [] }));

  it('requires a test for visitors from outside the campus city only', () => {
    expect(check(outOfCity({}))).toEqual(['test_required']);
    expect(check(request())).toEqual([]);
  });

  it('accepts a negative test exactly 48 hours before the visit start, not a minute more', () => {
    // visit starts 2026-11-21 09:00 campus time
    expect(check(outOfCity({ testTakenAt: at('2026-11-19 09:00'), testResult: 'negative' }))).toEqual([]);
    expect(check(outOfCity({ testTakenAt: at('2026-11-19 08:59'), testResult: 'negative' }))).toEqual([
      'test_outside_window',
    ]);
  });

  it('refuses a positive result and a test dated in the future', () => {
    expect(check(outOfCity({ testTakenAt: at('2026-11-20 08:00'), testResult: 'positive' }))).toEqual([
      'test_not_negative',
    ]);
    expect(check(outOfCity({ testTakenAt: at('2026-11-20 11:00'), testResult: 'negative' }))).toEqual([
      'test_in_future',
    ]);
  });
});

describe('group cap (rule 11), contact, block list, commitment', () => {
  const now = at('2026-11-20 10:00');
  it('sends a group over the cap to its own queue, and only with a prevention plan', () => {
    const many = Array.from({ length: 51 }, () => visitor());
    expect(codes(checkFiling(request({ visitors: many }), { now, rules: DEFAULT_RULES, riskAreas: [] }))).toEqual([
      'prevention_plan_required',
    ]);
    const ok = checkFiling(request({ visitors: many, preventionPlan: '分批入校，全程佩戴口罩' }), {
      now,
      rules: DEFAULT_RULES,
      riskAreas: [],
    });
    expect(ok.violations).toEqual([]);
    expect(ok.groupReview).toBe(true);
    expect(
      checkFiling(request({ visitors: many.slice(0, 50) }), { now, rules: DEFAULT_RULES, riskAreas: [] }).groupReview,
    ).toBe(false);
  });

  it('refuses close contact and a block-list match, per visitor; the commitment is signed by the visitor, not filed', () => {
    const r = checkFiling(request({ visitors: [visitor(), visitor({ closeContact: true, blocked: true })] }), {
      now,
      rules: DEFAULT_RULES,
      riskAreas: [],
    });
    expect(r.visitorChecks[0]!.violations).toEqual([]);
    expect(r.visitorChecks[1]!.violations.sort()).toEqual(['block_list', 'close_contact']);
  });

  it('counts invited visitors who have not filled in yet towards the group cap', () => {
    const r = checkFiling(request({ visitors: [visitor()], expectedVisitors: DEFAULT_RULES.groupCap + 1 }), {
      now,
      rules: DEFAULT_RULES,
      riskAreas: [],
    });
    expect(r).toMatchObject({ groupReview: true, entrant: 'group' });
    expect(r.violations.map((v) => v.code)).toContain('prevention_plan_required');
  });
});

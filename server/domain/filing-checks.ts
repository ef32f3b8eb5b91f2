import { addDays, campusDate, daysBetween, instantAt, wallClock, type IsoDate } from './dates';
import { entrantOfFiling, policyFor, testRequiredBy, type EntrantType, type RequestKind } from './policy';
import { regionWithin, type RiskArea, type Rules } from './rules';

/** One broken rule, at a field path, with a stable code the UI translates and its parameters. */
export interface Violation {
  path: (string | number)[];
  code: FilingCode;
  params?: Record<string, string | number>;
}

export type FilingCode =
  | 'lead_time'
  | 'too_far_ahead'
  | 'date_order'
  | 'range_too_long'
  | 'time_order'
  | 'prevention_plan_required'
  | 'risk_area_home'
  | 'risk_area_visited'
  | 'close_contact'
  | 'block_list'
  /** No longer raised: the visitor signs on their phone, or on paper at the gate. Kept for rows that carry it. */
  | 'commitment_required'
  | 'test_required'
  | 'test_not_negative'
  | 'test_outside_window'
  | 'test_in_future';

export interface VisitorFacts {
  fromRegion: string;
  visitedRegions: string[];
  closeContact: boolean;
  testTakenAt: Date | null;
  testResult: 'negative' | 'positive' | null;
  /** Precomputed by the caller from keyed hashes and normalised names. */
  blocked: boolean;
}

export interface RequestFacts {
  visitDateFrom: IsoDate;
  visitDateTo: IsoDate;
  timeFrom: string;
  timeTo: string;
  preventionPlan: string | null;
  /** Filed through the emergency lane (a walk-in the office let in). */
  emergency?: boolean;
  /** Contractors and long-term workers have their own policy. */
  kind?: RequestKind;
  /**
   * How many people the request is for, when more than the visitors known so far (invited visitors
   * who have not filled in their part yet): the group cap counts them all.
   */
  expectedVisitors?: number;
  visitors: VisitorFacts[];
}

export interface FilingVerdict {
  violations: Violation[];
  /** Per visitor: the rule checks the office sees pre-computed in its queue. */
  visitorChecks: { outOfCity: boolean; violations: FilingCode[] }[];
  /** Over the group cap with a plan: a separate review queue (rule 11). */
  groupReview: boolean;
  /** The kind of entrant whose policy applied. */
  entrant: EntrantType;
}

/** The first campus date a request filed at `now` may name (rule 2, with the optional cut-off). */
export function earliestVisitDate(now: Date, rules: Rules): IsoDate {
  const wall = wallClock(now, rules.timezone);
  const afterCutoff = rules.filingCutoffHour !== null && wall.hour >= rules.filingCutoffHour;
  return addDays(wall.date, rules.leadDays + (afterCutoff ? 1 : 0));
}

/** A risk entry counts if it was in force on any day from the look-back start to the last visit day. */
export function riskyArea(
  code: string,
  areas: RiskArea[],
  windowStart: IsoDate,
  windowEnd: IsoDate,
): RiskArea | undefined {
  return areas.find(
    (a) =>
      (a.level === 'medium' || a.level === 'high') &&
      regionWithin(code, a.regionCode) &&
      a.effectiveFrom <= windowEnd &&
      (a.effectiveTo === null || a.effectiveTo >= windowStart),
  );
}

/**
 * The filing rules (DOMAIN.md rules 2, 4–7, 11) applied to a request. Pure: the same answer at
 * filing, at review, and when the office re-checks approved visits after a rule change.
 * `checkLeadTime` is off for re-checks (an approved visit does not become late).
 */
export function checkFiling(
  req: RequestFacts,
  ctx: { now: Date; rules: Rules; riskAreas: RiskArea[]; checkLeadTime?: boolean },
): FilingVerdict {
  const { now, rules, riskAreas, checkLeadTime = true } = ctx;
  const violations: Violation[] = [];
  if (req.visitDateTo < req.visitDateFrom) violations.push({ path: ['visitDateTo'], code: 'date_order' });
  const days = daysBetween(req.visitDateFrom, req.visitDateTo) + 1;
  if (days > rules.maxRangeDays)
    violations.push({ path: ['visitDateTo'], code: 'range_too_long', params: { max: rules.maxRangeDays } });
  if (req.timeTo <= req.timeFrom) violations.push({ path: ['timeTo'], code: 'time_order' });
  if (checkLeadTime) {
    const earliest = earliestVisitDate(now, rules);
    if (req.visitDateFrom < earliest)
      violations.push({ path: ['visitDateFrom'], code: 'lead_time', params: { earliest } });
    const latest = addDays(campusDate(now, rules.timezone), rules.maxDaysAhead);
    if (req.visitDateFrom > latest)
      violations.push({ path: ['visitDateFrom'], code: 'too_far_ahead', params: { latest } });
  }
  const people = Math.max(req.visitors.length, req.expectedVisitors ?? 0);
  const groupReview = people > rules.groupCap;
  if (groupReview && !req.preventionPlan?.trim()) {
    violations.push({ path: ['preventionPlan'], code: 'prevention_plan_required', params: { cap: rules.groupCap } });
  }

  // Only what the policy in force asks of this kind of entrant is checked (and so collected).
  const entrant = entrantOfFiling(rules, {
    emergency: req.emergency ?? false,
    kind: req.kind,
    visitors: people,
  });
  const policy = policyFor(rules, entrant);
  const hours = policy.nucleicTest.hours;
  const today = campusDate(now, rules.timezone);
  const windowStart = addDays(today < req.visitDateFrom ? today : req.visitDateFrom, -policy.lookbackDays);
  const visitStart = instantAt(req.visitDateFrom, req.timeFrom, rules.timezone);

  const visitorChecks = req.visitors.map((v, i) => {
    const mine: Violation[] = [];
    const at = (field: string, code: FilingCode, params?: Violation['params']) =>
      mine.push({ path: ['visitors', i, field], code, ...(params ? { params } : {}) });
    if (policy.riskAreaDeclaration) {
      const home = riskyArea(v.fromRegion, riskAreas, windowStart, req.visitDateTo);
      if (home) at('fromRegion', 'risk_area_home', { region: home.regionCode, level: home.level });
      v.visitedRegions.forEach((code) => {
        const hit = riskyArea(code, riskAreas, windowStart, req.visitDateTo);
        if (hit) at('visitedRegions', 'risk_area_visited', { region: code, level: hit.level });
      });
    }
    if (policy.closeContactDeclaration && v.closeContact) at('closeContact', 'close_contact');
    if (v.blocked) at('name', 'block_list');
    const outOfCity = !regionWithin(v.fromRegion, rules.campusRegionCode);
    if (testRequiredBy(policy, outOfCity)) {
      if (!v.testTakenAt || !v.testResult) at('testTakenAt', 'test_required', { hours });
      else {
        if (v.testResult !== 'negative') at('testResult', 'test_not_negative');
        if (v.testTakenAt.getTime() > now.getTime()) at('testTakenAt', 'test_in_future');
        else if (visitStart.getTime() - v.testTakenAt.getTime() > hours * 3_600_000) {
          at('testTakenAt', 'test_outside_window', { hours });
        }
      }
    }
    violations.push(...mine);
    return { outOfCity, violations: mine.map((m) => m.code) };
  });

  return { violations, visitorChecks, groupReview, entrant };
}

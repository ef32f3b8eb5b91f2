import type { EntrantPolicy, Level } from './policy-schema';

/**
 * Entry policy as data: which checks apply to which kind of entrant at which campus alert level.
 * A level is a full policy; the office switches the campus between levels in one step, and every
 * decision stores the rule version (and so the level) that made it. DOMAIN.md rules 3–8, 11, 12.
 */

/**
 * Who comes through the gate: filed visitors (alone, in a group, in the emergency lane), contractors
 * and long-term workers (filed, or on their own member credential), and campus members.
 */
export const ENTRANT_TYPES = ['visitor', 'group', 'contractor', 'emergency', 'student', 'staff'] as const;
export type EntrantType = (typeof ENTRANT_TYPES)[number];

/** Who must show a recent negative nucleic-acid test (rule 5: from outside the campus city). */
export const TEST_SCOPES = ['nobody', 'out_of_city', 'everyone'] as const;

// The zod schemas of a policy and a level live in policy-schema.ts: the tablet runs these functions
// without carrying zod (the kiosk's first load, issue 17).
export type { EntrantPolicy, Level };

/** The notices' rules: what the closed campus asks of every entrant (seed 000, 002). */
const NOTICES: EntrantPolicy = {
  idMatch: 'optional',
  healthCode: true,
  temperature: { required: true, thresholdC: 37.3, retest: true },
  nucleicTest: { scope: 'out_of_city', hours: 48 },
  riskAreaDeclaration: true,
  closeContactDeclaration: true,
  lookbackDays: 14,
  commitment: true,
  escort: true,
  entriesPerDay: 1,
  exitNeedsLeave: false,
  dailyCheckIn: false,
};

/** A working day with no outbreak: a filed visitor shows the pass and the guard glances at the ID. */
const ORDINARY: EntrantPolicy = {
  idMatch: 'required',
  healthCode: false,
  temperature: { required: false, thresholdC: 37.3, retest: true },
  nucleicTest: { scope: 'nobody', hours: 48 },
  riskAreaDeclaration: false,
  closeContactDeclaration: false,
  lookbackDays: 14,
  commitment: false,
  escort: true,
  entriesPerDay: 1,
  exitNeedsLeave: false,
  dailyCheckIn: false,
};

/** Cases nearby: health code and temperature at the gate, the declarations and commitment kept, no test. */
const HEIGHTENED: EntrantPolicy = { ...NOTICES, nucleicTest: { scope: 'nobody', hours: 48 } };

/** What a level asks of the people who live and work on campus beyond the entry checks. */
interface MemberRules {
  /** Members check in their health daily before they come in. */
  checkIn: boolean;
  /** Students living on campus leave only with approved leave (留校学生请销假). */
  studentLeave: boolean;
}

function level(id: string, nameZh: string, nameEn: string, base: EntrantPolicy, members: MemberRules): Level {
  // Members and long-term workers are known people on their own credential: no ID comparison, no escort.
  const member = { ...base, idMatch: 'optional' as const, escort: false, dailyCheckIn: members.checkIn };
  return {
    id,
    nameZh,
    nameEn,
    policies: {
      visitor: base,
      group: base,
      // Long-term workers come and go through the day on one multi-day pass or their own credential.
      contractor: { ...member, idMatch: base.idMatch, entriesPerDay: 4 },
      emergency: base,
      student: { ...member, entriesPerDay: 20, exitNeedsLeave: members.studentLeave },
      // Staff leaving the city file leave too, but the gate cannot tell a trip from going home: not asked at exit.
      staff: { ...member, entriesPerDay: 20 },
    },
  };
}

export const DEFAULT_LEVELS: Level[] = [
  level('ordinary', '常态', 'Ordinary', ORDINARY, { checkIn: false, studentLeave: false }),
  level('heightened', '加强', 'Heightened', HEIGHTENED, { checkIn: true, studentLeave: false }),
  level('closed', '封闭', 'Closed campus', NOTICES, { checkIn: true, studentLeave: true }),
];
export const DEFAULT_LEVEL = 'closed';

/** The level in force and its policy for one kind of entrant. */
export function levelOf(r: { levels: Level[]; level: string }): Level {
  return r.levels.find((l) => l.id === r.level) ?? r.levels[0]!;
}
export const policyFor = (r: { levels: Level[]; level: string }, entrant: EntrantType): EntrantPolicy =>
  levelOf(r).policies[entrant];

/** What a department files: visitors, or contractors and long-term workers. */
export const REQUEST_KINDS = ['visitor', 'contractor'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

/**
 * The kind of entrant a request's visitors are: the office's emergency lane, contractors, a group
 * above the cap, or filed visitors.
 */
const entrantOf = (r: { emergency: boolean; group: boolean; kind?: RequestKind | undefined }): EntrantType =>
  r.emergency ? 'emergency' : r.kind === 'contractor' ? 'contractor' : r.group ? 'group' : 'visitor';

/** A filing (or an edit) being checked: a group is one above the campus's group cap. */
export const entrantOfFiling = (
  rules: { groupCap: number },
  f: { emergency: boolean; kind?: RequestKind | undefined; visitors: number },
): EntrantType => entrantOf({ emergency: f.emergency, group: f.visitors > rules.groupCap, kind: f.kind });

/** A stored request: its queue says whether it was filed as a group. */
export const entrantOfRequest = (r: {
  emergency: boolean | number;
  queue: 'normal' | 'group';
  kind: RequestKind;
}): EntrantType => entrantOf({ emergency: Boolean(r.emergency), group: r.queue === 'group', kind: r.kind });

export { testRequiredBy } from './region-code';

/**
 * Rule versions saved before levels existed held the closed campus's parameters at the top level:
 * they become that version's closed level (and the level in force), so replaying an old decision
 * gives the answer it gave then.
 */
export function levelsFromLegacy(stored: Record<string, unknown>): { levels: Level[]; level: string } {
  const num = (k: string) => (typeof stored[k] === 'number' ? (stored[k] as number) : undefined);
  const closed: EntrantPolicy = {
    ...NOTICES,
    temperature: { ...NOTICES.temperature, thresholdC: num('feverThresholdC') ?? NOTICES.temperature.thresholdC },
    nucleicTest: { scope: 'out_of_city', hours: num('testWindowHours') ?? NOTICES.nucleicTest.hours },
    lookbackDays: num('riskLookbackDays') ?? NOTICES.lookbackDays,
    entriesPerDay: num('entriesPerDay') ?? NOTICES.entriesPerDay,
  };
  const legacy = level('closed', '封闭', 'Closed campus', closed, { checkIn: false, studentLeave: false });
  // Before levels, every entrant faced the same checks.
  for (const t of ENTRANT_TYPES) legacy.policies[t] = closed;
  return { levels: [DEFAULT_LEVELS[0]!, DEFAULT_LEVELS[1]!, legacy], level: 'closed' };
}

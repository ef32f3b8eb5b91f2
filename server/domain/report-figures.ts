/**
 * Refusals grouped as the office reports them (DOMAIN.md rule 8). Each refused entrant counts
 * once, under the first reason the engine gave, so the groups add up to `refused`.
 */
export const REFUSAL_GROUPS = [
  'courier_delivery',
  'no_pass',
  'forged_pass',
  'pass_invalid',
  'fever',
  'code_colour',
  'test_missing',
  'block_list',
  'id_mismatch',
  'stale_data',
  'other',
] as const;
export type RefusalGroup = (typeof REFUSAL_GROUPS)[number];

export function refusalGroup(reason: string | null): RefusalGroup {
  switch (reason) {
    case 'courier':
    case 'food_delivery':
      return 'courier_delivery';
    case 'walk_in':
      return 'no_pass';
    // A code that is not one we issued (or was altered) is a forgery, not a visitor without a pass.
    case 'pass_malformed':
    case 'pass_unknown_key':
    case 'pass_bad_signature':
      return 'forged_pass';
    case 'fever':
      return 'fever';
    case 'code_red':
    case 'code_yellow':
      return 'code_colour';
    case 'test_not_confirmed':
      return 'test_missing';
    case 'block_list':
      return 'block_list';
    case 'id_mismatch':
      return 'id_mismatch';
    case 'snapshot_stale':
      return 'stale_data';
    default:
      return reason?.startsWith('pass_') ? 'pass_invalid' : 'other';
  }
}

export interface DayFigures {
  /** People who came to the gate and got a verdict. */
  entrants: number;
  admitted: number;
  refused: number;
  refusedBy: Record<RefusalGroup, number>;
  /** Entrants whose temperature reached the threshold, so the rest and re-test protocol ran. */
  feverRetests: number;
  exits: number;
  emergencyAdmits: number;
  /** Admits of visitors the office let in despite failed filing checks (an override, 谁批准谁负责). */
  overrideAdmits: number;
  /**
   * Admits of visitors the department entered itself (the paper path: the commitment signed on paper
   * at the gate), and of visitors who filled in their own part on their phone. Emergency walk-ins are neither.
   */
  paperPathAdmits: number;
  selfDeclaredAdmits: number;
  /** Emergency requests filed that day whose backfill is missing past its deadline (or came late). */
  overdueBackfills: number;
  /** Admitted visitors who left after their window ended, or had not left when it ended. */
  overstays: number;
  /** Closed by the end-of-day job: admitted, never seen leaving. */
  expiredNotSignedOut: number;
  tabletOfflineMinutes: number;
  /** Events of that day that reached the server after the day had ended (an offline gate). */
  lateEvents: number;
  /**
   * Campus members (seed 002): let out, let back in (销假), refused on the way out and on the way
   * in; refusals by their first reason (no approved leave, no check-in today, held after a risk
   * area); leaves that ended that day without a return; active members who did not check in that
   * day (campus only). Visitors' figures above do not count them.
   */
  memberExits: number;
  memberReturns: number;
  memberExitsRefused: number;
  memberEntriesRefused: number;
  memberRefusedNoLeave: number;
  memberRefusedNoCheckIn: number;
  memberRefusedRiskHold: number;
  overdueLeaves: number;
  missingCheckIns: number;
}

export const zeroFigures = (): DayFigures => ({
  entrants: 0,
  admitted: 0,
  refused: 0,
  refusedBy: Object.fromEntries(REFUSAL_GROUPS.map((g) => [g, 0])) as Record<RefusalGroup, number>,
  feverRetests: 0,
  exits: 0,
  emergencyAdmits: 0,
  overrideAdmits: 0,
  paperPathAdmits: 0,
  selfDeclaredAdmits: 0,
  overdueBackfills: 0,
  overstays: 0,
  expiredNotSignedOut: 0,
  tabletOfflineMinutes: 0,
  lateEvents: 0,
  memberExits: 0,
  memberReturns: 0,
  memberExitsRefused: 0,
  memberEntriesRefused: 0,
  memberRefusedNoLeave: 0,
  memberRefusedNoCheckIn: 0,
  memberRefusedRiskHold: 0,
  overdueLeaves: 0,
  missingCheckIns: 0,
});

/**
 * A zero report: nobody came, left or was turned back at this gate that day. The office files it
 * like any other (an explicit zero, not a missing report).
 */
export const isZeroDay = (f: DayFigures) =>
  f.entrants === 0 &&
  f.exits === 0 &&
  f.memberExits === 0 &&
  f.memberReturns === 0 &&
  f.memberExitsRefused === 0 &&
  f.memberEntriesRefused === 0;

/** Figures as stored by any release: a group added since (forged_pass) reads as zero, not as missing. */
export function completeFigures(stored: DayFigures): DayFigures {
  const zero = zeroFigures();
  return { ...zero, ...stored, refusedBy: { ...zero.refusedBy, ...stored.refusedBy } };
}

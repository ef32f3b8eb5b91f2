import type { PassRefusal } from './pass';
import { policyFor, testRequiredBy, type EntrantPolicy, type EntrantType } from './policy';
import type { Rules } from './rules';

/**
 * The one admission decision (DOMAIN.md rules 1, 3–8, 12). Pure and synchronous: the kiosk runs
 * it offline to decide, the server runs it again on every synced event and flags any
 * disagreement. Never write a second copy.
 */

export const TEMPERATURE_METHODS = ['forehead_ir', 'wrist_ir', 'contact'] as const;
export type TemperatureMethod = (typeof TEMPERATURE_METHODS)[number];
export interface TemperatureReading {
  celsius: number;
  method: TemperatureMethod;
  at: string; // ISO instant
}

export const CODE_COLOURS = ['green', 'yellow', 'red'] as const;
export type CodeColour = (typeof CODE_COLOURS)[number];
/** How the health code's colour was learned. Chinese health codes are server tokens, so for now: by the guard's eyes. */
export const HEALTH_CODE_METHODS = ['seen_by_guard', 'scanned_seen_by_guard'] as const;
export type HealthCodeMethod = (typeof HEALTH_CODE_METHODS)[number];

/**
 * What a tablet records: a decision on an entrant, a visitor's exit, the escort's arrival, and a
 * member's (student, staff, long-term worker) entry or exit, each a decision of this engine.
 */
export const GATE_EVENT_TYPES = ['decision', 'exit', 'escort_arrived', 'member_entry', 'member_exit'] as const;
export type GateEventType = (typeof GATE_EVENT_TYPES)[number];
/** A recorded decision's verdict (the engine's third answer, `incomplete`, is never recorded). */
export const RECORDED_VERDICTS = ['admit', 'refuse'] as const;
export type RecordedVerdict = (typeof RECORDED_VERDICTS)[number];

export const QUICK_REFUSALS = ['courier', 'food_delivery', 'walk_in', 'other'] as const;
export type QuickRefusal = (typeof QUICK_REFUSALS)[number];

export type TemperatureState =
  | { state: 'none' }
  | { state: 'normal'; celsius: number; afterRest?: boolean } // afterRest: a first fever reading was re-tested
  | { state: 'retake'; celsius: number } // implausible reading: take it again, never a pass
  | { state: 'rest'; celsius: number; retestAfter: string } // first fever: rest, then measure again
  | { state: 'fever'; celsius: number }; // the re-test confirmed the fever

export interface TemperatureRules {
  thresholdC: number;
  /** Without a re-test the first plausible reading decides. */
  retest: boolean;
  plausibleMinC: number;
  plausibleMaxC: number;
  restMinutes: number;
}

/** The fever protocol's parameters: the device limits and rest are the campus's, the threshold the policy's. */
export const temperatureRules = (rules: Rules, policy: EntrantPolicy): TemperatureRules => ({
  thresholdC: policy.temperature.thresholdC,
  retest: policy.temperature.retest,
  plausibleMinC: rules.plausibleMinC,
  plausibleMaxC: rules.plausibleMaxC,
  restMinutes: rules.restMinutes,
});

/**
 * Fever protocol: a reading at or above the threshold starts a rest; the first plausible
 * reading taken after the rest decides. Implausible readings (cold forehead) never count.
 */
export function temperatureVerdict(readings: TemperatureReading[], rules: TemperatureRules): TemperatureState {
  let firstFever: TemperatureReading | null = null;
  let last: TemperatureState = { state: 'none' };
  for (const r of readings) {
    const c = Math.round(r.celsius * 10) / 10;
    if (c < rules.plausibleMinC || c > rules.plausibleMaxC) {
      last = { state: 'retake', celsius: c };
      continue;
    }
    const fever = c >= rules.thresholdC;
    if (firstFever === null) {
      if (!fever) return { state: 'normal', celsius: c };
      if (!rules.retest) return { state: 'fever', celsius: c };
      firstFever = r;
      last = {
        state: 'rest',
        celsius: c,
        retestAfter: new Date(Date.parse(r.at) + rules.restMinutes * 60_000).toISOString(),
      };
      continue;
    }
    // A second reading before the rest is over does not count: the rest is the protocol.
    if (Date.parse(r.at) < Date.parse(firstFever.at) + rules.restMinutes * 60_000) continue;
    return fever ? { state: 'fever', celsius: c } : { state: 'normal', celsius: c, afterRest: true };
  }
  return last;
}

/**
 * Whether the fever protocol's re-test came into it: a first plausible reading at or above the
 * threshold in force (rounded as the protocol rounds). The daily report counts these (发热复测)
 * from the engine's own answer, recorded with each event, never from a second comparison.
 */
export const feverRetested = (t: TemperatureState) =>
  t.state === 'rest' || t.state === 'fever' || (t.state === 'normal' && t.afterRest === true);

export type CheckCode =
  | 'pass'
  | 'block_list'
  | 'health_code'
  | 'temperature'
  | 'nucleic_test'
  | 'commitment'
  | 'id_match'
  | 'snapshot'
  | 'leave'
  | 'check_in'
  | 'risk_hold';
/**
 * `not_required`: the policy in force does not ask for this check of this entrant (never shown as
 * passed); `not_applicable`: it asks, but not of this entrant (an in-city visitor's test); `not_done`:
 * the entrant was refused before it was checked, or it rested on a pass that failed (a forged pass's
 * block-list lookup proves nothing), so it is never shown as passed.
 */
export type CheckOutcome = 'pass' | 'fail' | 'pending' | 'not_applicable' | 'not_required' | 'not_done';

export interface CheckResult {
  code: CheckCode;
  outcome: CheckOutcome;
  /** A machine word for what happened (e.g. the pass refusal, the colour, the temperature state). */
  detail: string;
}

export type RefusalReason =
  | QuickRefusal
  | `pass_${PassRefusal}`
  | 'code_red'
  | 'code_yellow'
  | 'fever'
  | 'test_not_confirmed'
  | 'commitment_refused'
  | 'id_mismatch'
  | 'block_list'
  | 'snapshot_stale'
  | 'no_leave'
  | 'checkin_missing'
  | 'risk_hold';

export interface AdmissionInput {
  /** A quick refusal decides alone (courier, delivery, walk-in, other). */
  quickRefusal?: QuickRefusal | null;
  pass: { ok: true } | { ok: false; reason: PassRefusal };
  healthCode: { colour: CodeColour; method: HealthCodeMethod } | null;
  temperatures: TemperatureReading[];
  /**
   * Which kind of entrant: the policy of the level in force for it decides which checks apply.
   * Absent in events from builds before entry policies: a filed visitor.
   */
  entrant?: EntrantType;
  /** The entrant comes from outside the campus city: the test rule may ask them for a test. */
  outOfCity?: boolean;
  /** What builds before entry policies sent instead of `outOfCity`: the test was asked for. */
  testRequired?: boolean;
  testConfirmed: boolean | null;
  /** The guard confirms the ID document matches the pass. */
  idConfirmed: boolean | null;
  /**
   * The personal health commitment (seed 000): signed by the visitor on their phone (the server's
   * rows say so, never the tablet), or, on the paper path, signed on paper at the gate as the guard
   * records (`onPaper`; false: the entrant would not sign). Absent in events from builds before it.
   */
  commitment?: { signedOnline: boolean; onPaper: boolean | null };
  /** Offline too long: the kiosk refuses offline admits (issue: offline-first). */
  snapshotFresh: boolean;
  /**
   * The visitor's keyed ID hash is on the block list the tablet holds (DOMAIN.md rule 9). Absent
   * in events from builds before the tablet carried the list.
   */
  blocked?: boolean;
  /**
   * A campus member on their own credential (the server re-decides with its own rows): whether
   * they live on campus, whether an approved leave covers the moment (an exit) or they are out on
   * one (a return), today's health check-in, and a hold after a trip to a risk area the office has
   * not cleared. Absent for visitors.
   */
  member?: { resident: boolean; leave: boolean; checkedInToday: boolean; hold: boolean };
  /** A member leaving (`out`) faces the exit rules; everyone else is coming in. */
  direction?: 'in' | 'out';
}

export interface AdmissionDecision {
  verdict: 'admit' | 'refuse' | 'incomplete';
  checks: CheckResult[];
  reasons: RefusalReason[];
  /** What the guard does next while incomplete. */
  next:
    'health_code' | 'temperature' | 'retake_temperature' | 'rest' | 'nucleic_test' | 'commitment' | 'id_match' | null;
  temperature: TemperatureState;
}

const notRequired = (code: CheckCode): CheckResult => ({ code, outcome: 'not_required', detail: 'off' });

export function decideAdmission(input: AdmissionInput, rules: Rules): AdmissionDecision {
  const policy = policyFor(rules, input.entrant ?? 'visitor');
  const temperature = policy.temperature.required
    ? temperatureVerdict(input.temperatures, temperatureRules(rules, policy))
    : ({ state: 'none' } as const);
  const testRequired =
    input.outOfCity !== undefined ? testRequiredBy(policy, input.outOfCity) : (input.testRequired ?? false);
  if (input.quickRefusal) {
    return { verdict: 'refuse', checks: [], reasons: [input.quickRefusal], next: null, temperature };
  }
  const checks: CheckResult[] = [];
  const reasons: RefusalReason[] = [];
  let next: AdmissionDecision['next'] = null;
  const pending = (n: NonNullable<AdmissionDecision['next']>) => {
    next ??= n;
  };

  checks.push({
    code: 'snapshot',
    outcome: input.snapshotFresh ? 'pass' : 'fail',
    detail: input.snapshotFresh ? 'fresh' : 'stale',
  });
  if (!input.snapshotFresh) reasons.push('snapshot_stale');

  checks.push({
    code: 'pass',
    outcome: input.pass.ok ? 'pass' : 'fail',
    detail: input.pass.ok ? 'valid' : input.pass.reason,
  });
  if (!input.pass.ok) reasons.push(`pass_${input.pass.reason}`);

  const member = input.member;
  if (input.direction === 'out') {
    // Leaving: only the leave rule (seed 002: 留校学生请销假); nobody is measured on the way out.
    if (!member || !policy.exitNeedsLeave) checks.push(notRequired('leave'));
    else if (!member.resident) checks.push({ code: 'leave', outcome: 'not_applicable', detail: 'non_resident' });
    else {
      checks.push({
        code: 'leave',
        outcome: member.leave ? 'pass' : 'fail',
        detail: member.leave ? 'approved' : 'none',
      });
      if (!member.leave) reasons.push('no_leave');
    }
    return { verdict: reasons.length ? 'refuse' : 'admit', checks, reasons, next: null, temperature };
  }
  if (member) {
    if (member.hold) reasons.push('risk_hold');
    checks.push({ code: 'risk_hold', outcome: member.hold ? 'fail' : 'pass', detail: member.hold ? 'held' : 'clear' });
    if (!policy.dailyCheckIn) checks.push(notRequired('check_in'));
    else {
      checks.push({
        code: 'check_in',
        outcome: member.checkedInToday ? 'pass' : 'fail',
        detail: member.checkedInToday ? 'today' : 'missing',
      });
      if (!member.checkedInToday) reasons.push('checkin_missing');
    }
  }

  if (input.blocked !== undefined) {
    checks.push({
      code: 'block_list',
      outcome: input.blocked ? 'fail' : 'pass',
      detail: input.blocked ? 'listed' : 'not_listed',
    });
    if (input.blocked) reasons.push('block_list');
  }

  if (!policy.healthCode) checks.push(notRequired('health_code'));
  else if (!input.healthCode) {
    checks.push({ code: 'health_code', outcome: 'pending', detail: 'not_checked' });
    pending('health_code');
  } else {
    const ok = input.healthCode.colour === 'green';
    checks.push({
      code: 'health_code',
      outcome: ok ? 'pass' : 'fail',
      detail: `${input.healthCode.colour}:${input.healthCode.method}`,
    });
    if (!ok) reasons.push(input.healthCode.colour === 'red' ? 'code_red' : 'code_yellow');
  }

  if (!policy.temperature.required) checks.push(notRequired('temperature'));
  else
    switch (temperature.state) {
      case 'none':
        checks.push({ code: 'temperature', outcome: 'pending', detail: 'none' });
        pending('temperature');
        break;
      case 'retake':
        checks.push({ code: 'temperature', outcome: 'pending', detail: `retake:${temperature.celsius}` });
        pending('retake_temperature');
        break;
      case 'rest':
        checks.push({ code: 'temperature', outcome: 'pending', detail: `rest:${temperature.celsius}` });
        pending('rest');
        break;
      case 'normal':
        checks.push({ code: 'temperature', outcome: 'pass', detail: `normal:${temperature.celsius}` });
        break;
      case 'fever':
        checks.push({ code: 'temperature', outcome: 'fail', detail: `fever:${temperature.celsius}` });
        reasons.push('fever');
        break;
    }

  if (policy.nucleicTest.scope === 'nobody') checks.push(notRequired('nucleic_test'));
  else if (!testRequired) checks.push({ code: 'nucleic_test', outcome: 'not_applicable', detail: 'in_city' });
  else if (input.testConfirmed === null) {
    checks.push({ code: 'nucleic_test', outcome: 'pending', detail: 'not_checked' });
    pending('nucleic_test');
  } else {
    checks.push({
      code: 'nucleic_test',
      outcome: input.testConfirmed ? 'pass' : 'fail',
      detail: input.testConfirmed ? 'confirmed' : 'not_confirmed',
    });
    if (!input.testConfirmed) reasons.push('test_not_confirmed');
  }

  if (input.commitment) {
    const c = input.commitment;
    if (!policy.commitment) checks.push(notRequired('commitment'));
    else if (c.signedOnline) checks.push({ code: 'commitment', outcome: 'pass', detail: 'signed_online' });
    else if (c.onPaper === null) {
      checks.push({ code: 'commitment', outcome: 'pending', detail: 'not_signed' });
      pending('commitment');
    } else {
      checks.push({
        code: 'commitment',
        outcome: c.onPaper ? 'pass' : 'fail',
        detail: c.onPaper ? 'signed_on_paper' : 'refused',
      });
      if (!c.onPaper) reasons.push('commitment_refused');
    }
  }

  if (input.idConfirmed === false) {
    checks.push({ code: 'id_match', outcome: 'fail', detail: 'mismatch' });
    reasons.push('id_mismatch');
  } else if (policy.idMatch === 'required' && !input.idConfirmed) {
    checks.push({ code: 'id_match', outcome: 'pending', detail: 'not_checked' });
    pending('id_match');
  } else {
    // Confirming the ID is optional at the gate (the guard looks); a recorded mismatch refuses.
    checks.push({
      code: 'id_match',
      outcome: input.idConfirmed ? 'pass' : 'not_applicable',
      detail: input.idConfirmed ? 'confirmed' : 'not_asked',
    });
  }

  // Any failure refuses at once: there is no point measuring a visitor whose pass is revoked.
  if (reasons.length)
    return { verdict: 'refuse', checks: unfinished(checks, input.pass.ok), reasons, next: null, temperature };
  return { verdict: next ? 'incomplete' : 'admit', checks, reasons, next, temperature };
}

/**
 * A refusal's checks as they stand: what was still to do is not done; when the pass itself failed,
 * nothing checked against it (the block list by its ID hash, the entrant's answers) counts as passed.
 */
function unfinished(checks: CheckResult[], passOk: boolean): CheckResult[] {
  return checks.map((c) => {
    if (c.code === 'snapshot' || c.code === 'pass' || c.outcome === 'fail') return c;
    if (c.outcome === 'pending' || (!passOk && c.outcome === 'pass'))
      return { ...c, outcome: 'not_done', detail: passOk ? 'refused_before' : 'pass_failed' };
    return c;
  });
}

/** Bilingual refusal reasons, for the verdict screen and the slip the guard shows the entrant. */
const REFUSAL_TEXT: Record<RefusalReason, { zh: string; en: string }> = {
  courier: {
    zh: '快递人员不得入校，请将包裹送至校门快递点',
    en: 'Couriers may not enter; please leave parcels at the gate parcel point',
  },
  food_delivery: {
    zh: '外卖人员不得入校，请在校门外卖点交接',
    en: 'Food delivery may not enter; please hand over at the gate pick-up point',
  },
  walk_in: { zh: '未经备案，不得入校', en: 'No approved visit request: entry is not allowed' },
  other: { zh: '不符合入校条件', en: 'Entry conditions not met' },
  pass_malformed: { zh: '无法识别的通行码', en: 'Unreadable pass' },
  pass_unknown_key: { zh: '通行码签名密钥未知', en: 'The pass was signed by an unknown key' },
  pass_bad_signature: { zh: '通行码无效（签名校验失败）', en: 'Invalid pass (signature check failed)' },
  pass_not_yet_valid: { zh: '通行码尚未生效', en: 'The pass is not valid yet' },
  pass_expired: { zh: '通行码已过期', en: 'The pass has expired' },
  pass_wrong_gate: { zh: '通行码不适用于本校门', en: 'The pass is for another gate' },
  pass_revoked: { zh: '通行码已作废', en: 'The pass has been revoked' },
  pass_unknown_pass: { zh: '本校门无此通行码记录', en: 'This gate has no record of the pass' },
  pass_no_entries_left: { zh: '通行码入校次数已用完', en: 'The pass has no entries left' },
  pass_code_required: { zh: '请出示手机上的动态通行码', en: 'Please show the live pass on your phone' },
  pass_stale_code: { zh: '动态码已过期（疑似截图）', en: 'The live code is stale (a screenshot?)' },
  code_red: { zh: '健康码为红码，不得入校', en: 'Red health code: entry refused' },
  code_yellow: { zh: '健康码为黄码，不得入校', en: 'Yellow health code: entry refused' },
  fever: {
    zh: '体温≥{threshold}°C，请前往发热门诊',
    en: 'Temperature at or above {threshold} °C; please go to the fever clinic',
  },
  test_not_confirmed: {
    zh: '未能出示{hours}小时内核酸阴性证明',
    en: 'No negative test within {hours} hours shown',
  },
  commitment_refused: {
    zh: '未签署个人健康承诺书，不得入校',
    en: 'The personal health commitment was not signed: entry refused',
  },
  id_mismatch: { zh: '证件与通行码不符', en: 'ID document does not match the pass' },
  block_list: {
    zh: '该人员在禁止入校名单内，请联系保卫处',
    en: 'This person is on the block list; contact the security office',
  },
  snapshot_stale: { zh: '门岗数据过旧，暂停离线放行', en: 'Gate data is too old: offline admits are paused' },
  no_leave: {
    zh: '无已批准的请假，不得离校（请先在手机上请假并经审批）',
    en: 'No approved leave covers now: leaving is refused (file leave on your phone and have it approved)',
  },
  checkin_missing: {
    zh: '今日未完成健康打卡，请先打卡',
    en: "Today's health check-in is not done: please check in first",
  },
  risk_hold: {
    zh: '自风险地区返校，须经保卫处解除后方可入校',
    en: 'Back from a risk area: entry waits until the security office clears you',
  },
};

/** A refusal's words with the figures of the policy that refused: the threshold and test window in force. */
export function refusalText(reason: RefusalReason, policy: EntrantPolicy): { zh: string; en: string } {
  const fill = (text: string) =>
    text
      .replace('{threshold}', policy.temperature.thresholdC.toFixed(1))
      .replace('{hours}', String(policy.nucleicTest.hours));
  const t = REFUSAL_TEXT[reason];
  return { zh: fill(t.zh), en: fill(t.en) };
}

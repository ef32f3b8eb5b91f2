import { sql } from 'drizzle-orm';
import { addDays, campusDate, instantAt } from '../domain/dates';
import { maskPhone } from '../domain/names';
import type { Rules } from '../domain/rules';
import type { Db, Tx } from '../db/open';

/**
 * Admits with no later exit, no later admit of the same pass (that one counts instead) and no
 * end-of-day closure: the people on campus now, as far as the gates know.
 */
const stillInside = sql`
  e.type = 'decision' and e.verdict = 'admit' and +e.pass_id is not null and e.pass_mismatch is null
  and not exists (select 1 from gate_events x indexed by gate_events_pass_idx where x.pass_id = e.pass_id and x.type = 'exit' and x.at > e.at)
  and not exists (select 1 from gate_events y indexed by gate_events_pass_idx where y.pass_id = e.pass_id and y.type = 'decision' and y.verdict = 'admit' and y.at > e.at)
  and not exists (select 1 from presence_closures c where c.event_id = e.id)`;

export interface Presence {
  eventId: string;
  passId: string;
  admittedAt: string;
  gateId: number;
  gateName: string;
  visitorId: number;
  visitorName: string;
  department: string;
  escortName: string;
  escortPhone: string;
  escortArrived: boolean;
  windowEnd: string;
  overstay: boolean;
  /**
   * Already inside when a rule, risk-area or block-list change failed them: the checks they now fail
   * (empty unless their pass was revoked by a re-check after they came in, and not overridden since).
   */
  failedChecks: string[];
}

/**
 * Where each of these passes' holders came in, for those still inside: the tablet tells a guard who
 * scans a used-up pass "already on campus since 09:12 at 北门", not only "no entries left".
 */
export function insideByPass(db: Tx, passIds: readonly string[]) {
  if (passIds.length === 0) return new Map<string, Inside>();
  const rows = db.all<{ passId: string; at: number; gateId: number; gateName: string; gateNameEn: string }>(sql`
    select e.pass_id as passId, e.at as at, e.gate_id as gateId, g.name as gateName, g.name_en as gateNameEn
    from gate_events e indexed by gate_events_pass_idx cross join gates g on g.id = e.gate_id
    where e.pass_id in (select value from json_each(${JSON.stringify(passIds)})) and ${stillInside}`);
  return new Map<string, Inside>(
    rows.map((r) => [
      r.passId,
      { since: new Date(r.at).toISOString(), gateId: r.gateId, gateName: r.gateName, gateNameEn: r.gateNameEn },
    ]),
  );
}

/** Where and since when a pass's holder is inside, as the tablets' snapshot carries it. */
export interface Inside {
  since: string;
  gateId: number;
  gateName: string;
  gateNameEn: string;
}

// Anyone admitted before yesterday was closed by the end-of-day job (it runs at start and every few minutes).
const presenceSince = (now: Date, rules: Rules) =>
  instantAt(addDays(campusDate(now, rules.timezone), -1), '00:00', rules.timezone).getTime();

/** How many are inside now: the office's live-wall figure, which every tablet's status bar shows too. */
export function countOnCampus(db: Tx, now: Date, rules: Rules): number {
  const since = presenceSince(now, rules);
  return db.get<{ n: number }>(sql`select count(*) as n from gate_events e where e.at >= ${since} and ${stillInside}`)!
    .n;
}

export function onCampusNow(db: Tx, now: Date, rules: Rules): Presence[] {
  const since = presenceSince(now, rules);
  const rows = db.all<{
    eventId: string;
    passId: string;
    at: number;
    gateId: number;
    gateName: string;
    visitorId: number;
    visitorName: string;
    department: string;
    escortName: string;
    escortPhone: string;
    dateTo: string;
    timeTo: string;
    escortArrived: number;
    checks: string;
    recheckedAfter: number;
  }>(sql`
    with inside as materialized (select e.id, e.pass_id, e.at, e.gate_id from gate_events e where e.at >= ${since} and ${stillInside})
    select e.id as eventId, e.pass_id as passId, e.at as at, e.gate_id as gateId, g.name as gateName, v.id as visitorId, v.name as visitorName, d.name as department,
      r.escort_name as escortName, r.escort_phone as escortPhone, r.visit_date_to as dateTo, r.time_to as timeTo,
      v.checks as checks, coalesce(p.revoke_reason = 'recheck' and p.revoked_at > e.at, 0) as recheckedAfter,
      exists (select 1 from gate_events a indexed by gate_events_pass_idx where a.pass_id = e.pass_id and a.type = 'escort_arrived' and a.at >= e.at and coalesce(a.escort_check, '') != 'not_escort') as escortArrived
    from inside e
    cross join passes p on p.id = e.pass_id cross join visitors v on v.id = p.visitor_id cross join visit_requests r on r.id = p.request_id
    cross join departments d on d.id = r.department_id cross join gates g on g.id = e.gate_id
    order by e.at`);
  const ends = new Map<string, Date>();
  return rows.map((r) => {
    const key = `${r.dateTo} ${r.timeTo}`;
    let windowEnd = ends.get(key);
    if (!windowEnd) ends.set(key, (windowEnd = instantAt(r.dateTo, r.timeTo, rules.timezone)));
    return {
      eventId: r.eventId,
      passId: r.passId,
      admittedAt: new Date(r.at).toISOString(),
      gateId: r.gateId,
      gateName: r.gateName,
      visitorId: r.visitorId,
      visitorName: r.visitorName,
      department: r.department,
      escortName: r.escortName,
      escortPhone: maskPhone(r.escortPhone),
      escortArrived: r.escortArrived === 1,
      windowEnd: windowEnd.toISOString(),
      overstay: now > windowEnd,
      failedChecks: r.recheckedAfter ? (JSON.parse(r.checks) as string[]) : [],
    };
  });
}

/**
 * At the end of each campus day, whoever was admitted that day (or before) and never seen leaving
 * is closed as "expired, not signed out": counted in that day's report, never dropped silently.
 */
export function closeUnsignedOut(db: Db, now: Date, rules: Rules): number {
  const todayStart = instantAt(campusDate(now, rules.timezone), '00:00', rules.timezone).getTime();
  const open = db.all<{ id: string; passId: string; at: number }>(sql`
    select e.id as id, e.pass_id as passId, e.at as at from gate_events e where e.at < ${todayStart} and ${stillInside}`);
  db.transaction((tx) => {
    for (const e of open) {
      tx.run(
        sql`insert into presence_closures (event_id, pass_id, day, closed_at, kind) values (${e.id}, ${e.passId}, ${campusDate(new Date(e.at), rules.timezone)}, ${now.getTime()}, 'expired_not_signed_out') on conflict do nothing`,
      );
    }
  });
  return open.length;
}

import { sql } from 'drizzle-orm';
import { campusDate, instantAt } from '../domain/dates';
import { maskPhone } from '../domain/names';
import type { Rules } from '../domain/rules';
import type { Db } from '../db/open';

const LOOKBACK_MS = 3 * 86_400_000;

/**
 * Admits with no later exit, no later admit of the same pass (that one counts instead) and no
 * end-of-day closure: the people on campus now, as far as the gates know.
 */
const stillInside = sql`
  e.type = 'decision' and e.verdict = 'admit' and e.pass_id is not null
  and not exists (select 1 from gate_events x where x.pass_id = e.pass_id and x.type = 'exit' and x.at > e.at)
  and not exists (select 1 from gate_events y where y.pass_id = e.pass_id and y.type = 'decision' and y.verdict = 'admit' and y.at > e.at)
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
}

export function onCampusNow(db: Pick<Db, 'all'>, now: Date, rules: Rules): Presence[] {
  const rows = db.all<{ eventId: string; passId: string; at: number; gateId: number; gateName: string; visitorId: number; visitorName: string; department: string; escortName: string; escortPhone: string; dateTo: string; timeTo: string; escortArrived: number }>(sql`
    select e.id as eventId, e.pass_id as passId, e.at as at, e.gate_id as gateId, g.name as gateName, v.id as visitorId, v.name as visitorName, d.name as department,
      r.escort_name as escortName, r.escort_phone as escortPhone, r.visit_date_to as dateTo, r.time_to as timeTo,
      exists (select 1 from gate_events a where a.pass_id = e.pass_id and a.type = 'escort_arrived' and a.at >= e.at) as escortArrived
    from gate_events e
    join passes p on p.id = e.pass_id join visitors v on v.id = p.visitor_id join visit_requests r on r.id = p.request_id
    join departments d on d.id = r.department_id join gates g on g.id = e.gate_id
    where e.at >= ${now.getTime() - LOOKBACK_MS} and ${stillInside}
    order by e.at`);
  return rows.map((r) => {
    const windowEnd = instantAt(r.dateTo, r.timeTo, rules.timezone);
    return {
      eventId: r.eventId, passId: r.passId, admittedAt: new Date(r.at).toISOString(), gateId: r.gateId, gateName: r.gateName, visitorId: r.visitorId, visitorName: r.visitorName,
      department: r.department, escortName: r.escortName, escortPhone: maskPhone(r.escortPhone), escortArrived: r.escortArrived === 1,
      windowEnd: windowEnd.toISOString(), overstay: now > windowEnd,
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
      tx.run(sql`insert into presence_closures (event_id, pass_id, day, closed_at, kind) values (${e.id}, ${e.passId}, ${campusDate(new Date(e.at), rules.timezone)}, ${now.getTime()}, 'expired_not_signed_out') on conflict do nothing`);
    }
  });
  return open.length;
}

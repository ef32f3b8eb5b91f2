import { sql } from 'drizzle-orm';
import { addDays, campusDate, instantAt } from '../domain/dates';
import type { Tx } from '../db/open';
import { normalizeName } from '../domain/names';

export interface Passage {
  at: string;
  gateId: number;
  gateName: string;
  type: string;
  verdict: string | null;
  passId: string | null;
  visitorId: number | null;
  visitorName: string | null;
  phone: string | null;
  idLast4: string | null;
  department: string | null;
}

/** Who passed a gate (or any gate) between two instants: every decision and exit, oldest first. */
export function passages(
  db: Tx,
  { from, to, gateId }: { from: Date; to: Date; gateId?: number | undefined },
): Passage[] {
  return db
    .all<Omit<Passage, 'at'> & { at: number }>(
      sql`
      select e.at as at, e.gate_id as gateId, g.name as gateName, e.type as type, e.verdict as verdict, e.pass_id as passId,
        v.id as visitorId, v.name as visitorName, v.phone as phone, v.id_last4 as idLast4, d.name as department
      from gate_events e join gates g on g.id = e.gate_id
      left join passes p on p.id = e.pass_id left join visitors v on v.id = p.visitor_id
      left join visit_requests r on r.id = p.request_id left join departments d on d.id = r.department_id
      where e.at >= ${from.getTime()} and e.at < ${to.getTime()} and e.type in ('decision', 'exit') ${gateId ? sql`and e.gate_id = ${gateId}` : sql``}
      order by e.at, e.id`,
    )
    .map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
}

export interface Stay {
  visitorId: number;
  visitorName: string;
  phone: string;
  department: string;
  from: string;
  to: string;
  /** How the stay ended: an exit scan, the end-of-day closure, or still inside. */
  end: 'exit' | 'expired_not_signed_out' | 'inside';
}

/**
 * Stays on campus: from an admit to the first exit after it; without an exit, to the end of that
 * campus day (the end-of-day job closes it there) or to now for today. Only admits that began in
 * [from, to) can be found, plus those of the day before (a stay never outlives its campus day).
 */
function staysSql(from: number, to: number, now: number, visitorId?: number) {
  return sql`
    with admits as materialized (
      select e.id, e.pass_id, e.at,
        (select min(x.at) from gate_events x indexed by gate_events_pass_idx where x.pass_id = e.pass_id and x.type = 'exit' and x.at > e.at) as exit_at,
        exists (select 1 from presence_closures c where c.event_id = e.id) as closed
      from gate_events e
      where e.type = 'decision' and e.verdict = 'admit' and +e.pass_id is not null and e.at < ${to} and e.at >= ${from - 86_400_000}
        ${visitorId ? sql`and e.pass_id in (select p.id from passes p where p.visitor_id = ${visitorId})` : sql``}
    )
    select v.id as visitorId, v.name as visitorName, v.phone as phone, d.name as department, a.at as start, a.exit_at as exitAt, a.closed as closed
    -- CROSS JOIN keeps the admits outermost: SQLite would otherwise start from the departments.
    from admits a cross join passes p on p.id = a.pass_id cross join visitors v on v.id = p.visitor_id
    cross join visit_requests r on r.id = p.request_id cross join departments d on d.id = r.department_id
    where coalesce(a.exit_at, ${now}) > ${from}
    order by a.at`;
}

type StayRow = {
  visitorId: number;
  visitorName: string;
  phone: string;
  department: string;
  start: number;
  exitAt: number | null;
  closed: number;
};

/** Turns rows into stays; the end of each admit's campus day is looked up once per hour of arrival. */
function toStays(rows: StayRow[], now: number, timezone: string): Stay[] {
  const dayEnds = new Map<number, number>();
  const dayEndOf = (at: number) => {
    const hour = Math.floor(at / 3_600_000);
    let end = dayEnds.get(hour);
    if (end === undefined)
      dayEnds.set(hour, (end = instantAt(addDays(campusDate(new Date(at), timezone), 1), '00:00', timezone).getTime()));
    return end;
  };
  return rows.map((r) => {
    const dayEnd = dayEndOf(r.start);
    const ended = r.closed === 1 || now >= dayEnd;
    const end = r.exitAt ?? (ended ? dayEnd : now);
    return {
      visitorId: r.visitorId,
      visitorName: r.visitorName,
      phone: r.phone,
      department: r.department,
      from: new Date(r.start).toISOString(),
      to: new Date(end).toISOString(),
      end: r.exitAt ? 'exit' : ended ? 'expired_not_signed_out' : 'inside',
    };
  });
}

/**
 * Who was on campus at the same time as a visitor, within a period: the visitor's stays first,
 * then every other stay that overlaps one of them, with the overlap.
 */
export function coPresence(
  db: Tx,
  { visitorId, from, to, now, timezone }: { visitorId: number; from: Date; to: Date; now: Date; timezone: string },
) {
  const own = toStays(
    db.all<StayRow>(staysSql(from.getTime(), to.getTime(), now.getTime(), visitorId)),
    now.getTime(),
    timezone,
  );
  if (own.length === 0) return { stays: own, others: [] };
  const lo = Math.max(from.getTime(), Math.min(...own.map((o) => Date.parse(o.from))));
  const hi = Math.min(to.getTime(), Math.max(...own.map((o) => Date.parse(o.to))));
  const candidates = toStays(db.all<StayRow>(staysSql(lo, hi, now.getTime())), now.getTime(), timezone);
  const others = candidates
    .filter((s) => s.visitorId !== visitorId)
    .flatMap((s) =>
      own.flatMap((o) => {
        const start = Math.max(Date.parse(s.from), Date.parse(o.from));
        const end = Math.min(Date.parse(s.to), Date.parse(o.to));
        return end > start
          ? [{ ...s, overlapFrom: new Date(start).toISOString(), overlapTo: new Date(end).toISOString() }]
          : [];
      }),
    );
  return { stays: own, others };
}

/**
 * The visitors a tracer means by a name, a phone number or an ID's last four: whom to trace, found
 * without an internal number from another page. At most 20, newest first, with their visit's dates.
 */
export function findVisitors(db: Tx, q: string) {
  const text = q.trim();
  const digits = text.replace(/[^\dXx]/g, '').toUpperCase();
  const byLast4 = /^[\dX]{4}$/.test(digits) && digits.length === text.length;
  const byPhone = /^\+?[\d\s-]{7,}$/.test(text);
  return db.all<{
    id: number;
    name: string;
    idLast4: string;
    phone: string;
    visitDateFrom: string;
    visitDateTo: string;
    department: string;
  }>(sql`
    select v.id as id, v.name as name, v.id_last4 as idLast4, v.phone as phone,
      r.visit_date_from as visitDateFrom, r.visit_date_to as visitDateTo, d.name as department
    from visitors v cross join visit_requests r on r.id = v.request_id cross join departments d on d.id = r.department_id
    where v.purged_at is null and ${
      byLast4
        ? sql`v.id_last4 = ${digits}`
        : byPhone
          ? sql`v.phone like ${`%${text.replace(/[^\d]/g, '').slice(-11)}`}`
          : sql`(v.name = ${text} or v.name_norm = ${normalizeName(text)})`
    }
    order by v.id desc limit 20`);
}

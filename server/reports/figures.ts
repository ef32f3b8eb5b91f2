import { sql } from 'drizzle-orm';
import { addDays, instantAt } from '../domain/dates';
import type { Rules } from '../domain/rules';
import type { Db } from '../db/open';
import { refusalGroup, zeroFigures, type DayFigures } from '../domain/report-figures';

export { REFUSAL_GROUPS, type DayFigures, type RefusalGroup } from '../domain/report-figures';

export function dayBounds(day: string, timezone: string) {
  return { start: instantAt(day, '00:00', timezone).getTime(), end: instantAt(addDays(day, 1), '00:00', timezone).getTime() };
}

/**
 * The figures of one campus day for one gate (or the whole campus with `gateId` null), counted
 * from the events the tablets synced, by the time they happened (not when they arrived). A few
 * aggregate queries over the (gate, time) index: docs/benchmarks.md has the cost at 1,000,000 events.
 */
export function computeDayFigures(db: Pick<Db, 'all' | 'get'>, day: string, gateId: number | null, rules: Rules, now: Date): DayFigures {
  const { start, end } = dayBounds(day, rules.timezone);
  const f = zeroFigures();
  const gate = gateId === null ? sql`1 = 1` : sql`e.gate_id = ${gateId}`;
  const inDay = sql`e.at >= ${start} and e.at < ${end} and ${gate}`;

  const rows = db.all<{ type: string; verdict: string | null; reason: string | null; n: number; late: number; feverish: number }>(sql`
    select e.type, e.verdict, json_extract(e.reasons, '$[0]') as reason, count(*) as n,
      sum(e.received_at >= ${end}) as late,
      sum(e.type = 'decision' and exists (
        select 1 from json_each(e.input, '$.temperatures') t
        where json_extract(t.value, '$.celsius') >= ${rules.feverThresholdC} and json_extract(t.value, '$.celsius') <= ${rules.plausibleMaxC})) as feverish
    from gate_events e where ${inDay}
    group by 1, 2, 3`);
  for (const r of rows) {
    f.lateEvents += r.late;
    if (r.type === 'exit') f.exits += r.n;
    if (r.type !== 'decision') continue;
    f.entrants += r.n;
    f.feverRetests += r.feverish;
    if (r.verdict === 'admit') f.admitted += r.n;
    else {
      f.refused += r.n;
      f.refusedBy[refusalGroup(r.reason)] += r.n;
    }
  }

  // Admits of the day with their visit's window end and the first exit after them.
  const admits = db.all<{ emergency: number; windowEnd: string; exitAt: number | null }>(sql`
    select r.emergency as emergency, r.visit_date_to || ' ' || r.time_to as windowEnd,
      (select min(x.at) from gate_events x where x.pass_id = e.pass_id and x.type = 'exit' and x.at > e.at) as exitAt
    from gate_events e join passes p on p.id = e.pass_id join visit_requests r on r.id = p.request_id
    where ${inDay} and e.type = 'decision' and e.verdict = 'admit'`);
  for (const a of admits) {
    if (a.emergency) f.emergencyAdmits += 1;
    const [date, time] = a.windowEnd.split(' ') as [string, string];
    const windowEnd = instantAt(date, time, rules.timezone).getTime();
    if ((a.exitAt ?? now.getTime()) > windowEnd) f.overstays += 1;
  }

  f.expiredNotSignedOut = db.get<{ n: number }>(sql`
    select count(*) as n from presence_closures c join gate_events e on e.id = c.event_id where c.day = ${day} and ${gate}`)?.n ?? 0;

  const gateMatch = gateId === null ? sql`1 = 1` : sql`exists (select 1 from json_each(r.gate_ids) g where g.value = ${gateId})`;
  f.overdueBackfills = db.get<{ n: number }>(sql`
    select count(*) as n from visit_requests r
    where r.emergency = 1 and r.created_at >= ${start} and r.created_at < ${end} and ${gateMatch}
      and r.backfill_due_at < coalesce(r.backfilled_at, ${now.getTime()})`)?.n ?? 0;

  // Minutes of the day (so far) each of the gate's tablets was enrolled and not heard from.
  const tablets = db.all<{ id: number; from: number; to: number }>(sql`
    select d.id, max(d.enrolled_at, ${start}) as "from", min(coalesce(d.revoked_at, ${end}), ${end}, ${now.getTime()}) as "to"
    from devices d where d.enrolled_at < ${end} and coalesce(d.revoked_at, ${end}) > ${start} and ${gateId === null ? sql`1 = 1` : sql`d.gate_id = ${gateId}`}`);
  for (const t of tablets) {
    if (t.to <= t.from) continue;
    const first = Math.floor(t.from / 60_000);
    const last = Math.ceil(t.to / 60_000);
    const heard = db.get<{ n: number }>(sql`select count(*) as n from device_contacts where device_id = ${t.id} and minute >= ${first} and minute < ${last}`)?.n ?? 0;
    f.tabletOfflineMinutes += Math.max(0, last - first - heard);
  }
  return f;
}

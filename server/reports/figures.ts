import { sql } from 'drizzle-orm';
import { addDays, instantAt } from '../domain/dates';
import type { Rules } from '../domain/rules';
import type { Tx } from '../db/open';
import { refusalGroup, zeroFigures, type DayFigures } from '../domain/report-figures';

export { REFUSAL_GROUPS, type DayFigures, type RefusalGroup } from '../domain/report-figures';

export const CAMPUS = 'campus';

export function dayBounds(day: string, timezone: string) {
  return {
    start: instantAt(day, '00:00', timezone).getTime(),
    end: instantAt(addDays(day, 1), '00:00', timezone).getTime(),
  };
}

type Numeric = Exclude<keyof DayFigures, 'refusedBy'>;

function addInto(total: DayFigures, part: DayFigures) {
  for (const k of Object.keys(part) as (keyof DayFigures)[]) {
    if (k === 'refusedBy')
      for (const g of Object.keys(part.refusedBy) as (keyof DayFigures['refusedBy'])[])
        total.refusedBy[g] += part.refusedBy[g];
    else total[k as Numeric] += part[k as Numeric];
  }
}

/**
 * The figures of one campus day for every gate and for the campus, counted from the events the
 * tablets synced by the time they happened (not when they arrived). Each query runs once for the
 * whole day, grouped by gate; the campus is the sum of its gates, except emergency backfills,
 * whose requests may name several gates. docs/benchmarks.md has the cost at 1,000,000 events.
 * Answers a map keyed by gate id (as text) and 'campus'.
 */
export function computeDay(db: Tx, day: string, gateIds: number[], rules: Rules, now: Date): Map<string, DayFigures> {
  const { start, end } = dayBounds(day, rules.timezone);
  const byGate = new Map(gateIds.map((g) => [g, zeroFigures()]));
  const of = (g: number) => {
    let f = byGate.get(g);
    if (!f) byGate.set(g, (f = zeroFigures()));
    return f;
  };

  const rows = db.all<{
    gateId: number;
    type: string;
    verdict: string | null;
    reason: string | null;
    n: number;
    late: number;
    feverish: number;
  }>(sql`
    select e.gate_id as gateId, e.type, e.verdict, json_extract(e.reasons, '$[0]') as reason, count(*) as n,
      sum(e.received_at >= ${end}) as late,
      -- The engine's own answer, under the rule version that made each decision (kiosk/ingest.ts).
      sum(e.fever_retest) as feverish
    from gate_events e
    where e.at >= ${start} and e.at < ${end}
    group by 1, 2, 3, 4`);
  for (const r of rows) {
    const f = of(r.gateId);
    f.lateEvents += r.late;
    if (r.type === 'exit') f.exits += r.n;
    if (r.type === 'member_exit' || r.type === 'member_entry') {
      const out = r.type === 'member_exit';
      if (r.verdict === 'admit') f[out ? 'memberExits' : 'memberReturns'] += r.n;
      else {
        f[out ? 'memberExitsRefused' : 'memberEntriesRefused'] += r.n;
        if (r.reason === 'no_leave') f.memberRefusedNoLeave += r.n;
        if (r.reason === 'checkin_missing') f.memberRefusedNoCheckIn += r.n;
        if (r.reason === 'risk_hold') f.memberRefusedRiskHold += r.n;
      }
      continue;
    }
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
  const admits = db.all<{
    gateId: number;
    emergency: number;
    overridden: number;
    declaredBy: 'filer' | 'visitor';
    dateTo: string;
    timeTo: string;
    exitAt: number | null;
  }>(sql`
    select e.gate_id as gateId, r.emergency as emergency, r.visit_date_to as dateTo, r.time_to as timeTo,
      coalesce(v.override_at <= e.at, 0) as overridden, v.declared_by as declaredBy,
      (select min(x.at) from gate_events x indexed by gate_events_pass_idx where x.pass_id = e.pass_id and x.type = 'exit' and x.at > e.at) as exitAt
    from gate_events e join passes p on p.id = e.pass_id join visit_requests r on r.id = p.request_id
      join visitors v on v.id = p.visitor_id
    where e.at >= ${start} and e.at < ${end} and e.type = 'decision' and e.verdict = 'admit'`);
  const windowEnds = new Map<string, number>();
  for (const a of admits) {
    const f = of(a.gateId);
    if (a.emergency) f.emergencyAdmits += 1;
    else if (a.declaredBy === 'visitor') f.selfDeclaredAdmits += 1;
    else f.paperPathAdmits += 1;
    if (a.overridden) f.overrideAdmits += 1;
    const key = `${a.dateTo} ${a.timeTo}`;
    let windowEnd = windowEnds.get(key);
    if (windowEnd === undefined)
      windowEnds.set(key, (windowEnd = instantAt(a.dateTo, a.timeTo, rules.timezone).getTime()));
    if ((a.exitAt ?? now.getTime()) > windowEnd) f.overstays += 1;
  }

  for (const c of db.all<{ gateId: number; n: number }>(sql`
    select e.gate_id as gateId, count(*) as n from presence_closures c join gate_events e on e.id = c.event_id where c.day = ${day} group by 1`)) {
    of(c.gateId).expiredNotSignedOut += c.n;
  }

  // Minutes of the day (so far) each tablet was enrolled and not heard from.
  const tablets = db.all<{ id: number; gateId: number; from: number; to: number }>(sql`
    select d.id, d.gate_id as gateId, max(d.enrolled_at, ${start}) as "from", min(coalesce(d.revoked_at, ${end}), ${end}, ${now.getTime()}) as "to"
    from devices d where d.enrolled_at < ${end} and coalesce(d.revoked_at, ${end}) > ${start}`);
  for (const t of tablets) {
    if (t.to <= t.from) continue;
    const first = Math.floor(t.from / 60_000);
    const last = Math.ceil(t.to / 60_000);
    const heard =
      db.get<{ n: number }>(
        sql`select count(*) as n from device_contacts where device_id = ${t.id} and minute >= ${first} and minute < ${last}`,
      )?.n ?? 0;
    of(t.gateId).tabletOfflineMinutes += Math.max(0, last - first - heard);
  }

  // Emergency requests filed that day whose backfill is missing past its deadline (or came late).
  const overdue = db.all<{ gateIds: string }>(sql`
    select r.gate_ids as gateIds from visit_requests r
    where r.emergency = 1 and r.created_at >= ${start} and r.created_at < ${end} and r.backfill_due_at < coalesce(r.backfilled_at, ${now.getTime()})`);
  for (const o of overdue) for (const g of JSON.parse(o.gateIds) as number[]) of(g).overdueBackfills += 1;

  // Leaves that ended that day with their member still out at the day's end (or now), by exit gate.
  const overdueLeaves = db.all<{ gateId: number | null; n: number }>(sql`
    select exit_gate_id as gateId, count(*) as n from leaves
    where exited_at is not null and to_at >= ${start} and to_at < ${end} and coalesce(returned_at, ${Number.MAX_SAFE_INTEGER}) > min(${end}, ${now.getTime()})
    group by 1`);
  for (const o of overdueLeaves) if (o.gateId !== null) of(o.gateId).overdueLeaves += o.n;

  const out = new Map<string, DayFigures>();
  const campus = zeroFigures();
  for (const [g, f] of byGate) {
    out.set(String(g), f);
    addInto(campus, f);
  }
  campus.overdueBackfills = overdue.length;
  campus.overdueLeaves = overdueLeaves.reduce((n, o) => n + o.n, 0);
  // Members on the roster that day (imported before it ended, not deactivated before it began) with no check-in.
  campus.missingCheckIns =
    db.get<{ n: number }>(sql`
      select count(*) as n from members m
      where m.created_at < ${end} and coalesce(m.deactivated_at, ${end}) >= ${start}
        and not exists (select 1 from member_check_ins c where c.member_id = m.id and c.day = ${day})`)?.n ?? 0;
  out.set(CAMPUS, campus);
  return out;
}

/** One scope of a day ('campus' or a gate id): what a single report row is recomputed from. */
export function computeDayFigures(db: Tx, day: string, gateId: number | null, rules: Rules, now: Date): DayFigures {
  return (
    computeDay(db, day, gateId === null ? [] : [gateId], rules, now).get(gateId === null ? CAMPUS : String(gateId)) ??
    zeroFigures()
  );
}

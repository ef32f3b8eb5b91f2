import { and, asc, desc, eq, gt, gte, inArray, isNotNull, lt, lte, min, or, sql } from 'drizzle-orm';
import { dailyReportHistory, dailyReports, devices, gateEvents, gates, users } from '../db/schema';
import { addDays, campusDate } from '../domain/dates';
import { completeFigures } from '../domain/report-figures';
import { notFound } from '../lib/errors';
import { CAMPUS, computeDay, computeDayFigures, dayBounds, type DayFigures } from './figures';
import type { Rules } from '../domain/rules';
import type { Db, Tx } from '../db/open';

type Row = typeof dailyReports.$inferSelect;

export interface ReportView {
  id: number | null;
  day: string;
  scope: string;
  gateId: number | null;
  gateName: string;
  gateNameEn: string;
  status: 'in_progress' | 'open' | 'signed_off';
  figures: DayFigures;
  signedOffBy: string | null;
  signedOffAt: string | null;
  /** Events of the day that reached the server after the sign-off: the frozen figures miss them. */
  lateSinceSignOff: number;
}

const scopeOf = (gateId: number | null) => (gateId === null ? CAMPUS : String(gateId));

/**
 * Makes the report of every finished campus day for every gate and for the campus, from the
 * first day anything happened (or yesterday) until yesterday, even when all is zero: a missing
 * day is itself a finding, so the office never has to wonder whether "no row" means "nothing".
 */
export function ensureDailyReports(db: Db, now: Date, rules: Rules, within?: { from: string; to: string }) {
  let yesterday = addDays(campusDate(now, rules.timezone), -1);
  if (within && within.to < yesterday) yesterday = within.to;
  const firstEvent = db
    .select({ at: min(gateEvents.at) })
    .from(gateEvents)
    .get()?.at;
  const firstTablet = db
    .select({ at: min(devices.enrolledAt) })
    .from(devices)
    .get()?.at;
  const firstReport = db
    .select({ day: min(dailyReports.day) })
    .from(dailyReports)
    .get()?.day;
  const candidates = [
    yesterday,
    firstReport,
    firstEvent && campusDate(firstEvent, rules.timezone),
    firstTablet && campusDate(firstTablet, rules.timezone),
  ].filter((d): d is string => !!d);
  let day = candidates.sort()[0]!;
  if (within && within.from > day) day = within.from;
  const gateIds = db
    .select({ id: gates.id })
    .from(gates)
    .orderBy(asc(gates.id))
    .all()
    .map((g) => g.id);
  let made = 0;
  for (; day <= yesterday; day = addDays(day, 1)) {
    const have = new Set(
      db
        .select({ scope: dailyReports.scope })
        .from(dailyReports)
        .where(eq(dailyReports.day, day))
        .all()
        .map((r) => r.scope),
    );
    const missing = [null, ...gateIds].filter((g) => !have.has(scopeOf(g)));
    if (missing.length === 0) continue;
    const figures = computeDay(db, day, gateIds, rules, now);
    for (const gateId of missing) {
      db.insert(dailyReports)
        .values({ day, scope: scopeOf(gateId), gateId, figures: figures.get(scopeOf(gateId))!, computedAt: now })
        .onConflictDoNothing()
        .run();
      made += 1;
    }
  }
  return made;
}

/** An open report follows the events: recomputed when any of its day's events arrived after it was computed. */
function refreshed(db: Db, row: Row, rules: Rules, now: Date): Row {
  if (row.signedOffAt) return row;
  const { start, end } = dayBounds(row.day, rules.timezone);
  const newest = db
    .select({ at: sql<number | null>`max(${gateEvents.receivedAt})` })
    .from(gateEvents)
    .where(
      and(
        gte(gateEvents.at, new Date(start)),
        sql`${gateEvents.at} < ${end}`,
        row.gateId === null ? undefined : eq(gateEvents.gateId, row.gateId),
      ),
    )
    .get()?.at;
  if (newest == null || newest <= row.computedAt.getTime()) return row;
  const figures = computeDayFigures(db, row.day, row.gateId, rules, now);
  db.update(dailyReports).set({ figures, computedAt: now }).where(eq(dailyReports.id, row.id)).run();
  return { ...row, figures, computedAt: now };
}

function lateSince(db: Db, row: Row, rules: Rules): number {
  if (!row.signedOffAt) return 0;
  const { start, end } = dayBounds(row.day, rules.timezone);
  return (
    db
      .select({ n: sql<number>`count(*)` })
      .from(gateEvents)
      .where(
        and(
          gte(gateEvents.at, new Date(start)),
          sql`${gateEvents.at} < ${end}`,
          sql`${gateEvents.receivedAt} > ${row.signedOffAt.getTime()}`,
          row.gateId === null ? undefined : eq(gateEvents.gateId, row.gateId),
        ),
      )
      .get()?.n ?? 0
  );
}

function views(db: Db, rows: Row[], rules: Rules, now: Date): ReportView[] {
  const gateNames = new Map(
    db
      .select({ id: gates.id, name: gates.name, nameEn: gates.nameEn })
      .from(gates)
      .all()
      .map((g) => [g.id, g]),
  );
  const signers = new Map(
    db
      .select({ id: users.id, name: users.displayName })
      .from(users)
      .all()
      .map((u) => [u.id, u.name]),
  );
  return rows.map((r0) => {
    const r = refreshed(db, r0, rules, now);
    return {
      id: r.id,
      day: r.day,
      scope: r.scope,
      gateId: r.gateId,
      gateName: r.gateId === null ? '' : (gateNames.get(r.gateId)?.name ?? ''),
      gateNameEn: r.gateId === null ? '' : (gateNames.get(r.gateId)?.nameEn ?? ''),
      status: r.signedOffAt ? 'signed_off' : 'open',
      figures: completeFigures(r.figures as DayFigures),
      signedOffBy: r.signedOffByUserId ? (signers.get(r.signedOffByUserId) ?? null) : null,
      signedOffAt: r.signedOffAt?.toISOString() ?? null,
      lateSinceSignOff: lateSince(db, r, rules),
    };
  });
}

export interface ReportFilter {
  from: string;
  to: string;
  /** 'campus', a gate id, or all scopes. */
  scope?: string | undefined;
}

/**
 * The one query behind the report table and its exports: the same filters give the same rows,
 * in the same order (newest day first, the campus before its gates); pages are slices of it.
 */
export function listReports(
  db: Db,
  filter: ReportFilter,
  rules: Rules,
  now: Date,
  page?: { limit: number; after: ReportKey | undefined },
) {
  const where = and(
    gte(dailyReports.day, filter.from),
    lte(dailyReports.day, filter.to),
    filter.scope ? eq(dailyReports.scope, filter.scope) : undefined,
  );
  const total =
    db
      .select({ n: sql<number>`count(*)` })
      .from(dailyReports)
      .where(where)
      .get()?.n ?? 0;
  const after =
    page?.after &&
    or(
      lt(dailyReports.day, page.after[0]),
      and(
        eq(dailyReports.day, page.after[0]),
        page.after[1] ? gt(dailyReports.gateId, page.after[1]) : isNotNull(dailyReports.gateId),
      ),
    );
  let q = db
    .select()
    .from(dailyReports)
    .where(and(where, after))
    .orderBy(desc(dailyReports.day), sql`${dailyReports.gateId} is not null`, asc(dailyReports.gateId))
    .$dynamic();
  if (page) q = q.limit(page.limit + 1);
  return { total, rows: views(db, q.all(), rules, now) };
}

/** Where a page of reports ends: its last day and gate (0 for the campus report), in the list's order. */
export type ReportKey = [day: string, gateId: number];
export const reportKey = (r: ReportView): ReportKey => [r.day, r.gateId ?? 0];

/** Today so far, per gate and for the campus: not a report yet, nothing to sign. */
export function todaySoFar(db: Db, rules: Rules, now: Date): ReportView[] {
  const day = campusDate(now, rules.timezone);
  const gateRows = db
    .select({ id: gates.id, name: gates.name, nameEn: gates.nameEn })
    .from(gates)
    .orderBy(asc(gates.id))
    .all();
  const figures = computeDay(
    db,
    day,
    gateRows.map((g) => g.id),
    rules,
    now,
  );
  return [{ id: null, name: '', nameEn: '' }, ...gateRows].map((g) => ({
    id: null,
    day,
    scope: scopeOf(g.id),
    gateId: g.id,
    gateName: g.name,
    gateNameEn: g.nameEn,
    status: 'in_progress' as const,
    figures: figures.get(scopeOf(g.id))!,
    signedOffBy: null,
    signedOffAt: null,
    lateSinceSignOff: 0,
  }));
}

export function reportById(db: Db, id: number, rules: Rules, now: Date): ReportView | null {
  const row = db.select().from(dailyReports).where(eq(dailyReports.id, id)).get();
  return row ? views(db, [row], rules, now)[0]! : null;
}

export function reportHistory(db: Db, ids: number[]) {
  if (ids.length === 0) return [];
  return db
    .select({
      reportId: dailyReportHistory.reportId,
      action: dailyReportHistory.action,
      at: dailyReportHistory.at,
      reason: dailyReportHistory.reason,
      by: users.displayName,
    })
    .from(dailyReportHistory)
    .innerJoin(users, eq(users.id, dailyReportHistory.userId))
    .where(inArray(dailyReportHistory.reportId, ids))
    .orderBy(asc(dailyReportHistory.id))
    .all();
}

/** Signing off freezes the figures as they are now; the sign-off names the user and the time. */
/** The stored report row, for a sign-off or a reopening; 404 when there is none. */
export function reportRow(tx: Tx, id: number) {
  const row = tx.select().from(dailyReports).where(eq(dailyReports.id, id)).get();
  if (!row) throw notFound(`Report ${id}`);
  return row;
}

export function signOff(tx: Tx, row: Row, userId: number, rules: Rules, now: Date) {
  const figures = computeDayFigures(tx, row.day, row.gateId, rules, now);
  tx.update(dailyReports)
    .set({ figures, computedAt: now, signedOffByUserId: userId, signedOffAt: now })
    .where(eq(dailyReports.id, row.id))
    .run();
  tx.insert(dailyReportHistory).values({ reportId: row.id, action: 'signed_off', userId, at: now }).run();
}

export function reopen(tx: Tx, row: Row, userId: number, reason: string, now: Date) {
  tx.update(dailyReports).set({ signedOffByUserId: null, signedOffAt: null }).where(eq(dailyReports.id, row.id)).run();
  tx.insert(dailyReportHistory).values({ reportId: row.id, action: 'reopened', userId, at: now, reason }).run();
}

/** Days × figure for the trend charts: admitted, refused and fevers per day, oldest first. */
export function trend(db: Db, days: number, scope: string, rules: Rules, now: Date) {
  const to = addDays(campusDate(now, rules.timezone), -1);
  const from = addDays(to, -(days - 1));
  const { rows } = listReports(db, { from, to, scope }, rules, now);
  const byDay = new Map(rows.map((r) => [r.day, r.figures]));
  const out: { day: string; entrants: number; admitted: number; refused: number; feverRetests: number }[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) {
    const f = byDay.get(d);
    out.push({
      day: d,
      entrants: f?.entrants ?? 0,
      admitted: f?.admitted ?? 0,
      refused: f?.refused ?? 0,
      feverRetests: f?.feverRetests ?? 0,
    });
  }
  return out;
}

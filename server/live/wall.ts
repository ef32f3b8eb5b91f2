import { and, asc, desc, eq, gte, isNull, sql } from 'drizzle-orm';
import { devices, gateEvents, gates, passes, visitors } from '../db/schema';
import { deriveAlerts } from '../alerts/store';
import { campusDate } from '../domain/dates';
import { maskName } from '../domain/names';
import { onCampusNow } from '../presence/store';
import { computeDay } from '../reports/figures';
import type { Rules } from '../domain/rules';
import { levelOf } from '../domain/policy';
import type { Db } from '../db/open';

const LATEST = 8;
/** The wall lists this many alerts (open ones first, newest first) and counts the rest by type. */
const ALERTS_SHOWN = 100;
const RATE_WINDOW_MIN = 10;

const median = (xs: number[]) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * The office's live wall: per gate, today's counts, the pace, the latest decisions and the
 * tablets' health; for the campus, who is inside and the open alerts (last 24 h). Built from the
 * database on every push, so it is never out of step with what was committed.
 */
export function buildWall(db: Db, now: Date, rules: Rules) {
  const today = campusDate(now, rules.timezone);
  const gateRows = db.select().from(gates).where(eq(gates.active, true)).orderBy(asc(gates.id)).all();
  const presence = onCampusNow(db, now, rules);
  const alerts = deriveAlerts(db, now, rules, { sinceMs: 86_400_000, presence });
  const rateSince = new Date(now.getTime() - RATE_WINDOW_MIN * 60_000);
  const todayFigures = computeDay(
    db,
    today,
    gateRows.map((g) => g.id),
    rules,
    now,
  );
  // A guard waiting at a gate for the office's answer: the wall shows them until the office answers.
  const emergencies = db
    .all<{ requestId: number; gateIds: string; at: number; reason: string | null; name: string | null }>(
      sql`select r.id as requestId, r.gate_ids as gateIds, r.created_at as at, r.emergency_reason as reason,
            (select v.name from visitors v where v.request_id = r.id order by v.id limit 1) as name
          from visit_requests r
          where r.emergency = 1 and r.status = 'pending' and r.filed_by_label like 'device:%'
            and r.created_at >= ${now.getTime() - 86_400_000}
          order by r.created_at`,
    )
    .map((e) => {
      const gateId = (JSON.parse(e.gateIds) as number[])[0] ?? null;
      const gate = gateRows.find((g) => g.id === gateId);
      return {
        requestId: e.requestId,
        gateId,
        gateName: gate?.name ?? '',
        gateNameEn: gate?.nameEn ?? '',
        at: new Date(e.at).toISOString(),
        reason: e.reason ?? '',
        name: e.name ?? '',
      };
    });
  return {
    generatedAt: now.toISOString(),
    emergencies,
    day: today,
    level: (({ id, nameZh, nameEn }) => ({ id, nameZh, nameEn }))(levelOf(rules)),
    onCampus: presence.length,
    overstays: presence.filter((p) => p.overstay).length,
    alerts: alerts
      .sort((a, b) => Number(a.acknowledged !== null) - Number(b.acknowledged !== null) || b.at.localeCompare(a.at))
      .slice(0, ALERTS_SHOWN),
    alertCounts: alerts.reduce<Record<string, { open: number; acknowledged: number }>>((acc, a) => {
      const c = (acc[a.type] ??= { open: 0, acknowledged: 0 });
      if (a.acknowledged) c.acknowledged += 1;
      else c.open += 1;
      return acc;
    }, {}),
    gates: gateRows.map((g) => {
      const figures = todayFigures.get(String(g.id))!;
      const latest = db
        .select({
          id: gateEvents.id,
          at: gateEvents.at,
          type: gateEvents.type,
          verdict: gateEvents.verdict,
          reasons: gateEvents.reasons,
          name: visitors.name,
          serverVerdict: gateEvents.serverVerdict,
          serverReasons: gateEvents.serverReasons,
          disagreement: gateEvents.disagreement,
          passMismatch: gateEvents.passMismatch,
        })
        .from(gateEvents)
        .leftJoin(passes, eq(passes.id, gateEvents.passId))
        .leftJoin(visitors, eq(visitors.id, passes.visitorId))
        .where(and(eq(gateEvents.gateId, g.id), sql`${gateEvents.type} in ('decision', 'exit')`))
        .orderBy(desc(gateEvents.at))
        .limit(LATEST)
        .all();
      const recent = db
        .select({ at: gateEvents.at, startedAt: gateEvents.startedAt })
        .from(gateEvents)
        .where(
          and(
            eq(gateEvents.gateId, g.id),
            eq(gateEvents.type, 'decision'),
            gte(gateEvents.at, new Date(now.getTime() - 86_400_000)),
          ),
        )
        .all();
      const tablets = db
        .select()
        .from(devices)
        .where(and(eq(devices.gateId, g.id), isNull(devices.revokedAt)))
        .orderBy(asc(devices.id))
        .all();
      return {
        id: g.id,
        name: g.name,
        nameEn: g.nameEn,
        figures,
        perMinute: Math.round((recent.filter((r) => r.at >= rateSince).length / RATE_WINDOW_MIN) * 10) / 10,
        medianSeconds: median(
          recent
            .filter((r) => r.startedAt && campusDate(r.at, rules.timezone) === today)
            .map((r) => (r.at.getTime() - r.startedAt!.getTime()) / 1000),
        ),
        // The tablet's verdict and, where the server's own check differs, the server's beside it.
        latest: latest.map((e) => ({
          id: e.id,
          at: e.at.toISOString(),
          type: e.type,
          verdict: e.verdict,
          reasons: e.reasons,
          name: e.name ? maskName(e.name) : null,
          server:
            e.disagreement || e.passMismatch
              ? { verdict: e.serverVerdict, reasons: e.serverReasons ?? [], passMismatch: e.passMismatch }
              : null,
        })),
        tablets: tablets.map((d) => ({
          id: d.id,
          name: d.name,
          appVersion: d.appVersion,
          online: d.lastSeenAt !== null && now.getTime() - d.lastSeenAt.getTime() < rules.tabletOfflineMinutes * 60_000,
          lastSeenAt: d.lastSeenAt?.toISOString() ?? null,
          snapshotAgeMinutes: d.lastSnapshotAt
            ? Math.floor((now.getTime() - d.lastSnapshotAt.getTime()) / 60_000)
            : null,
          outboxPending: d.outboxPending,
        })),
      };
    }),
  };
}
export type Wall = ReturnType<typeof buildWall>;

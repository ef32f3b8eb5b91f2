import { asc, gte, sql } from 'drizzle-orm';
import { gateEventRejections, gateEvents, passes, ruleSets } from '../db/schema';
import type { Db } from '../db/open';

export const ALERT_TYPES = ['escort_overdue', 'verdict_disagreement', 'double_use', 'revoked_before_admit', 'stale_rules', 'sequence_gap', 'sequence_reset', 'rejected_event'] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

export interface Alert {
  type: AlertType;
  gateId: number | null;
  deviceId: number | null;
  at: string;
  passId: string | null;
  eventId: string | null;
  detail: string;
}

/**
 * What the office must look at, derived from the events tablets synced, however late: gates
 * that were offline could not see each other, the revocation list, or a rule change. Derived on
 * every read, so an event that arrives days late still raises its conflict.
 */
export function deriveAlerts(db: Pick<Db, 'select' | 'all'>, now: Date, { sinceMs = 7 * 86_400_000, escortWaitMinutes }: { sinceMs?: number; escortWaitMinutes: number }): Alert[] {
  const since = new Date(now.getTime() - sinceMs);
  const events = db.select().from(gateEvents).where(gte(gateEvents.at, since)).orderBy(asc(gateEvents.at)).all();
  const alerts: Alert[] = [];
  const base = (e: (typeof events)[number]) => ({ gateId: e.gateId, deviceId: e.deviceId, at: e.at.toISOString(), passId: e.passId, eventId: e.id });

  const passIds = [...new Set(events.flatMap((e) => (e.passId ? [e.passId] : [])))];
  const passRows = new Map(passIds.length ? db.select().from(passes).all().filter((p) => passIds.includes(p.id)).map((p) => [p.id, p]) : []);
  const versions = db.select({ id: ruleSets.id, createdAt: ruleSets.createdAt }).from(ruleSets).orderBy(asc(ruleSets.id)).all();
  const versionAt = (t: Date) => versions.filter((v) => v.createdAt <= t).at(-1)?.id ?? 0;

  const arrived = new Set(events.filter((e) => e.type === 'escort_arrived' && e.passId).map((e) => e.passId));
  const admitsByPass = new Map<string, typeof events>();
  for (const e of events) {
    if (e.type === 'decision' && e.verdict === 'admit' && e.passId) {
      admitsByPass.set(e.passId, [...(admitsByPass.get(e.passId) ?? []), e]);
      if (!arrived.has(e.passId) && now.getTime() - e.at.getTime() > escortWaitMinutes * 60_000) {
        alerts.push({ type: 'escort_overdue', ...base(e), detail: `${Math.floor((now.getTime() - e.at.getTime()) / 60_000)} min` });
      }
      const pass = passRows.get(e.passId);
      if (pass?.revokedAt && pass.revokedAt < e.at) alerts.push({ type: 'revoked_before_admit', ...base(e), detail: `revoked ${pass.revokedAt.toISOString()}` });
      if (e.ruleVersion && e.ruleVersion < versionAt(e.at)) alerts.push({ type: 'stale_rules', ...base(e), detail: `decided on v${e.ruleVersion}, v${versionAt(e.at)} in force` });
    }
    if (e.disagreement) alerts.push({ type: 'verdict_disagreement', ...base(e), detail: `tablet ${e.verdict}, server ${e.serverVerdict}` });
  }
  for (const [passId, admits] of admitsByPass) {
    const allowed = passRows.get(passId)?.entriesAllowed ?? 1;
    if (admits.length > allowed) {
      const last = admits.at(-1)!;
      const gates = [...new Set(admits.map((a) => a.gateId))].join(',');
      alerts.push({ type: 'double_use', ...base(last), detail: `${admits.length} admits for ${allowed} entries (gates ${gates})` });
    }
  }
  // A device's sequence numbers run 1, 2, 3…: a hole means events lost (a tablet whose storage was
  // evicted), a number used twice means the tablet's counter went back (storage wiped and restored).
  const gaps = db.all<{ deviceId: number; prev: number; seq: number }>(sql`
    select device_id as deviceId, prev, seq from (
      select device_id, seq, lag(seq) over (partition by device_id order by seq) as prev from gate_events
    ) where prev is not null and seq > prev + 1`);
  for (const g of gaps) alerts.push({ type: 'sequence_gap', gateId: null, deviceId: g.deviceId, at: now.toISOString(), passId: null, eventId: null, detail: `missing ${g.prev + 1}–${g.seq - 1}` });
  const reused = db.all<{ deviceId: number; seq: number; n: number }>(sql`select device_id as deviceId, seq, count(*) as n from gate_events group by device_id, seq having count(*) > 1`);
  for (const r of reused) alerts.push({ type: 'sequence_reset', gateId: null, deviceId: r.deviceId, at: now.toISOString(), passId: null, eventId: null, detail: `seq ${r.seq} used by ${r.n} events` });
  for (const r of db.select().from(gateEventRejections).where(gte(gateEventRejections.receivedAt, since)).all()) {
    alerts.push({ type: 'rejected_event', gateId: null, deviceId: r.deviceId, at: r.receivedAt.toISOString(), passId: null, eventId: r.eventId, detail: r.reason });
  }
  return alerts;
}

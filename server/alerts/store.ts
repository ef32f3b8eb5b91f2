import { and, asc, eq, gte, inArray, isNull, lt, sql } from 'drizzle-orm';
import { maskName } from '../domain/names';
import {
  alertAcks,
  devices,
  gateEventRejections,
  leaves,
  members,
  passes,
  ruleSets,
  snapshotResyncs,
  users,
  visitRequests,
} from '../db/schema';
import { campusDate } from '../domain/dates';
import { decisionFindings, isCountedAdmit } from '../domain/gate-findings';
import { entrantOfRequest, policyFor } from '../domain/policy';
import { onCampusNow, type Presence } from '../presence/store';
import { FORGED_PASS_REFUSALS, PASS_MISMATCHES } from '../domain/pass';
import type { Rules } from '../domain/rules';
import type { Tx } from '../db/open';

export const ALERT_TYPES = [
  'fever',
  'block_list',
  'escort_overdue',
  'overstay',
  'recheck_on_campus',
  'double_use',
  'revoked_before_admit',
  'stale_rules',
  'verdict_disagreement',
  'sequence_gap',
  'sequence_reset',
  'rejected_event',
  'tablet_offline',
  'snapshot_divergence',
  'unknown_pass',
  'wrong_gate',
  'outside_window',
  'forged_pass',
  'clock_suspect',
  'leave_overdue',
] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

export interface Alert {
  /** Stable for the same finding, so an acknowledgement sticks to it. */
  key: string;
  type: AlertType;
  gateId: number | null;
  deviceId: number | null;
  at: string;
  passId: string | null;
  eventId: string | null;
  detail: string;
  acknowledged: { by: string; at: string; note: string | null } | null;
}

type Draft = Omit<Alert, 'key' | 'acknowledged'> & { key?: string };
const FORGED = new Set(FORGED_PASS_REFUSALS.map((r) => `pass_${r}`));

/**
 * What the office must look at, derived from the events tablets synced, however late: gates
 * that were offline could not see each other, the revocation list, or a rule change. Derived on
 * every read, so an event that arrives days late still raises its conflict; acknowledgements
 * are stored by alert key and joined in.
 */
export function deriveAlerts(
  db: Tx,
  now: Date,
  rules: Rules,
  { sinceMs = 7 * 86_400_000, presence }: { sinceMs?: number; presence?: Presence[] } = {},
): Alert[] {
  const since = new Date(now.getTime() - sinceMs);
  // Only what the checks need: the decision inputs stay in the database (the last reading is picked out for fevers).
  const events = db
    .all<{
      id: string;
      deviceId: number;
      gateId: number;
      type: string;
      at: number;
      passId: string | null;
      verdict: string | null;
      reasons: string;
      ruleVersion: number | null;
      serverVerdict: string | null;
      disagreement: number;
      passMismatch: string | null;
      clockSuspect: number;
      receivedAt: number;
      lastCelsius: number | null;
      escortCheck: string | null;
    }>(
      sql`
      select id, device_id as deviceId, gate_id as gateId, type, at, pass_id as passId, verdict, reasons, rule_version as ruleVersion, server_verdict as serverVerdict, disagreement,
        pass_mismatch as passMismatch, clock_suspect as clockSuspect, received_at as receivedAt, escort_check as escortCheck,
        case when verdict = 'refuse' then json_extract(input, '$.temperatures[#-1].celsius') end as lastCelsius
      from gate_events where at >= ${since.getTime()} order by at`,
    )
    .map((e) => ({
      ...e,
      at: new Date(e.at),
      reasons: JSON.parse(e.reasons) as string[],
      disagreement: e.disagreement === 1,
    }));
  const drafts: Draft[] = [];
  const base = (e: (typeof events)[number]) => ({
    gateId: e.gateId,
    deviceId: e.deviceId,
    at: e.at.toISOString(),
    passId: e.passId,
    eventId: e.id,
  });

  const passIds = [...new Set(events.flatMap((e) => (e.passId ? [e.passId] : [])))];
  const passRows = new Map<string, typeof passes.$inferSelect>();
  for (let i = 0; i < passIds.length; i += 500) {
    for (const p of db
      .select()
      .from(passes)
      .where(inArray(passes.id, passIds.slice(i, i + 500)))
      .all())
      passRows.set(p.id, p);
  }
  // Whether an admitted entrant waits for an escort is their policy's say (contractors usually do not).
  const requestIds = [...new Set([...passRows.values()].map((p) => p.requestId))];
  const escortNeeded = new Map<number, boolean>();
  for (let i = 0; i < requestIds.length; i += 500) {
    for (const r of db
      .select({
        id: visitRequests.id,
        emergency: visitRequests.emergency,
        queue: visitRequests.queue,
        kind: visitRequests.kind,
      })
      .from(visitRequests)
      .where(inArray(visitRequests.id, requestIds.slice(i, i + 500)))
      .all())
      escortNeeded.set(r.id, policyFor(rules, entrantOfRequest(r)).escort);
  }
  const versions = db
    .select({ id: ruleSets.id, createdAt: ruleSets.createdAt })
    .from(ruleSets)
    .orderBy(asc(ruleSets.id))
    .all();
  const versionAt = (t: Date) => versions.filter((v) => v.createdAt <= t).at(-1)?.id ?? 0;

  // The escort's credential stops the timer only if it was the named escort's or a host-department
  // staff member's; a guard's tap (no credential) is the campus without members.
  const arrived = new Set(
    events
      .filter((e) => e.type === 'escort_arrived' && e.passId && e.escortCheck !== 'not_escort')
      .map((e) => e.passId),
  );
  const admitsByPass = new Map<string, typeof events>();
  // One escort-overdue alert per request and campus day, however many of its visitors wait: a group
  // of 19 is one escort not come, not 19 alerts (nor 19 messages to the escort).
  const overdue = new Map<string, { first: (typeof events)[number]; requestId: number; visitors: number }>();
  for (const e of events) {
    // The server's records refute the pass a tablet admitted on: kept, used nobody's entry, told to the office.
    const mismatch = PASS_MISMATCHES.find((m) => m === e.passMismatch);
    if (mismatch)
      drafts.push({
        type: mismatch,
        ...base(e),
        detail: `tablet ${e.verdict ?? e.type}, server ${e.serverVerdict ?? 'refuse'}`,
      });
    if (e.clockSuspect)
      drafts.push({
        type: 'clock_suspect',
        ...base(e),
        detail: `event ${e.at.toISOString()}, received ${new Date(e.receivedAt).toISOString()}`,
      });
    if (e.type === 'decision' && e.verdict === 'refuse') {
      const forged = e.reasons.find((r) => FORGED.has(r));
      if (forged) drafts.push({ type: 'forged_pass', ...base(e), detail: forged.replace(/^pass_/, '') });
    }
    const pass = e.passId ? passRows.get(e.passId) : undefined;
    const facts = { ...e, at: e.at.getTime(), revokedAt: pass?.revokedAt?.getTime() ?? null };
    let explained = e.passMismatch !== null;
    for (const finding of decisionFindings(facts)) {
      if (finding === 'fever')
        drafts.push({
          type: 'fever',
          ...base(e),
          detail: e.lastCelsius === null ? '' : `${e.lastCelsius.toFixed(1)}°C`,
        });
      if (finding === 'block_list') drafts.push({ type: 'block_list', ...base(e), detail: '' });
      if (finding === 'revoked_before_admit') {
        drafts.push({ type: 'revoked_before_admit', ...base(e), detail: `revoked ${pass!.revokedAt!.toISOString()}` });
        explained = true;
      }
    }
    if (e.passId && isCountedAdmit(facts)) {
      admitsByPass.set(e.passId, [...(admitsByPass.get(e.passId) ?? []), e]);
      const escorted = escortNeeded.get(passRows.get(e.passId)?.requestId ?? 0) ?? true;
      if (escorted && !arrived.has(e.passId) && now.getTime() - e.at.getTime() > rules.escortWaitMinutes * 60_000) {
        const requestId = passRows.get(e.passId)?.requestId ?? 0;
        const key = `${requestId}:${campusDate(e.at, rules.timezone)}`;
        const seen = overdue.get(key);
        if (seen) seen.visitors += 1;
        else overdue.set(key, { first: e, requestId, visitors: 1 });
      }
      if (e.ruleVersion && e.ruleVersion < versionAt(e.at))
        drafts.push({
          type: 'stale_rules',
          ...base(e),
          detail: `decided on v${e.ruleVersion}, v${versionAt(e.at)} in force`,
        });
    }
    // A disagreement that one of the alerts above already explains is not raised twice.
    if (e.disagreement && !explained)
      drafts.push({
        type: 'verdict_disagreement',
        ...base(e),
        detail: `tablet ${e.verdict}, server ${e.serverVerdict}`,
      });
  }
  for (const [key, o] of overdue) {
    const minutes = Math.floor((now.getTime() - o.first.at.getTime()) / 60_000);
    drafts.push({
      type: 'escort_overdue',
      key: `escort_overdue:${key}`,
      ...base(o.first),
      detail: o.visitors > 1 ? `${minutes} min · ${o.visitors} visitors` : `${minutes} min`,
    });
  }
  for (const [passId, admits] of admitsByPass) {
    const allowed = passRows.get(passId)?.entriesAllowed ?? 1;
    if (admits.length > allowed) {
      const last = admits.at(-1)!;
      const gates = [...new Set(admits.map((a) => a.gateId))].join(',');
      drafts.push({
        type: 'double_use',
        key: `double_use:${passId}`,
        ...base(last),
        detail: `${admits.length} admits for ${allowed} entries (gates ${gates})`,
      });
    }
  }
  for (const p of presence ?? onCampusNow(db, now, rules)) {
    if (p.failedChecks.length)
      drafts.push({
        type: 'recheck_on_campus',
        key: `recheck_on_campus:${p.passId}`,
        gateId: p.gateId,
        deviceId: null,
        at: p.admittedAt,
        passId: p.passId,
        eventId: p.eventId,
        detail: `${p.visitorName} is on campus and now fails ${p.failedChecks.join(', ')}`,
      });
    if (p.overstay)
      drafts.push({
        type: 'overstay',
        gateId: p.gateId,
        deviceId: null,
        at: p.windowEnd,
        passId: p.passId,
        eventId: p.eventId,
        detail: `window ended ${p.windowEnd}`,
      });
  }
  // A member out on a leave that has ended without a return scan (seed 002: 销假): one alert per leave,
  // however late, until they come back or the office acknowledges it.
  for (const l of db
    .select({ leave: leaves, number: members.number, name: members.name })
    .from(leaves)
    .innerJoin(members, eq(members.id, leaves.memberId))
    .where(and(eq(leaves.status, 'out'), lt(leaves.toAt, now)))
    .all())
    drafts.push({
      type: 'leave_overdue',
      key: `leave_overdue:${l.leave.id}`,
      gateId: l.leave.exitGateId,
      deviceId: null,
      at: l.leave.toAt.toISOString(),
      passId: null,
      eventId: null,
      detail: `${l.number} ${maskName(l.name)} · ${Math.floor((now.getTime() - l.leave.toAt.getTime()) / 60_000)} min`,
    });
  // A device's sequence numbers run 1, 2, 3…: a hole means events lost (a tablet whose storage was
  // evicted), a number used twice means the tablet's counter went back (storage wiped and restored).
  // Only numbering that events received in the window touch (from the number just before them),
  // device by device so each reads a short stretch of the (device, seq) index.
  const touched = db.all<{ deviceId: number; lo: number }>(
    sql`select device_id as deviceId, min(seq) - 1 as lo from gate_events indexed by gate_events_received_idx where received_at >= ${since.getTime()} group by device_id`,
  );
  for (const { deviceId, lo } of touched) {
    const seqs = db.all<{ seq: number; n: number }>(
      sql`select seq, count(*) as n from gate_events where device_id = ${deviceId} and seq >= ${lo} group by seq order by seq`,
    );
    for (let i = 0; i < seqs.length; i++) {
      const { seq, n } = seqs[i]!;
      if (n > 1)
        drafts.push({
          type: 'sequence_reset',
          key: `sequence_reset:${deviceId}:${seq}`,
          gateId: null,
          deviceId,
          at: now.toISOString(),
          passId: null,
          eventId: null,
          detail: `seq ${seq} used by ${n} events`,
        });
      const prev = seqs[i - 1]?.seq;
      if (prev !== undefined && seq > prev + 1)
        drafts.push({
          type: 'sequence_gap',
          key: `sequence_gap:${deviceId}:${prev + 1}`,
          gateId: null,
          deviceId,
          at: now.toISOString(),
          passId: null,
          eventId: null,
          detail: `missing ${prev + 1}–${seq - 1}`,
        });
    }
  }
  for (const r of db.select().from(gateEventRejections).where(gte(gateEventRejections.receivedAt, since)).all()) {
    drafts.push({
      type: 'rejected_event',
      key: `rejected_event:${r.id}`,
      gateId: null,
      deviceId: r.deviceId,
      at: r.receivedAt.toISOString(),
      passId: null,
      eventId: r.eventId,
      detail: r.reason,
    });
  }
  // A tablet whose copy of its gate's passes was not what the server sent it: it was answered in full.
  const divergences = db
    .select({
      id: snapshotResyncs.id,
      at: snapshotResyncs.at,
      deviceId: snapshotResyncs.deviceId,
      gateId: devices.gateId,
      name: devices.name,
      expected: snapshotResyncs.expectedDigest,
      reported: snapshotResyncs.reportedDigest,
    })
    .from(snapshotResyncs)
    .innerJoin(devices, sql`${devices.id} = ${snapshotResyncs.deviceId}`)
    .where(and(gte(snapshotResyncs.at, since), sql`${snapshotResyncs.cause} = 'divergence'`))
    .all();
  for (const d of divergences) {
    const count = (digest: string | null) => digest?.split('.')[0] ?? '?';
    drafts.push({
      type: 'snapshot_divergence',
      key: `snapshot_divergence:${d.id}`,
      gateId: d.gateId,
      deviceId: d.deviceId,
      at: d.at.toISOString(),
      passId: null,
      eventId: null,
      detail: `${d.name}: held ${count(d.reported)} passes, expected ${count(d.expected)}; resent in full`,
    });
  }
  const silentSince = new Date(now.getTime() - rules.tabletOfflineMinutes * 60_000);
  for (const d of db
    .select()
    .from(devices)
    .where(and(isNull(devices.revokedAt), lt(devices.lastSeenAt, silentSince), gte(devices.lastSeenAt, since)))
    .all()) {
    drafts.push({
      type: 'tablet_offline',
      key: `tablet_offline:${d.id}:${d.lastSeenAt!.getTime()}`,
      gateId: d.gateId,
      deviceId: d.id,
      at: d.lastSeenAt!.toISOString(),
      passId: null,
      eventId: null,
      detail: `${d.name}: no contact for ${Math.floor((now.getTime() - d.lastSeenAt!.getTime()) / 60_000)} min`,
    });
  }

  const keyed = drafts.map((d) => ({ ...d, key: d.key ?? `${d.type}:${d.eventId}` }));
  const acks = new Map(
    keyed.length
      ? db
          .select({ key: alertAcks.alertKey, at: alertAcks.at, note: alertAcks.note, by: users.displayName })
          .from(alertAcks)
          .innerJoin(users, sql`${users.id} = ${alertAcks.userId}`)
          .where(inArray(alertAcks.alertKey, [...new Set(keyed.map((k) => k.key))].slice(0, 5000)))
          .all()
          .map((a) => [a.key, { by: a.by, at: a.at.toISOString(), note: a.note }])
      : [],
  );
  return keyed.map((d) => ({ ...d, acknowledged: acks.get(d.key) ?? null }));
}

/** Records who acknowledged an alert; the first acknowledgement stands. True when this one was the first. */
export function acknowledgeAlert(tx: Tx, ack: { key: string; userId: number; at: Date; note: string | null }) {
  return (
    tx
      .insert(alertAcks)
      .values({ alertKey: ack.key, userId: ack.userId, at: ack.at, note: ack.note })
      .onConflictDoNothing()
      .run().changes > 0
  );
}

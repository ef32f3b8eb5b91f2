import { audiencesFor, type Audience, type NotificationEvent } from '../domain/notifications';
import { maskName } from '../domain/names';
import { decisionFindings, isCountedAdmit, type DecisionFinding } from '../domain/gate-findings';
import { addDays, wallClock } from '../domain/dates';
import { deriveAlerts } from '../alerts/store';
import { currentRules } from '../rules/store';
import type { DomainEvent } from '../events';
import { visitorPage } from '../requests/store';
import { regionName } from '../regions/data';
import { visitors } from '../db/schema';
import { eq } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import type { Db, Tx } from '../db/open';
import type { NotificationPayload, PayloadValue } from './messages';
import {
  activeChannelRows,
  addressPerson,
  anyActiveChannel,
  campusTimezone,
  departmentApprovers,
  enqueueDeliveries,
  gateEventFacts,
  gateNames,
  officePeople,
  invitationNotice,
  overdueLeaveFacts,
  filedLeaveFacts,
  leaveApprovers,
  passFacts,
  requestNotice,
  routingRows,
  unsignedReports,
  userPerson,
  type ChannelRow,
  type Delivery,
  type Person,
} from './store';

const ROBOTS = new Set<ChannelRow['kind']>(['wecom', 'dingtalk', 'feishu']);

const FINDING_EVENT: Record<DecisionFinding, NotificationEvent> = {
  fever: 'gate.fever',
  block_list: 'gate.block_list',
  revoked_before_admit: 'gate.revoked_admit',
};

/** Where each reader acts: the office's queue or wall, the request's page, the visitor's pass. */
const OFFICE_PAGE: Partial<Record<NotificationEvent, string>> = {
  'request.filed': '/admin/review',
  'request.needs_review': '/admin/review',
  'emergency.requested': '/admin/review',
  'escort.overdue': '/admin/live',
  'leave.overdue': '/admin/members',
  'leave.filed': '/admin/leaves',
  'gate.fever': '/admin/live',
  'gate.block_list': '/admin/live',
  'gate.revoked_admit': '/admin/live',
  'gate.double_use': '/admin/live',
  'device.offline': '/admin/live',
  'reports.awaiting_signoff': '/admin/reports',
};

/** One thing worth telling, before it is routed to people and channels. */
export interface Notice {
  cause: string;
  event: NotificationEvent;
  departmentId: number | null;
  requestId: number | null;
  at: Date;
  values: Record<string, PayloadValue>;
  /** Only these audiences, whatever the routing says (a filing waiting for its department is not the office's yet). */
  only?: readonly Audience[];
  filerUserId?: number | null;
  /** Who approved the member's leave the notice is about. */
  approverUserId?: number | null;
  escortEmail?: string | null;
  /** The visitors' own messages (their pass, their invitation), each with its link, in their language where known. */
  visitors?: {
    key: string;
    email: string | null;
    locale?: 'zh' | 'en' | null;
    values: Record<string, PayloadValue>;
    link: string;
    /** Where a visitor has no e-mail, the host department's robot may pass it on; not an invitation. */
    viaDepartment?: boolean;
  }[];
}

/**
 * What routing needs, read once for a whole batch of notices (a sync of 500 admits routes 500):
 * the active channels, the office's choices, and each person's address looked up once.
 */
function routingContext(tx: Tx, channels: ChannelRow[]) {
  const once = <K, V>(load: (k: K) => V) => {
    const seen = new Map<K, V>();
    return (k: K) => {
      if (!seen.has(k)) seen.set(k, load(k));
      return seen.get(k)!;
    };
  };
  return {
    channels,
    routing: routingRows(tx),
    smtp: channels.find((c) => c.kind === 'smtp'),
    office: once(() => officePeople(tx)),
    approvers: once((departmentId: number) => departmentApprovers(tx, departmentId)),
    leaveApprovers: once((departmentId: number) => leaveApprovers(tx, departmentId)),
    user: once((userId: number | null) => userPerson(tx, userId)),
    address: once((email: string | null) => addressPerson(tx, email)),
  };
}
type RoutingContext = ReturnType<typeof routingContext>;

/**
 * Routes notices as the office's settings say (domain/notifications.ts) to people by e-mail and to
 * robots and webhooks, and writes one outbox row per channel and recipient, in the caller's
 * transaction. Nothing is written for a notice nobody can receive.
 */
export function enqueueNotices(
  tx: Tx,
  client: Database.Database,
  channels: ChannelRow[],
  notices: Notice[],
  now: Date,
) {
  if (!notices.length) return 0;
  const ctx = routingContext(tx, channels);
  return enqueueDeliveries(
    client,
    notices.flatMap((n) => deliveriesOf(ctx, n)),
    now,
  );
}

function deliveriesOf(ctx: RoutingContext, n: Notice): Delivery[] {
  const { channels, smtp } = ctx;
  const audiences = audiencesFor(ctx.routing, n.event, n.departmentId).filter((a) => !n.only || n.only.includes(a));
  const out: Delivery[] = [];
  const payload = (link: string | null, variant: 'general' | 'visitor' = 'general') =>
    ({ variant, values: n.values, link, at: n.at.toISOString() }) satisfies NotificationPayload;
  const requestPage = n.requestId ? `/admin/requests/${n.requestId}` : null;
  const mail = (audience: Audience, to: Person[], p: NotificationPayload) => {
    if (smtp)
      for (const person of to)
        out.push({ ...base, channelId: smtp.id, address: person.email, locale: person.locale, audience, payload: p });
  };
  const robots = (audience: Audience, departmentId: number | null, p: NotificationPayload, address = '') => {
    for (const c of channels)
      if (ROBOTS.has(c.kind) && c.departmentId === departmentId)
        out.push({ ...base, channelId: c.id, address, locale: c.locale, audience, payload: p });
  };
  const base = { cause: n.cause, event: n.event };
  for (const a of audiences) {
    switch (a) {
      case 'office': {
        const p = payload(OFFICE_PAGE[n.event] ?? requestPage);
        mail(a, ctx.office(undefined), p);
        robots(a, null, p);
        break;
      }
      case 'dept_approver':
        if (n.departmentId !== null) mail(a, ctx.approvers(n.departmentId), payload(requestPage));
        break;
      case 'filer':
        mail(a, ctx.user(n.filerUserId ?? null), payload(requestPage));
        break;
      case 'escort':
        mail(a, ctx.address(n.escortEmail ?? null), payload(null));
        break;
      case 'leave_approver':
        mail(
          a,
          n.approverUserId != null
            ? ctx.user(n.approverUserId)
            : n.departmentId !== null
              ? ctx.leaveApprovers(n.departmentId)
              : [],
          payload(OFFICE_PAGE[n.event] ?? null),
        );
        break;
      case 'department':
        if (n.departmentId !== null) robots(a, n.departmentId, payload(requestPage));
        break;
      case 'visitor':
        for (const v of n.visitors ?? []) {
          const p = { ...payload(v.link, 'visitor'), values: { ...n.values, ...v.values } };
          // A visitor without e-mail: their host department's robot gets it to pass on (one per visitor).
          if (v.email)
            mail(
              a,
              ctx.address(v.email).map((person) => (v.locale ? { ...person, locale: v.locale } : person)),
              p,
            );
          else if (n.departmentId !== null && v.viaDepartment !== false) robots(a, n.departmentId, p, v.key);
        }
        break;
    }
  }
  for (const c of channels)
    if (
      c.kind === 'webhook' &&
      c.events.includes(n.event) &&
      (c.departmentId === null || c.departmentId === n.departmentId)
    )
      out.push({
        ...base,
        channelId: c.id,
        address: '',
        locale: c.locale,
        audience: 'webhook',
        payload: payload(OFFICE_PAGE[n.event] ?? requestPage),
      });
  return out;
}

/** Campus wall-clock minute, formatted once per minute and zone (a sync names a few minutes, 500 times). */
const minuteText = new Map<string, string>();
const time = (at: Date, tz: string) => {
  const key = `${tz}|${Math.floor(at.getTime() / 60_000)}`;
  let text = minuteText.get(key);
  if (text === undefined) {
    const w = wallClock(at, tz);
    text = `${w.date} ${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;
    if (minuteText.size > 10_000) minuteText.clear();
    minuteText.set(key, text);
  }
  return text;
};

/** A request's move, as notices: what the transition means and to whom (see EVENT_SPECS). */
function requestNotices(tx: Tx, e: Extract<DomainEvent, { type: 'request.transition' }>, tz: string): Notice[] {
  const kind: { event: NotificationEvent; only?: readonly Audience[] } | null =
    e.action === 'filed'
      ? e.to === 'pending_dept'
        ? { event: 'request.filed', only: ['dept_approver', 'department'] }
        : { event: 'request.filed', only: ['office', 'department'] }
      : e.action === 'dept_approved'
        ? { event: 'request.filed', only: ['office', 'department'] }
        : e.action === 'approved'
          ? { event: 'request.approved' }
          : e.action === 'rejected'
            ? { event: 'request.rejected' }
            : e.action === 'recheck_failed' && e.from !== 'needs_review'
              ? { event: 'request.needs_review' }
              : e.action === 'emergency_requested'
                ? { event: 'emergency.requested' }
                : null;
  if (!kind) return [];
  const facts = requestNotice(tx, e.requestId);
  if (!facts) return [];
  const r = facts.request;
  const first = facts.visitors[0];
  return [
    {
      cause: `request:${e.requestId}:${e.historyId}`,
      event: kind.event,
      ...(kind.only ? { only: kind.only } : {}),
      departmentId: r.departmentId,
      requestId: r.id,
      at: e.at,
      values: {
        ...visitValues(facts),
        gate: facts.gates,
        visitors: facts.visitors.length,
        visitor: first ? maskName(first.name) : '—',
        reason: e.note ?? '',
        time: time(e.at, tz),
      },
      filerUserId: r.filedByUserId,
      escortEmail: r.escortEmail,
      visitors: facts.visitors.map((v) => ({
        key: `visitor:${v.id}`,
        email: v.email,
        locale: v.locale,
        link: visitorPage(v.linkToken),
        // The visitor's own message names their host with the full phone: they must be able to call.
        values: { visitor: maskName(v.name), escortPhone: r.escortPhone },
      })),
    },
  ];
}

/** A sync's decisions, as notices: refusals the office must know of, admits the escort waits for. */
function gateNotices(tx: Tx, e: Extract<DomainEvent, { type: 'gate_events.synced' }>, tz: string): Notice[] {
  const facts = gateEventFacts(
    tx,
    e.events.filter((x) => x.type === 'decision').map((x) => x.id),
  );
  const out: Notice[] = [];
  for (const f of facts) {
    const at = new Date(f.at);
    const reasons = JSON.parse(f.reasons) as string[];
    const values = {
      gate: { zh: f.gateName, en: f.gateNameEn || f.gateName },
      time: time(at, tz),
      visitor: f.visitorName ? maskName(f.visitorName) : '—',
      requestId: f.requestId ?? '—',
      escortName: f.escortName ?? '—',
    };
    const base = { departmentId: f.departmentId, requestId: f.requestId, at, filerUserId: f.filedByUserId };
    // The same findings the alerts raise (domain/gate-findings.ts), told as they are stored.
    const facts = { ...f, type: 'decision', reasons };
    for (const finding of decisionFindings(facts))
      out.push({
        ...base,
        cause: `gate:${f.id}`,
        event: FINDING_EVENT[finding],
        values:
          finding === 'fever'
            ? { ...values, temperature: f.celsius === null ? '—' : `${f.celsius.toFixed(1)}°C` }
            : finding === 'revoked_before_admit'
              ? { ...values, revokedAt: time(new Date(f.revokedAt!), tz) }
              : values,
      });
    if (!isCountedAdmit(facts)) continue;
    if (f.entriesUsed !== null && f.entriesAllowed !== null && f.entriesUsed > f.entriesAllowed)
      out.push({
        ...base,
        // Once per pass, as the alert is: the third admit of a one-entry pass tells nobody anything new.
        cause: `double_use:${f.passId}`,
        event: 'gate.double_use',
        values: { ...values, admits: f.entriesUsed, allowed: f.entriesAllowed },
      });
    out.push({ ...base, cause: `gate:${f.id}`, event: 'visitor.admitted', values, escortEmail: f.escortEmail });
  }
  return out;
}

/**
 * The events seam's in-transaction subscriber (events.onRecorded): what a change means for the
 * people around the gate, written to the outbox with the change itself. No active channel, no work.
 */
export function recordNotifications(tx: Tx, e: DomainEvent, now: Date, client: Database.Database) {
  if (
    e.type !== 'request.transition' &&
    e.type !== 'gate_events.synced' &&
    e.type !== 'invitation.sent' &&
    e.type !== 'visitor.erasure_requested' &&
    e.type !== 'leave.filed'
  )
    return;
  const channels = activeChannelRows(tx);
  if (!channels.length) return;
  const tz = campusTimezone(tx);
  const notices =
    e.type === 'request.transition'
      ? requestNotices(tx, e, tz)
      : e.type === 'gate_events.synced'
        ? gateNotices(tx, e, tz)
        : e.type === 'invitation.sent'
          ? invitationNotices(tx, e)
          : e.type === 'leave.filed'
            ? leaveNotices(tx, e, tz)
            : erasureNotices(tx, e, tz);
  enqueueNotices(tx, client, channels, notices, now);
}

/** The visit's values every message about it may name. */
function visitValues(facts: NonNullable<ReturnType<typeof requestNotice>>) {
  const r = facts.request;
  return {
    requestId: r.id,
    department: facts.department,
    visitDate: r.visitDateTo !== r.visitDateFrom ? `${r.visitDateFrom}–${r.visitDateTo}` : r.visitDateFrom,
    timeFrom: r.timeFrom,
    timeTo: r.timeTo,
    gates: facts.gates,
    escortName: r.escortName,
  };
}

/** An invitation's sending: to the invited visitor's address, in the language the department chose. */
function invitationNotices(tx: Tx, e: Extract<DomainEvent, { type: 'invitation.sent' }>): Notice[] {
  const facts = invitationNotice(tx, e.invitationId);
  if (!facts) return [];
  const inv = facts.invitation;
  return [
    {
      cause: `invitation:${inv.id}:${e.sends}`,
      event: 'visitor.invited',
      departmentId: facts.request.departmentId,
      requestId: facts.request.id,
      at: e.at,
      values: { ...visitValues(facts), visitors: inv.headCount },
      visitors: [
        {
          key: `invitation:${inv.id}`,
          email: inv.email,
          locale: inv.locale,
          link: visitorPage(inv.token),
          // The department's full phone: the visitor must be able to call their host.
          values: { visitor: inv.name, escortPhone: facts.request.escortPhone },
          viaDepartment: false,
        },
      ],
    },
  ];
}

/** A visitor asked for erasure: the office (and, if chosen, the department) acts on it. */
function erasureNotices(tx: Tx, e: Extract<DomainEvent, { type: 'visitor.erasure_requested' }>, tz: string): Notice[] {
  const facts = requestNotice(tx, e.requestId);
  if (!facts) return [];
  const v = tx.select({ name: visitors.name }).from(visitors).where(eq(visitors.id, e.visitorId)).get();
  return [
    {
      cause: `erasure:${e.visitorId}`,
      event: 'visitor.erasure_requested',
      departmentId: facts.request.departmentId,
      requestId: facts.request.id,
      at: e.at,
      values: { ...visitValues(facts), visitor: maskName(v?.name ?? ''), time: time(e.at, tz) },
    },
  ];
}

/** A leave to decide: to the member's department's approvers, with when, where and why. */
function leaveNotices(tx: Tx, e: Extract<DomainEvent, { type: 'leave.filed' }>, tz: string): Notice[] {
  const f = filedLeaveFacts(tx, e.leaveId);
  if (!f) return [];
  return [
    {
      cause: `leave:${e.leaveId}`,
      event: 'leave.filed',
      departmentId: f.departmentId,
      requestId: null,
      at: e.at,
      values: {
        member: maskName(f.name),
        number: f.number,
        from: time(f.fromAt, tz),
        to: time(f.toAt, tz),
        destination: regionName(f.destination) ?? f.destination,
        reason: f.reason,
      },
    },
  ];
}

/** The office's sign-off reminder goes out once a day, in the morning (campus time). */
const REMINDER_HOUR = 8;

/**
 * What time alone makes worth telling, checked by the sender every half minute: an escort who has
 * not come within the rule's minutes, a tablet gone silent (both as the alerts find them), and
 * yesterday's reports still unsigned. Each has a stable cause, so a re-run writes nothing twice.
 */
export function watchNotifications(db: Db, now: Date) {
  if (!anyActiveChannel(db)) return 0;
  const { rules } = currentRules(db);
  const tz = rules.timezone;
  const alerts = deriveAlerts(db, now, rules, { sinceMs: 86_400_000 }).filter(
    (a) =>
      (a.type === 'escort_overdue' || a.type === 'tablet_offline' || a.type === 'leave_overdue') && !a.acknowledged,
  );
  const gateName = gateNames(db);
  const notices: Notice[] = [];
  for (const a of alerts) {
    const gate = (a.gateId !== null && gateName.get(a.gateId)) || '—';
    const at = new Date(a.at);
    const minutes = Math.floor((now.getTime() - at.getTime()) / 60_000);
    if (a.type === 'escort_overdue' && a.passId) {
      const f = passFacts(db, a.passId);
      if (!f) continue;
      notices.push({
        cause: `alert:${a.key}`,
        event: 'escort.overdue',
        departmentId: f.departmentId,
        requestId: f.requestId,
        at,
        values: {
          gate,
          time: time(at, tz),
          minutes,
          visitor: maskName(f.visitorName),
          requestId: f.requestId,
          escortName: f.escortName,
        },
        filerUserId: f.filedByUserId,
        escortEmail: f.escortEmail,
      });
    }
    if (a.type === 'leave_overdue') {
      const f = overdueLeaveFacts(db, Number(a.key.split(':')[1]));
      if (f)
        notices.push({
          cause: `alert:${a.key}`,
          event: 'leave.overdue',
          departmentId: f.departmentId,
          requestId: null,
          at,
          values: { member: maskName(f.name), number: f.number, time: time(at, tz), minutes, gate },
          approverUserId: f.decidedByUserId,
        });
    }
    if (a.type === 'tablet_offline')
      notices.push({
        cause: `alert:${a.key}`,
        event: 'device.offline',
        departmentId: null,
        requestId: null,
        at,
        values: { gate, device: a.detail.split(':')[0] ?? '', time: time(at, tz), minutes },
      });
  }
  const clock = wallClock(now, tz);
  const yesterday = addDays(clock.date, -1);
  const unsigned = clock.hour >= REMINDER_HOUR ? unsignedReports(db, yesterday) : 0;
  if (unsigned > 0)
    notices.push({
      cause: `reports:${yesterday}`,
      event: 'reports.awaiting_signoff',
      departmentId: null,
      requestId: null,
      at: now,
      values: { day: yesterday, count: unsigned },
    });
  if (!notices.length) return 0;
  return db.transaction((tx) => enqueueNotices(tx, db.$client, activeChannelRows(tx), notices, now));
}

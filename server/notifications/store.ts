import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { and, asc, desc, eq, inArray, isNull, lt, lte, sql } from 'drizzle-orm';
import {
  leaves,
  members,
  departments,
  gates,
  notificationChannels,
  notificationOutbox,
  notificationRouting,
  users,
  invitations,
  visitors,
  visitRequests,
  type ChannelKind,
} from '../db/schema';
import { unwrapSecret, wrapSecret } from '../lib/secrets';
import type { Lang } from '../domain/i18n';
import type { Audience, NotificationEvent, RoutingRow } from '../domain/notifications';
import type { Channel, ChannelSecret } from './channels';
import type { NotificationPayload } from './messages';
import type { Db, Tx } from '../db/open';

export type ChannelRow = typeof notificationChannels.$inferSelect;
export type DeliveryRow = typeof notificationOutbox.$inferSelect;

// ---- channels -------------------------------------------------------------------------------

export const channelRows = (tx: Tx) =>
  tx.select().from(notificationChannels).orderBy(asc(notificationChannels.id)).all();
export const activeChannelRows = (tx: Tx) =>
  tx.select().from(notificationChannels).where(eq(notificationChannels.active, true)).all();
export const channelRowById = (tx: Tx, id: number) =>
  tx.select().from(notificationChannels).where(eq(notificationChannels.id, id)).get();

export const sealSecret = (key: Buffer, secret: ChannelSecret) =>
  wrapSecret(key, Buffer.from(JSON.stringify(secret), 'utf8'));
const openSecret = (key: Buffer, wrapped: string) =>
  JSON.parse(unwrapSecret(key, wrapped).toString('utf8')) as ChannelSecret;

/** A channel ready to send: its secrets unwrapped in memory, never written back in the clear. */
export function openChannel(row: ChannelRow, key: Buffer, now: Date): Channel {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    settings: row.settings as Channel['settings'],
    secret: openSecret(key, row.secret),
    previousSecret:
      row.previousSecret && row.previousUntil && row.previousUntil > now ? openSecret(key, row.previousSecret) : null,
    locale: row.locale,
    updatedAt: row.updatedAt.getTime(),
  };
}

export function insertChannel(tx: Tx, values: typeof notificationChannels.$inferInsert) {
  return tx.insert(notificationChannels).values(values).returning().get();
}

export function updateChannel(tx: Tx, id: number, patch: Partial<typeof notificationChannels.$inferInsert>) {
  return tx.update(notificationChannels).set(patch).where(eq(notificationChannels.id, id)).returning().get();
}

// ---- routing ---------------------------------------------------------------------------------

export function routingRows(tx: Tx): RoutingRow[] {
  return tx
    .select()
    .from(notificationRouting)
    .all()
    .map((r) => ({
      event: r.event,
      departmentId: r.departmentId === 0 ? null : r.departmentId,
      audiences: r.audiences,
    }));
}

/** Sets (or with null removes) the campus-wide or a department's choice for one kind of notification. */
export function setRouting(
  tx: Tx,
  event: NotificationEvent,
  departmentId: number | null,
  audiences: Audience[] | null,
  now: Date,
) {
  const dept = departmentId ?? 0;
  if (audiences === null) {
    tx.delete(notificationRouting)
      .where(and(eq(notificationRouting.event, event), eq(notificationRouting.departmentId, dept)))
      .run();
    return;
  }
  tx.insert(notificationRouting)
    .values({ event, departmentId: dept, audiences, updatedAt: now })
    .onConflictDoUpdate({
      target: [notificationRouting.event, notificationRouting.departmentId],
      set: { audiences, updatedAt: now },
    })
    .run();
}

// ---- who to tell -----------------------------------------------------------------------------

export interface Person {
  email: string;
  locale: Lang;
}

const people = (rows: { email: string | null; locale: Lang }[]): Person[] =>
  rows.flatMap((r) => (r.email ? [{ email: r.email.toLowerCase(), locale: r.locale }] : []));

export const officePeople = (tx: Tx) =>
  people(
    tx
      .select({ email: users.email, locale: users.locale })
      .from(users)
      .where(and(eq(users.role, 'office'), isNull(users.disabledAt)))
      .all(),
  );

export const departmentApprovers = (tx: Tx, departmentId: number) =>
  people(
    tx
      .select({ email: users.email, locale: users.locale })
      .from(users)
      .where(and(eq(users.departmentId, departmentId), eq(users.deptApprover, true), isNull(users.disabledAt)))
      .all(),
  );

/** The leave approvers (辅导员 / department heads) of a department. */
export const leaveApprovers = (tx: Tx, departmentId: number) =>
  people(
    tx
      .select({ email: users.email, locale: users.locale })
      .from(users)
      .where(and(eq(users.departmentId, departmentId), eq(users.role, 'approver'), isNull(users.disabledAt)))
      .all(),
  );

export const userPerson = (tx: Tx, userId: number | null) =>
  userId === null
    ? []
    : people(
        tx
          .select({ email: users.email, locale: users.locale })
          .from(users)
          .where(and(eq(users.id, userId), isNull(users.disabledAt)))
          .all(),
      );

/** An address typed on a request: in the language of the account that has it, if any. */
export function addressPerson(tx: Tx, email: string | null): Person[] {
  if (!email) return [];
  const address = email.toLowerCase();
  const known = tx
    .select({ locale: users.locale })
    .from(users)
    .where(sql`lower(${users.email}) = ${address}`)
    .get();
  return [{ email: address, locale: known?.locale ?? 'zh' }];
}

const bilingual = (zh: string, en: string) => ({ zh, en: en || zh });

/** What a request's notifications say about it, and whom they can reach. */
export function requestNotice(tx: Tx, requestId: number) {
  const r = tx.select().from(visitRequests).where(eq(visitRequests.id, requestId)).get();
  if (!r) return null;
  const dept = tx
    .select({ name: departments.name, nameEn: departments.nameEn })
    .from(departments)
    .where(eq(departments.id, r.departmentId))
    .get();
  const gateRows = r.gateIds.length
    ? tx
        .select({ name: gates.name, nameEn: gates.nameEn })
        .from(gates)
        .where(inArray(gates.id, r.gateIds))
        .orderBy(asc(gates.id))
        .all()
    : [];
  const vs = tx
    .select({
      id: visitors.id,
      name: visitors.name,
      email: visitors.email,
      linkToken: visitors.linkToken,
      locale: visitors.locale,
    })
    .from(visitors)
    .where(and(eq(visitors.requestId, requestId), isNull(visitors.removedAt), isNull(visitors.purgedAt)))
    .orderBy(asc(visitors.id))
    .all();
  return {
    request: r,
    department: bilingual(dept?.name ?? '', dept?.nameEn ?? ''),
    gates: bilingual(gateRows.map((g) => g.name).join('、'), gateRows.map((g) => g.nameEn || g.name).join(', ')),
    visitors: vs,
  };
}

/** An invitation with what its message says: the visit, the host, where to go. */
export function invitationNotice(tx: Tx, invitationId: number) {
  const inv = tx.select().from(invitations).where(eq(invitations.id, invitationId)).get();
  if (!inv) return null;
  const facts = requestNotice(tx, inv.requestId);
  return facts ? { invitation: inv, ...facts } : null;
}

/** The events of a sync that may concern someone, with their pass, visitor and request, in one read. */
export function gateEventFacts(tx: Tx, ids: string[]) {
  return tx.all<{
    id: string;
    gateId: number;
    deviceId: number;
    at: number;
    verdict: string | null;
    reasons: string;
    passMismatch: string | null;
    celsius: number | null;
    passId: string | null;
    revokedAt: number | null;
    entriesAllowed: number | null;
    entriesUsed: number | null;
    visitorName: string | null;
    requestId: number | null;
    departmentId: number | null;
    escortName: string | null;
    escortEmail: string | null;
    filedByUserId: number | null;
    gateName: string;
    gateNameEn: string;
  }>(sql`
    select e.id, e.gate_id as gateId, e.device_id as deviceId, e.at, e.verdict, e.reasons, e.pass_mismatch as passMismatch,
      case when e.verdict = 'refuse' then json_extract(e.input, '$.temperatures[#-1].celsius') end as celsius,
      p.id as passId, p.revoked_at as revokedAt, p.entries_allowed as entriesAllowed, p.entries_used as entriesUsed,
      v.name as visitorName, r.id as requestId, r.department_id as departmentId, r.escort_name as escortName,
      r.escort_email as escortEmail, r.filed_by_user_id as filedByUserId, g.name as gateName, g.name_en as gateNameEn
    from gate_events e
      join gates g on g.id = e.gate_id
      left join passes p on p.id = e.pass_id
      left join visitors v on v.id = p.visitor_id
      left join visit_requests r on r.id = p.request_id
    where e.id in (select value from json_each(${JSON.stringify(ids)})) and e.type = 'decision'`);
}

// ---- the outbox ------------------------------------------------------------------------------

export interface Delivery {
  cause: string;
  event: NotificationEvent;
  channelId: number;
  address: string;
  locale: Lang;
  audience: Audience | 'webhook';
  payload: NotificationPayload;
}

/** Stable for the same cause, kind, channel and recipient: what a receiver de-duplicates on. */
export const messageIdOf = (d: Pick<Delivery, 'cause' | 'event' | 'channelId' | 'address'>) =>
  `msg_${createHash('sha256').update(`${d.cause}|${d.event}|${d.channelId}|${d.address}`).digest('base64url').slice(0, 26)}`;

const outboxInserts = new WeakMap<Database.Database, Database.Statement>();

/**
 * Writes deliveries on the caller's connection, inside its open transaction; one already written
 * (same cause and recipient) is left as it is. A prepared statement, as ingest's own are: a sync of
 * 500 admits writes a thousand rows, and the query builder cost more than the writing
 * (docs/benchmarks.md).
 */
export function enqueueDeliveries(client: Database.Database, ds: Delivery[], now: Date) {
  let insert = outboxInserts.get(client);
  if (!insert)
    outboxInserts.set(
      client,
      (insert = client.prepare(
        `insert into notification_outbox (message_id, cause, event, channel_id, address, locale, audience, payload, next_attempt_at, created_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing`,
      )),
    );
  const at = now.getTime();
  // Rows of one notice share their payload: it is serialised once.
  const json = new Map<object, string>();
  let written = 0;
  for (const d of ds) {
    let payload = json.get(d.payload);
    if (payload === undefined) json.set(d.payload, (payload = JSON.stringify(d.payload)));
    written += insert.run(
      messageIdOf(d),
      d.cause,
      d.event,
      d.channelId,
      d.address,
      d.locale,
      d.audience,
      payload,
      at,
      at,
    ).changes;
  }
  return written;
}

/** What is due, oldest first: the sender's next round. */
export const dueDeliveries = (db: Tx, now: Date, limit: number) =>
  db
    .select()
    .from(notificationOutbox)
    .where(and(eq(notificationOutbox.status, 'pending'), lte(notificationOutbox.nextAttemptAt, now)))
    .orderBy(asc(notificationOutbox.nextAttemptAt), asc(notificationOutbox.id))
    .limit(limit)
    .all();

export function recordAttempt(db: Tx, id: number, patch: Partial<typeof notificationOutbox.$inferInsert>) {
  db.update(notificationOutbox).set(patch).where(eq(notificationOutbox.id, id)).run();
}

export const deliveryById = (tx: Tx, id: number) =>
  tx.select().from(notificationOutbox).where(eq(notificationOutbox.id, id)).get();

export function deliveryPage(
  tx: Tx,
  filter: { status?: DeliveryRow['status'] | undefined; channelId?: number | undefined; before?: number | undefined },
  limit: number,
) {
  return tx
    .select()
    .from(notificationOutbox)
    .where(
      and(
        filter.status ? eq(notificationOutbox.status, filter.status) : undefined,
        filter.channelId ? eq(notificationOutbox.channelId, filter.channelId) : undefined,
        filter.before ? lt(notificationOutbox.id, filter.before) : undefined,
      ),
    )
    .orderBy(desc(notificationOutbox.id))
    .limit(limit)
    .all();
}

/** Sent and given-up deliveries older than `before` go (they hold addresses and masked names). */
export function purgeDeliveries(tx: Tx, before: Date) {
  return tx
    .delete(notificationOutbox)
    .where(and(sql`${notificationOutbox.status} <> 'pending'`, lt(notificationOutbox.createdAt, before)))
    .run().changes;
}

/** An erased visitor's address leaves the outbox (what is still pending for it is not sent). */
export const forgetAddress = (tx: Tx, address: string) =>
  tx.delete(notificationOutbox).where(eq(notificationOutbox.address, address.toLowerCase())).run().changes;

/** Whether anything could be told at all: without an active channel the recorders do nothing. */
export const anyActiveChannel = (db: Db | Tx) =>
  db
    .select({ id: notificationChannels.id })
    .from(notificationChannels)
    .where(eq(notificationChannels.active, true))
    .limit(1)
    .get() !== undefined;

export type { ChannelKind };

/** The campus time zone of the rules in force, without parsing the whole rule set (the ingest path calls this). */
export const campusTimezone = (tx: Tx) =>
  tx.get<{ tz: string | null } | undefined>(
    sql`select json_extract(settings, '$.timezone') as tz from rule_sets order by id desc limit 1`,
  )?.tz ?? 'Asia/Shanghai';

/** What an alert about an admitted pass needs to say: the visitor (masked later), the request and its escort. */
export const passFacts = (tx: Tx, passId: string) =>
  tx.get<
    | {
        visitorName: string;
        requestId: number;
        departmentId: number;
        escortName: string;
        escortEmail: string | null;
        filedByUserId: number | null;
      }
    | undefined
  >(sql`
    select v.name as visitorName, r.id as requestId, r.department_id as departmentId, r.escort_name as escortName,
      r.escort_email as escortEmail, r.filed_by_user_id as filedByUserId
    from passes p join visitors v on v.id = p.visitor_id join visit_requests r on r.id = p.request_id
    where p.id = ${passId}`);

export const gateNames = (tx: Tx) =>
  new Map(
    tx
      .select({ id: gates.id, name: gates.name, nameEn: gates.nameEn })
      .from(gates)
      .all()
      .map((g) => [g.id, { zh: g.name, en: g.nameEn || g.name }]),
  );

export const unsignedReports = (tx: Tx, day: string) =>
  tx.get<{ n: number }>(sql`select count(*) as n from daily_reports where day = ${day} and signed_off_at is null`)?.n ??
  0;

export function deliveryCountsByChannel(tx: Tx) {
  const out = new Map<number, { pending: number; sent: number; dead: number }>();
  for (const r of tx
    .select({ channelId: notificationOutbox.channelId, status: notificationOutbox.status, n: sql<number>`count(*)` })
    .from(notificationOutbox)
    .groupBy(notificationOutbox.channelId, notificationOutbox.status)
    .all()) {
    const c = out.get(r.channelId) ?? { pending: 0, sent: 0, dead: 0 };
    c[r.status] = r.n;
    out.set(r.channelId, c);
  }
  return out;
}

/** The member and approver of an overdue leave (watchNotifications). */
export const overdueLeaveFacts = (db: Tx, leaveId: number) =>
  db
    .select({
      name: members.name,
      number: members.number,
      departmentId: members.departmentId,
      decidedByUserId: leaves.decidedByUserId,
    })
    .from(leaves)
    .innerJoin(members, eq(members.id, leaves.memberId))
    .where(eq(leaves.id, leaveId))
    .get();

/** A leave just filed, for its approvers' notice. */
export const filedLeaveFacts = (db: Tx, leaveId: number) =>
  db
    .select({
      name: members.name,
      number: members.number,
      departmentId: members.departmentId,
      fromAt: leaves.fromAt,
      toAt: leaves.toAt,
      destination: leaves.destination,
      reason: leaves.reason,
    })
    .from(leaves)
    .innerJoin(members, eq(members.id, leaves.memberId))
    .where(eq(leaves.id, leaveId))
    .get();

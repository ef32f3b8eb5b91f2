import { and, eq, isNull, lt, sql } from 'drizzle-orm';
import {
  gateEvents,
  idempotencyKeys,
  invitations,
  leaves,
  memberCheckIns,
  members,
  visitors,
  visitRequests,
} from '../db/schema';
import { addDays, campusDate, instantAt } from '../domain/dates';
import type { Rules } from '../domain/rules';
import { forgetAddress, purgeDeliveries } from '../notifications/store';
import type { Db, Tx } from '../db/open';

/** What remains of a visitor after deletion: the row (so passes, events and reports still add up), no person. */
export const ERASED = {
  name: '（已删除）',
  nameNorm: '',
  phone: '',
  email: null,
  idLast4: '',
  visitedRegions: [] as string[],
  closeContact: false,
  commitmentAcceptedAt: null,
  testTakenAt: null,
  testResult: null,
  checks: [] as string[],
  overrideReason: null,
  commitmentSignedName: null,
} as const;

/** What remains of an invitation: the row (the request's head count adds up), no person. */
const ERASED_INVITATION = { name: '（已删除）', phone: null, email: null } as const;

function eraseInvitation(tx: Tx, id: number, now: Date) {
  const inv = tx.select({ email: invitations.email }).from(invitations).where(eq(invitations.id, id)).get();
  if (inv?.email) forgetAddress(tx, inv.email);
  tx.update(invitations)
    .set({ ...ERASED_INVITATION, purgedAt: now })
    .where(eq(invitations.id, id))
    .run();
}

/** What erasing a visitor needs to know first: whether they exist, were erased already, and their request. */
export function visitorForErasure(tx: Tx, visitorId: number) {
  return tx
    .select({ id: visitors.id, purgedAt: visitors.purgedAt, requestId: visitors.requestId })
    .from(visitors)
    .where(eq(visitors.id, visitorId))
    .get();
}

export function eraseVisitor(tx: Tx, visitorId: number, now: Date) {
  // Messages to the visitor's address go with them (the outbox keeps the address it sent to).
  const v = tx
    .select({ email: visitors.email, invitationId: visitors.invitationId })
    .from(visitors)
    .where(eq(visitors.id, visitorId))
    .get();
  if (v?.email) forgetAddress(tx, v.email);
  // A single invitation named this visitor (and their address): it goes with them. A group's stays
  // until its visit is purged: it names whoever the department invited for the group.
  if (v?.invitationId) {
    const inv = tx
      .select({ headCount: invitations.headCount })
      .from(invitations)
      .where(eq(invitations.id, v.invitationId))
      .get();
    if (inv?.headCount === 1) eraseInvitation(tx, v.invitationId, now);
  }
  // The keyed hash goes too: a unique placeholder keeps the column's NOT NULL and stops matching.
  tx.update(visitors)
    .set({ ...ERASED, idHash: `erased:${visitorId}`, purgedAt: now })
    .where(eq(visitors.id, visitorId))
    .run();
}

/**
 * A stored reply to a retried filing holds the request as filed, names and phones included. The
 * daily purge never meets one (replies go after 2 days); an erasure on request may.
 */
export function dropStoredReplies(tx: Pick<Tx, 'delete'>, requestId: number) {
  tx.delete(idempotencyKeys)
    .where(sql`json_extract(${idempotencyKeys.body}, '$.id') = ${requestId}`)
    .run();
}

/**
 * After an erasure commits: secure_delete (db/open.ts) zeroed the old content in the database's
 * pages, and a truncating checkpoint writes them back and empties the WAL, whose older frames
 * would otherwise still hold the erased values until overwritten.
 */
export function flushErasures(db: Pick<Db, '$client'>) {
  db.$client.pragma('wal_checkpoint(TRUNCATE)');
}

/**
 * The daily retention job (DOMAIN.md: personal data minimal, purged on schedule): visitors whose
 * visit ended more than `retentionDays` ago lose their names, phones, ID hashes and declarations;
 * members deactivated that long ago lose theirs, and check-ins that old are deleted;
 * gate events that old lose their readings (the decision inputs). Report figures are kept in
 * daily_reports and do not change. Answers counts only: the caller logs them, never values.
 */
export function purgePersonalData(db: Db, now: Date, rules: Rules) {
  const cutoffDay = addDays(campusDate(now, rules.timezone), -rules.retentionDays);
  const cutoff = instantAt(cutoffDay, '00:00', rules.timezone);
  const out = db.transaction((tx) => {
    const due = tx
      .select({ id: visitors.id })
      .from(visitors)
      .innerJoin(visitRequests, eq(visitRequests.id, visitors.requestId))
      .where(and(isNull(visitors.purgedAt), lt(visitRequests.visitDateTo, cutoffDay)))
      .all();
    for (const v of due) eraseVisitor(tx, v.id, now);
    // Invitations of those visits, filled in or not, lose the names and addresses the department gave.
    const invitationsDue = tx
      .select({ id: invitations.id })
      .from(invitations)
      .innerJoin(visitRequests, eq(visitRequests.id, invitations.requestId))
      .where(and(isNull(invitations.purgedAt), lt(visitRequests.visitDateTo, cutoffDay)))
      .all();
    for (const i of invitationsDue) eraseInvitation(tx, i.id, now);
    const events = tx
      .update(gateEvents)
      .set({ input: null })
      .where(and(lt(gateEvents.at, cutoff), sql`${gateEvents.input} is not null`))
      .run().changes;
    // Stored answers to retried requests hold what was filed; they are only needed for a day or two.
    const replies = tx
      .delete(idempotencyKeys)
      .where(lt(idempotencyKeys.createdAt, new Date(now.getTime() - 2 * 86_400_000)))
      .run().changes;
    // Sent and given-up notifications hold addresses and masked names: kept as long as the visits.
    const notifications = purgeDeliveries(tx, cutoff);
    // Members' daily check-ins are health data: kept as long as visitors' declarations.
    const checkIns = tx.delete(memberCheckIns).where(lt(memberCheckIns.day, cutoffDay)).run().changes;
    // Members who left the campus for good: their rows stay (gate events, leaves and reports point
    // at them), their person goes; the number stays so a re-import finds and reactivates the row.
    const membersDue = tx
      .select({ id: members.id })
      .from(members)
      .where(and(isNull(members.purgedAt), lt(members.deactivatedAt, cutoff)))
      .all();
    for (const m of membersDue) {
      tx.update(members)
        .set({ name: ERASED.name, idHash: null, idLast4: null, phone: null, unit: '', purgedAt: now })
        .where(eq(members.id, m.id))
        .run();
      tx.update(leaves).set({ reason: '', decisionNote: null }).where(eq(leaves.memberId, m.id)).run();
    }
    return {
      visitors: due.length,
      invitations: invitationsDue.length,
      eventInputs: events,
      idempotencyReplies: replies,
      notifications,
      members: membersDue.length,
      checkIns,
      cutoffDay,
    };
  });
  if (out.visitors > 0 || out.invitations > 0 || out.eventInputs > 0 || out.members > 0 || out.checkIns > 0)
    flushErasures(db);
  return out;
}

import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { invitations, visitors, type RequestStatus } from '../db/schema';
import { fieldError } from '../lib/errors';
import { normalizePhone } from '../domain/names';
import type { Tx } from '../db/open';
import type { InvitationInput, INVITATION_STATES } from '../requests/schemas';

export type InvitationRow = typeof invitations.$inferSelect;
export type InvitationState = (typeof INVITATION_STATES)[number];

/** Statuses in which visitors may still fill in or correct their part: until the review decides. */
const OPEN_STATUSES = new Set<RequestStatus>(['pending_dept', 'pending', 'needs_review']);

/** A visitor may fill in or correct their declaration: the request is not decided and the visit not over. */
export const declarationOpen = (r: { status: RequestStatus; visitDateTo: string }, today: string) =>
  OPEN_STATUSES.has(r.status) && r.visitDateTo >= today;

/** Where an invitation stands, as the filer's list shows it. */
export function invitationState(
  inv: Pick<InvitationRow, 'withdrawnAt' | 'openedAt' | 'headCount'>,
  completed: number,
  r: { status: RequestStatus; visitDateTo: string },
  today: string,
): InvitationState {
  if (inv.withdrawnAt) return 'withdrawn';
  if (completed >= inv.headCount) return 'completed';
  if (r.status === 'cancelled' || r.status === 'rejected' || r.visitDateTo < today) return 'expired';
  if (!declarationOpen(r, today)) return 'closed';
  return inv.openedAt ? 'opened' : 'invited';
}

/** Invited people still to fill in their part, over a request's invitations (0 once closed). */
export const declarationsPending = (rows: { state: InvitationState; headCount: number; completed: number }[]): number =>
  rows.reduce((n, i) => n + (i.state === 'invited' || i.state === 'opened' ? i.headCount - i.completed : 0), 0);

/** A request's invitations with how many filled in through each, for a page of requests in one read. */
export function invitationsOf(tx: Tx, requestIds: number[]) {
  const out = new Map<number, (InvitationRow & { completed: number })[]>();
  if (!requestIds.length) return out;
  const rows = tx
    .select({
      inv: invitations,
      // Qualified by hand: inside a subquery the builder would leave the column bare, and visitors has an id too.
      completed: sql<number>`(select count(*) from visitors v where v.invitation_id = "invitations"."id" and v.removed_at is null)`,
    })
    .from(invitations)
    .where(inArray(invitations.requestId, requestIds))
    .orderBy(asc(invitations.id))
    .all();
  for (const { inv, completed } of rows)
    out.set(inv.requestId, [...(out.get(inv.requestId) ?? []), { ...inv, completed }]);
  return out;
}

/**
 * A filing's or an edit's invitations, in place: one named by id keeps its link with the new
 * details; one no longer listed is withdrawn (its link says so) and the visitors who filled it in
 * leave the request, passes revoked; a new one gets its own link. Answers the new ones, to be sent.
 */
export function syncInvitations(
  tx: Tx,
  requestId: number,
  input: InvitationInput[],
  now: Date,
  newToken: () => string,
  removeVisitor: (tx: Tx, visitorId: number, now: Date) => void,
): InvitationRow[] {
  const current = new Map(
    (invitationsOf(tx, [requestId]).get(requestId) ?? []).filter((i) => !i.withdrawnAt).map((i) => [i.id, i]),
  );
  const created: InvitationRow[] = [];
  const kept = new Set<number>();
  input.forEach((i, n) => {
    const values = {
      name: i.name,
      phone: i.phone ? normalizePhone(i.phone) : null,
      email: i.email?.toLowerCase() ?? null,
      locale: i.locale,
      headCount: i.headCount,
    };
    if (i.id === undefined) {
      created.push(
        tx
          .insert(invitations)
          .values({ ...values, requestId, token: newToken(), createdAt: now })
          .returning()
          .get(),
      );
      return;
    }
    const before = current.get(i.id);
    if (!before || kept.has(i.id))
      throw fieldError(['invitations', n, 'id'], 'unknown_invitation', `Invitation ${i.id} is not on this request`);
    if (i.headCount < before.completed)
      throw fieldError(
        ['invitations', n, 'headCount'],
        'head_count_below_completed',
        `${before.completed} visitors have already filled in this invitation`,
        { completed: before.completed },
      );
    kept.add(i.id);
    tx.update(invitations).set(values).where(eq(invitations.id, i.id)).run();
  });
  for (const [id] of current) {
    if (kept.has(id)) continue;
    tx.update(invitations).set({ withdrawnAt: now }).where(eq(invitations.id, id)).run();
    for (const v of tx
      .select({ id: visitors.id })
      .from(visitors)
      .where(and(eq(visitors.invitationId, id), isNull(visitors.removedAt)))
      .all())
      removeVisitor(tx, v.id, now);
  }
  return created;
}

export const invitationById = (tx: Tx, id: number) => tx.select().from(invitations).where(eq(invitations.id, id)).get();

/** The invitation was (re)sent: counted, so each sending is one notification, never two. */
export function markSent(tx: Tx, id: number, now: Date) {
  return tx
    .update(invitations)
    .set({ sends: sql`${invitations.sends} + 1`, sentAt: now })
    .where(eq(invitations.id, id))
    .returning()
    .get();
}

/**
 * A new link for an invitation; the old one stops working at once. The visitor of a single
 * invitation who already filled it in keeps the same link for their pass, so theirs moves too.
 */
export function reissueInvitation(tx: Tx, inv: InvitationRow, token: string) {
  tx.update(invitations).set({ token, openedAt: null }).where(eq(invitations.id, inv.id)).run();
  if (inv.headCount === 1)
    tx.update(visitors)
      .set({ linkToken: token })
      .where(and(eq(visitors.invitationId, inv.id), eq(visitors.linkToken, inv.token)))
      .run();
}

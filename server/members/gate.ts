import { and, desc, eq, gte, inArray, lte } from 'drizzle-orm';
import { leaves, memberCheckIns, members, visitRequests, passes } from '../db/schema';
import { campusDate } from '../domain/dates';
import type { AdmissionInput } from '../domain/admission';
import { entrantOfMember } from '../domain/member';
import { normalizePhone } from '../domain/names';
import type { RiskArea, Rules } from '../domain/rules';
import { leaveHolds } from './store';
import type { Tx } from '../db/open';

/**
 * What the server's own rows say of a member at the moment of a gate event: never the tablet's
 * word. Active then, whether an approved leave covered the moment, today's check-in (campus day of
 * the event), a hold after a risk area (against `areas`, read once per synced batch).
 */
export function memberFactsAt(tx: Tx, memberId: number, at: Date, rules: Rules, areas: RiskArea[]) {
  const m = tx.select().from(members).where(eq(members.id, memberId)).get();
  if (!m) return null;
  const active = m.deactivatedAt === null || m.deactivatedAt > at;
  const covering = tx
    .select()
    .from(leaves)
    .where(
      and(
        eq(leaves.memberId, memberId),
        inArray(leaves.status, ['approved', 'out', 'returned']),
        lte(leaves.fromAt, at),
        gte(leaves.toAt, at),
        lte(leaves.decidedAt, at),
      ),
    )
    .orderBy(desc(leaves.id))
    .get();
  const checkedIn = tx
    .select({ at: memberCheckIns.at })
    .from(memberCheckIns)
    .where(and(eq(memberCheckIns.memberId, memberId), eq(memberCheckIns.day, campusDate(at, rules.timezone))))
    .get();
  const out = tx
    .select()
    .from(leaves)
    .where(and(eq(leaves.memberId, memberId), eq(leaves.status, 'out')))
    .all();
  return {
    member: m,
    active,
    entrant: entrantOfMember(m.type),
    facts: {
      resident: m.resident,
      leave: !!covering,
      checkedInToday: !!checkedIn && checkedIn.at <= at,
      hold: out.some((l) => leaveHolds(l, areas, rules.timezone)),
    } satisfies NonNullable<AdmissionInput['member']>,
  };
}

/**
 * What a member's recorded admit changes: let out on a covering leave marks it out; let back in
 * closes the leave they were out on (销假). A refusal changes nothing.
 */
export function applyMemberPassage(
  tx: Tx,
  e: { type: string; memberId: number; at: Date; gateId: number; verdict: string | null },
) {
  if (e.verdict !== 'admit') return;
  if (e.type === 'member_exit') {
    const l = tx
      .select({ id: leaves.id })
      .from(leaves)
      .where(
        and(
          eq(leaves.memberId, e.memberId),
          eq(leaves.status, 'approved'),
          lte(leaves.fromAt, e.at),
          gte(leaves.toAt, e.at),
        ),
      )
      .orderBy(desc(leaves.id))
      .get();
    if (l)
      tx.update(leaves).set({ status: 'out', exitedAt: e.at, exitGateId: e.gateId }).where(eq(leaves.id, l.id)).run();
  } else if (e.type === 'member_entry') {
    tx.update(leaves)
      .set({ status: 'returned', returnedAt: e.at, returnGateId: e.gateId })
      .where(and(eq(leaves.memberId, e.memberId), eq(leaves.status, 'out')))
      .run();
  }
}

/**
 * Whether the staff member whose credential was scanned at an admitted visitor may be their escort:
 * the escort the request names (their phone), or any staff member of the host department.
 */
export function escortCheckOf(tx: Tx, passId: string, memberId: number): 'named_escort' | 'host_staff' | 'not_escort' {
  const row = tx
    .select({ departmentId: visitRequests.departmentId, escortPhone: visitRequests.escortPhone })
    .from(passes)
    .innerJoin(visitRequests, eq(visitRequests.id, passes.requestId))
    .where(eq(passes.id, passId))
    .get();
  const m = tx.select().from(members).where(eq(members.id, memberId)).get();
  if (!row || !m || m.type !== 'staff' || m.deactivatedAt) return 'not_escort';
  if (m.phone && normalizePhone(row.escortPhone) === m.phone) return 'named_escort';
  return m.departmentId === row.departmentId ? 'host_staff' : 'not_escort';
}

import { and, asc, desc, eq, gt, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { departments, leaves, memberCheckIns, members, users } from '../db/schema';
import { currentRules } from '../rules/store';
import { addDays, campusDate, instantAt } from '../domain/dates';
import { riskyArea } from '../domain/filing-checks';
import { idLast4 } from '../domain/id-number';
import { entrantOfMember } from '../domain/member';
import { maskName, maskPhone, normalizePhone } from '../domain/names';
import { policyFor } from '../domain/policy';
import { memberSecret, signCredential } from '../domain/credential';
import { toBase64Url } from '../domain/live-code';
import type { RiskArea, Rules } from '../domain/rules';
import { randomToken } from '../lib/crypto';
import { ApiError, conflict, notFound } from '../lib/errors';
import { idHash } from '../lib/secrets';
import { currentSigningKey } from '../passes/keys';
import { regionName } from '../regions/data';
import { activeRiskAreas } from '../risk-areas/store';
import type { CheckInInputSchema, LeaveInputSchema, MemberRow } from './schemas';
import type { Tx } from '../db/open';
import type { z } from '@hono/zod-openapi';

export type MemberRecord = typeof members.$inferSelect;
type LeaveRecord = typeof leaves.$inferSelect;

/** The member's phone page: `/m/<token>` (the link is the credential to it; re-issued, the old one dies). */
export const memberPage = (token: string) => `/m/${token}`;

/** A signed credential lives a week; the phone page fetches a fresh one whenever it is opened. */
const CREDENTIAL_DAYS = 7;

export function memberByToken(tx: Tx, token: string): MemberRecord {
  const m = tx.select().from(members).where(eq(members.linkToken, token)).get();
  if (!m || m.purgedAt) throw new ApiError(404, 'not_found', 'No such link (or it was re-issued)');
  return m;
}

export function memberById(tx: Tx, id: number): MemberRecord {
  const m = tx.select().from(members).where(eq(members.id, id)).get();
  if (!m) throw notFound('The member');
  return m;
}

/** Leaves that are out now: the member left on it and has not come back. */
const OUT = 'out' as const;

/**
 * A leave holds its member at the gate on the way back when its destination was a medium- or
 * high-risk area while they were away, until the office clears them (seed 002).
 */
export function leaveHolds(
  l: Pick<LeaveRecord, 'status' | 'destination' | 'fromAt' | 'toAt' | 'clearedAt'>,
  areas: RiskArea[],
  tz: string,
) {
  if (l.status !== OUT || l.clearedAt) return false;
  return !!riskyArea(l.destination, areas, campusDate(l.fromAt, tz), campusDate(l.toAt, tz));
}

// ---- import ------------------------------------------------------------------------------------

export interface MemberChange {
  number: string;
  name: string;
  change: 'created' | 'updated' | 'unchanged' | 'reactivated';
  fields: string[];
}

/** Departments by code and by name (Chinese or English), as an office's file may write them. */
export function departmentResolver(tx: Tx) {
  const byKey = new Map<string, number>();
  for (const d of tx.select().from(departments).all()) {
    for (const k of [d.code, d.name, d.nameEn]) if (k) byKey.set(k.trim().toLowerCase(), d.id);
  }
  return (text: string) => (text.trim() ? (byKey.get(text.trim().toLowerCase()) ?? undefined) : null);
}

/**
 * Saves checked rows by member number: a new number is a new member (with their link), a known one
 * is updated where it differs and reactivated if it had been deactivated. Answers what changed per
 * member (field names only). With `save` false nothing is written: the office's preview.
 */
export function importMembers(
  tx: Tx,
  rows: (MemberRow & { departmentId: number | null })[],
  now: Date,
  key: Buffer,
  save: boolean,
): MemberChange[] {
  const existing = new Map(
    tx
      .select()
      .from(members)
      .where(
        inArray(
          members.number,
          rows.map((r) => r.number),
        ),
      )
      .all()
      .map((m) => [m.number, m]),
  );
  return rows.map((r) => {
    const next = {
      name: r.name,
      type: r.type,
      workerKind: r.workerKind,
      departmentId: r.departmentId,
      unit: r.unit,
      resident: r.resident,
      phone: r.phone ? normalizePhone(r.phone) : null,
      ...(r.idNumber && r.idType ? { idHash: idHash(key, r.idType, r.idNumber), idLast4: idLast4(r.idNumber) } : {}),
    };
    const m = existing.get(r.number);
    if (!m) {
      if (save)
        tx.insert(members)
          .values({
            number: r.number,
            ...next,
            idHash: next.idHash ?? null,
            idLast4: next.idLast4 ?? null,
            linkToken: randomToken(24),
            createdAt: now,
            updatedAt: now,
          })
          .run();
      return { number: r.number, name: maskName(r.name), change: 'created' as const, fields: [] };
    }
    const fields = (Object.keys(next) as (keyof typeof next)[]).filter((k) => next[k] !== m[k]);
    const reactivated = m.deactivatedAt !== null;
    if (save && (fields.length || reactivated))
      tx.update(members)
        .set({ ...next, updatedAt: now, deactivatedAt: null, purgedAt: null })
        .where(eq(members.id, m.id))
        .run();
    return {
      number: r.number,
      name: maskName(r.name),
      change: reactivated ? ('reactivated' as const) : fields.length ? ('updated' as const) : ('unchanged' as const),
      fields,
    };
  });
}

// ---- credential --------------------------------------------------------------------------------

/** The member's signed credential and its live-code secret, for their own phone only. */
export function credentialOf(
  tx: Tx,
  m: MemberRecord,
  now: Date,
  keys: { signingKeyWrap: Buffer; memberCodes: Buffer },
) {
  const key = currentSigningKey(tx, keys.signingKeyWrap);
  const validTo = new Date(now.getTime() + CREDENTIAL_DAYS * 86_400_000);
  return {
    token: signCredential({ kid: key.kid, memberId: m.id, serial: m.credentialSerial, validTo }, key.privateKey),
    secret: toBase64Url(memberSecret(keys.memberCodes, m.id, m.credentialSerial)),
    validTo: validTo.toISOString(),
  };
}

/** A new link and a new credential serial: the old link answers 404, the old credential is refused at the gates. */
export function reissueLink(tx: Tx, m: MemberRecord, now: Date) {
  const linkToken = randomToken(24);
  tx.update(members)
    .set({ linkToken, credentialSerial: m.credentialSerial + 1, updatedAt: now })
    .where(eq(members.id, m.id))
    .run();
  return linkToken;
}

export function deactivate(tx: Tx, m: MemberRecord, now: Date) {
  if (m.deactivatedAt) return;
  tx.update(members).set({ deactivatedAt: now, updatedAt: now }).where(eq(members.id, m.id)).run();
}

// ---- leave -------------------------------------------------------------------------------------

export function leaveView(l: LeaveRecord & { decidedBy?: string | null }, now: Date, areas: RiskArea[], tz: string) {
  return {
    id: l.id,
    memberId: l.memberId,
    kind: l.kind,
    from: l.fromAt.toISOString(),
    to: l.toAt.toISOString(),
    destination: l.destination,
    destinationName: regionName(l.destination) ?? l.destination,
    reason: l.reason,
    status: l.status,
    filedAt: l.filedAt.toISOString(),
    decidedAt: l.decidedAt?.toISOString() ?? null,
    decidedBy: l.decidedBy ?? null,
    decisionNote: l.decisionNote,
    exitedAt: l.exitedAt?.toISOString() ?? null,
    returnedAt: l.returnedAt?.toISOString() ?? null,
    overdue: l.status === OUT && l.toAt < now,
    hold: leaveHolds(l, areas, tz),
  };
}

const leaveWithApprover = (tx: Tx) =>
  tx
    .select({ leave: leaves, decidedBy: users.displayName })
    .from(leaves)
    .leftJoin(users, eq(users.id, leaves.decidedByUserId));

/** One leave with its approver's name (谁批准谁负责). */
export function leaveById(tx: Tx, leaveId: number) {
  const r = leaveWithApprover(tx).where(eq(leaves.id, leaveId)).get();
  if (!r) throw notFound('The leave');
  return { ...r.leave, decidedBy: r.decidedBy };
}

export function leavesOf(tx: Tx, memberId: number) {
  return leaveWithApprover(tx)
    .where(eq(leaves.memberId, memberId))
    .orderBy(desc(leaves.id))
    .limit(20)
    .all()
    .map((r) => ({ ...r.leave, decidedBy: r.decidedBy }));
}

/**
 * A leave filed from the member's phone. Under the level in force a trip to a risk area is refused
 * here (the policy's risk-area declaration), and a member has one open leave at a time.
 */
export function fileLeave(tx: Tx, m: MemberRecord, input: z.infer<typeof LeaveInputSchema>, now: Date, rules: Rules) {
  if (m.deactivatedAt) throw conflict('member_inactive', 'This member is no longer active');
  const from = new Date(input.from);
  const to = new Date(input.to);
  if (to <= now) throw conflict('leave_in_past', 'The leave must end in the future');
  const policy = policyFor(rules, entrantOfMember(m.type));
  if (
    policy.riskAreaDeclaration &&
    riskyArea(input.destination, activeRiskAreas(tx), campusDate(from, rules.timezone), campusDate(to, rules.timezone))
  )
    throw conflict('destination_risk_area', 'The destination is a medium- or high-risk area: leave there is refused');
  const open = tx
    .select({ id: leaves.id })
    .from(leaves)
    .where(and(eq(leaves.memberId, m.id), inArray(leaves.status, ['pending', 'approved', 'out'])))
    .get();
  if (open) throw conflict('leave_open', 'A leave is already pending, approved or out: cancel or finish it first');
  return tx
    .insert(leaves)
    .values({
      memberId: m.id,
      fromAt: from,
      toAt: to,
      destination: input.destination,
      reason: input.reason,
      status: 'pending',
      filedAt: now,
    })
    .returning()
    .get();
}

export function cancelLeave(tx: Tx, m: MemberRecord, leaveId: number, now: Date) {
  const l = tx
    .select()
    .from(leaves)
    .where(and(eq(leaves.id, leaveId), eq(leaves.memberId, m.id)))
    .get();
  if (!l) throw notFound('The leave');
  if (l.status !== 'pending' && l.status !== 'approved')
    throw conflict('leave_not_open', 'Only a pending or approved leave not yet used can be cancelled');
  tx.update(leaves).set({ status: 'cancelled', decidedAt: now }).where(eq(leaves.id, l.id)).run();
}

/** Who may decide a member's leave: an approver of the member's department, or the office. */
export function assertMayDecide(
  principal: { role: string; departmentId: number | null },
  member: Pick<MemberRecord, 'departmentId'>,
) {
  if (principal.role === 'office') return;
  if (
    principal.role === 'approver' &&
    principal.departmentId !== null &&
    principal.departmentId === member.departmentId
  )
    return;
  throw notFound('The leave'); // another department's members are not this approver's to see
}

export function leaveForDecision(tx: Tx, leaveId: number) {
  const row = tx
    .select({ leave: leaves, member: members })
    .from(leaves)
    .innerJoin(members, eq(members.id, leaves.memberId))
    .where(eq(leaves.id, leaveId))
    .get();
  if (!row) throw notFound('The leave');
  return row;
}

export function decideLeave(tx: Tx, l: LeaveRecord, approve: boolean, note: string | null, userId: number, now: Date) {
  if (l.status !== 'pending') throw conflict('leave_decided', 'This leave was already decided or cancelled');
  tx.update(leaves)
    .set({ status: approve ? 'approved' : 'rejected', decidedAt: now, decidedByUserId: userId, decisionNote: note })
    .where(eq(leaves.id, l.id))
    .run();
}

/** The office lets a member out without a leave (a refusal overridden at the gate): recorded with who and why. */
export function grantExitPermit(
  tx: Tx,
  m: MemberRecord,
  input: { to: string; destination: string; why: string },
  userId: number,
  now: Date,
) {
  if (m.deactivatedAt) throw conflict('member_inactive', 'This member is no longer active');
  const to = new Date(input.to);
  if (to <= now) throw conflict('leave_in_past', 'The permit must end in the future');
  tx.update(leaves)
    .set({ status: 'cancelled', decidedAt: now })
    .where(and(eq(leaves.memberId, m.id), inArray(leaves.status, ['pending', 'approved'])))
    .run();
  if (
    tx
      .select({ id: leaves.id })
      .from(leaves)
      .where(and(eq(leaves.memberId, m.id), eq(leaves.status, OUT)))
      .get()
  )
    throw conflict('leave_open', 'This member is already out');
  return tx
    .insert(leaves)
    .values({
      memberId: m.id,
      kind: 'office',
      fromAt: now,
      toAt: to,
      destination: input.destination,
      reason: input.why,
      status: 'approved',
      filedAt: now,
      decidedAt: now,
      decidedByUserId: userId,
      decisionNote: input.why,
    })
    .returning()
    .get();
}

export function clearHold(tx: Tx, leaveId: number, userId: number, now: Date) {
  const l = tx.select().from(leaves).where(eq(leaves.id, leaveId)).get();
  if (!l) throw notFound('The leave');
  if (l.clearedAt) return l;
  tx.update(leaves)
    .set({ clearedAt: now, clearedByUserId: userId, decidedAt: l.decidedAt ?? now })
    .where(eq(leaves.id, l.id))
    .run();
  return l;
}

// ---- check-in ----------------------------------------------------------------------------------

export function checkIn(tx: Tx, m: MemberRecord, input: z.infer<typeof CheckInInputSchema>, now: Date, rules: Rules) {
  if (m.deactivatedAt) throw conflict('member_inactive', 'This member is no longer active');
  const asked = new Set(rules.checkInFields);
  const issues = [...asked]
    .filter((f) => input[f] === undefined || input[f] === null)
    .map((f) => ({ path: [f], code: 'required', message: 'required by the campus check-in' }));
  if (issues.length)
    throw new ApiError(400, 'validation_failed', 'The check-in misses fields the campus asks', { issues });
  const day = campusDate(now, rules.timezone);
  const row = {
    memberId: m.id,
    day,
    at: now,
    temperature: asked.has('temperature') ? (input.temperature ?? null) : null,
    location: asked.has('location') ? (input.location ?? null) : null,
    symptoms: asked.has('symptoms') ? (input.symptoms ?? null) : null,
  };
  tx.insert(memberCheckIns)
    .values(row)
    .onConflictDoUpdate({ target: [memberCheckIns.memberId, memberCheckIns.day], set: row })
    .run();
  return row;
}

/** Everything the member's phone shows: who they are, their credential, their leaves, today's check-in. */
export function memberPageView(
  tx: Tx,
  m: MemberRecord,
  now: Date,
  keys: { signingKeyWrap: Buffer; memberCodes: Buffer },
) {
  const { rules } = currentRules(tx);
  const day = campusDate(now, rules.timezone);
  const done = tx
    .select({ at: memberCheckIns.at })
    .from(memberCheckIns)
    .where(and(eq(memberCheckIns.memberId, m.id), eq(memberCheckIns.day, day)))
    .get();
  const dept = m.departmentId
    ? tx.select().from(departments).where(eq(departments.id, m.departmentId)).get()
    : undefined;
  const policy = policyFor(rules, entrantOfMember(m.type));
  const areas = activeRiskAreas(tx);
  const active = m.deactivatedAt === null;
  return {
    member: {
      number: m.number,
      name: m.name,
      type: m.type,
      workerKind: m.workerKind,
      department: dept?.name ?? null,
      departmentEn: dept?.nameEn ?? null,
      unit: m.unit,
      resident: m.resident,
      active,
    },
    credential: active ? { ...credentialOf(tx, m, now, keys), stepSeconds: rules.codeStepSeconds } : null,
    leaves: leavesOf(tx, m.id).map((l) => leaveView(l, now, areas, rules.timezone)),
    checkIn: {
      day,
      done: !!done,
      at: done?.at.toISOString() ?? null,
      fields: rules.checkInFields,
      requiredAtGate: policy.dailyCheckIn,
    },
    exitNeedsLeave: policy.exitNeedsLeave && m.resident,
    campusTimezone: rules.timezone,
  };
}

// ---- views -------------------------------------------------------------------------------------

/** Per member: out now, overdue, held, checked in today: what the office's view and the gate need. */
export function memberFlags(tx: Tx, ids: number[], now: Date, rules: Rules) {
  const day = campusDate(now, rules.timezone);
  const areas = activeRiskAreas(tx);
  const out = new Map<number, { out: boolean; overdue: boolean; hold: boolean; checkedInToday: boolean }>();
  for (const id of ids) out.set(id, { out: false, overdue: false, hold: false, checkedInToday: false });
  if (!ids.length) return out;
  for (const l of tx
    .select()
    .from(leaves)
    .where(and(inArray(leaves.memberId, ids), eq(leaves.status, OUT)))
    .all()) {
    const f = out.get(l.memberId)!;
    f.out = true;
    f.overdue ||= l.toAt < now;
    f.hold ||= leaveHolds(l, areas, rules.timezone);
  }
  for (const c of tx
    .select({ memberId: memberCheckIns.memberId })
    .from(memberCheckIns)
    .where(and(inArray(memberCheckIns.memberId, ids), eq(memberCheckIns.day, day)))
    .all())
    out.get(c.memberId)!.checkedInToday = true;
  return out;
}

export function memberView(
  m: MemberRecord & { department: string | null; departmentEn: string | null },
  flags: { out: boolean; overdue: boolean; hold: boolean; checkedInToday: boolean },
) {
  return {
    id: m.id,
    number: m.number,
    name: m.name,
    type: m.type,
    workerKind: m.workerKind,
    departmentId: m.departmentId,
    department: m.department,
    departmentEn: m.departmentEn,
    unit: m.unit,
    resident: m.resident,
    idLast4: m.idLast4,
    phone: m.phone ? maskPhone(m.phone) : null,
    active: m.deactivatedAt === null,
    ...flags,
  };
}

/** The office's member list: a filter (out, overdue, no check-in today, held, inactive), a department, a search. */
export function listMembers(
  tx: Tx,
  q: { filter: string; departmentId?: number | undefined; q?: string | undefined; afterId?: number; limit: number },
  now: Date,
  rules: Rules,
  scopeDepartmentId: number | null,
) {
  const day = campusDate(now, rules.timezone);
  const where: (SQL | undefined)[] = [isNull(members.purgedAt)];
  if (scopeDepartmentId !== null) where.push(eq(members.departmentId, scopeDepartmentId));
  if (q.departmentId) where.push(eq(members.departmentId, q.departmentId));
  if (q.afterId) where.push(gt(members.id, q.afterId));
  if (q.q) where.push(or(eq(members.number, q.q), sql`${members.name} like ${`%${q.q.replace(/[%_]/g, '')}%`}`));
  const outNow = sql`exists (select 1 from leaves l where l.member_id = ${members.id} and l.status = 'out')`;
  switch (q.filter) {
    case 'out':
      where.push(outNow);
      break;
    case 'overdue':
      where.push(
        sql`exists (select 1 from leaves l where l.member_id = ${members.id} and l.status = 'out' and l.to_at < ${now.getTime()})`,
      );
      break;
    case 'no_check_in':
      where.push(
        isNull(members.deactivatedAt),
        sql`not exists (select 1 from member_check_ins c where c.member_id = ${members.id} and c.day = ${day})`,
      );
      break;
    case 'held':
      where.push(outNow);
      break;
    case 'inactive':
      where.push(sql`${members.deactivatedAt} is not null`);
      break;
    default:
      break;
  }
  let rows = tx
    .select({ m: members, department: departments.name, departmentEn: departments.nameEn })
    .from(members)
    .leftJoin(departments, eq(departments.id, members.departmentId))
    .where(and(...where))
    .orderBy(asc(members.id))
    .limit(q.filter === 'held' ? 10_000 : q.limit + 1)
    .all();
  const flags = memberFlags(
    tx,
    rows.map((r) => r.m.id),
    now,
    rules,
  );
  if (q.filter === 'held') rows = rows.filter((r) => flags.get(r.m.id)!.hold).slice(0, q.limit + 1);
  return rows.map((r) =>
    memberView({ ...r.m, department: r.department, departmentEn: r.departmentEn }, flags.get(r.m.id)!),
  );
}

/** Per department: members, out, overdue, not checked in today, held; and who left on an office permit. */
export function memberSummary(tx: Tx, now: Date, rules: Rules, scopeDepartmentId: number | null) {
  const day = campusDate(now, rules.timezone);
  const rows = tx.all<{
    departmentId: number | null;
    department: string | null;
    departmentEn: string | null;
    members: number;
    out: number;
    overdue: number;
    notCheckedIn: number;
  }>(sql`
    select m.department_id as departmentId, d.name as department, d.name_en as departmentEn, count(*) as members,
      sum(exists (select 1 from leaves l where l.member_id = m.id and l.status = 'out')) as out,
      sum(exists (select 1 from leaves l where l.member_id = m.id and l.status = 'out' and l.to_at < ${now.getTime()})) as overdue,
      sum(not exists (select 1 from member_check_ins c where c.member_id = m.id and c.day = ${day})) as notCheckedIn
    from members m left join departments d on d.id = m.department_id
    where m.deactivated_at is null and m.purged_at is null
      ${scopeDepartmentId !== null ? sql`and m.department_id = ${scopeDepartmentId}` : sql``}
    group by m.department_id order by m.department_id`);
  const areas = activeRiskAreas(tx);
  const outLeaves = tx
    .select({ leave: leaves, departmentId: members.departmentId })
    .from(leaves)
    .innerJoin(members, eq(members.id, leaves.memberId))
    .where(eq(leaves.status, OUT))
    .all();
  const held = new Map<number | null, number>();
  for (const r of outLeaves)
    if (leaveHolds(r.leave, areas, rules.timezone)) held.set(r.departmentId, (held.get(r.departmentId) ?? 0) + 1);
  const since = instantAt(addDays(day, -7), '00:00', rules.timezone);
  const permits = tx
    .select({ leave: leaves, member: members, decidedBy: users.displayName })
    .from(leaves)
    .innerJoin(members, eq(members.id, leaves.memberId))
    .leftJoin(users, eq(users.id, leaves.decidedByUserId))
    .where(
      and(
        eq(leaves.kind, 'office'),
        gt(leaves.filedAt, since),
        scopeDepartmentId !== null ? eq(members.departmentId, scopeDepartmentId) : undefined,
      ),
    )
    .orderBy(desc(leaves.id))
    .limit(50)
    .all();
  return {
    day,
    departments: rows.map((r) => ({
      ...r,
      out: Number(r.out),
      overdue: Number(r.overdue),
      notCheckedIn: Number(r.notCheckedIn),
      held: held.get(r.departmentId) ?? 0,
    })),
    exitsWithoutLeave: permits.map((p) => ({
      leaveId: p.leave.id,
      member: p.member.name,
      number: p.member.number,
      decidedBy: p.decidedBy,
      why: p.leave.decisionNote,
      at: p.leave.exitedAt?.toISOString() ?? null,
    })),
  };
}

/** The approver's queue: their department's leaves (the office's: every department's). */
export function listLeaves(
  tx: Tx,
  status: string,
  now: Date,
  rules: Rules,
  scopeDepartmentId: number | null,
  page: { beforeId?: number; limit: number },
) {
  const where: (SQL | undefined)[] = [];
  if (scopeDepartmentId !== null) where.push(eq(members.departmentId, scopeDepartmentId));
  if (page.beforeId) where.push(lt(leaves.id, page.beforeId));
  if (status === 'pending' || status === 'approved' || status === 'out') where.push(eq(leaves.status, status));
  if (status === 'overdue') where.push(eq(leaves.status, OUT), lt(leaves.toAt, now));
  if (status === 'decided') where.push(inArray(leaves.status, ['approved', 'rejected', 'out', 'returned']));
  const areas = activeRiskAreas(tx);
  return tx
    .select({
      leave: leaves,
      decidedBy: users.displayName,
      member: members,
      department: departments.name,
      departmentEn: departments.nameEn,
    })
    .from(leaves)
    .innerJoin(members, eq(members.id, leaves.memberId))
    .leftJoin(departments, eq(departments.id, members.departmentId))
    .leftJoin(users, eq(users.id, leaves.decidedByUserId))
    .where(and(...where))
    .orderBy(desc(leaves.id))
    .limit(page.limit + 1)
    .all()
    .map((r) => ({
      ...leaveView({ ...r.leave, decidedBy: r.decidedBy }, now, areas, rules.timezone),
      member: {
        number: r.member.number,
        name: r.member.name,
        type: r.member.type,
        unit: r.member.unit,
        department: r.department,
        departmentEn: r.departmentEn,
      },
    }));
}

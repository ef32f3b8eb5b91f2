import { randomBytes } from 'node:crypto';
import { and, asc, desc, eq, gt, gte, inArray, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import { z } from '@hono/zod-openapi';
import {
  departments,
  gates,
  idempotencyKeys,
  passes,
  requestHistory,
  users,
  visitRequests,
  visitors,
  type RequestStatus,
} from '../db/schema';
import { campusDate } from '../domain/dates';
import { entrantOfFiling, policyFor, testRequiredBy, type EntrantPolicy } from '../domain/policy';
import { regionWithin, type Rules } from '../domain/rules';
import { safeText } from '../lib/schemas';
import { checkFiling, type FilingVerdict, type RequestFacts } from '../domain/filing-checks';
import { filingMessage } from '../domain/filing-messages';
import { idLast4 } from '../domain/id-number';
import { normalizeName, normalizePhone } from '../domain/names';
import { idHash } from '../lib/secrets';
import { ApiError, fieldError, type ErrorIssue } from '../lib/errors';
import { activeBlockEntries, blockMatcher } from '../blocklist/match';
import { activeRiskAreas } from '../risk-areas/store';
import { currentRules, type RuleVersion } from '../rules/store';
import {
  declarationsPending,
  invitationsOf,
  invitationState,
  type InvitationRow,
  type InvitationState,
} from '../invitations/store';
import { signedOnline } from '../passes/with-context';
import type { Tx } from '../db/open';
import type { Happened } from '../events';
import type { RequestInput } from './schemas';
import { actorNames } from '../audit/store';

/** How many people a request is for: the visitors the department entered and every invitation's head count. */
export const expectedVisitorsOf = (input: Pick<RequestInput, 'visitors' | 'invitations'>) =>
  input.visitors.length + input.invitations.reduce((n, i) => n + i.headCount, 0);

/**
 * What the policy in force does not ask of these visitors is not kept, whatever the form sent
 * (PIPL art. 6, the minimum necessary): no travel without a risk-area check, no close-contact
 * answer without that declaration, no test without a test rule for them.
 */
export function minimalInput<T extends RequestInput>(input: T, rules: Rules, emergency: boolean): T {
  const policy = policyFor(
    rules,
    entrantOfFiling(rules, { emergency, kind: input.kind, visitors: expectedVisitorsOf(input) }),
  );
  return { ...input, visitors: input.visitors.map((v) => minimalDeclaration(v, policy, rules)) };
}

/** One person's declaration reduced to what `policy` asks (the department's form and the visitor's own page). */
export function minimalDeclaration<
  V extends {
    fromRegion: string;
    visitedRegions: string[];
    closeContact: boolean;
    testTakenAt: string | null;
    testResult: 'negative' | 'positive' | null;
  },
>(v: V, policy: EntrantPolicy, rules: Rules): V {
  const outOfCity = !regionWithin(v.fromRegion, rules.campusRegionCode);
  return {
    ...v,
    visitedRegions: policy.riskAreaDeclaration ? v.visitedRegions : [],
    closeContact: policy.closeContactDeclaration ? v.closeContact : false,
    ...(testRequiredBy(policy, outOfCity) ? {} : { testTakenAt: null, testResult: null }),
  };
}

/** The request's own visitors an edit may keep by id: what of their ID number is stored. */
export type KeptIds = Map<number, { idType: string; idHash: string; idLast4: string }>;

export function keptVisitorIds(tx: Tx, requestId: number): KeptIds {
  return new Map(
    tx
      .select({ id: visitors.id, idType: visitors.idType, idHash: visitors.idHash, idLast4: visitors.idLast4 })
      .from(visitors)
      .where(and(eq(visitors.requestId, requestId), isNull(visitors.removedAt), eq(visitors.declaredBy, 'filer')))
      .all()
      .map((v) => [v.id, v]),
  );
}

/**
 * Visitor data as stored: the ID number reduced to its keyed hash and last four. A kept visitor sent
 * without an ID number keeps the stored ones; an id that is not this request's, or a changed document
 * type without its number, is a field error.
 */
export function prepareVisitors(input: RequestInput, key: Buffer, kept: KeptIds = new Map()) {
  return input.visitors.map((v, i) => {
    const before = v.id !== undefined ? kept.get(v.id) : undefined;
    if (v.id !== undefined && !before)
      throw fieldError(['visitors', i, 'id'], 'unknown_visitor', `Visitor ${v.id} is not on this request`);
    const id =
      v.idNumber !== undefined
        ? { idHash: idHash(key, v.idType, v.idNumber), idLast4: idLast4(v.idNumber) }
        : before && before.idType === v.idType
          ? { idHash: before.idHash, idLast4: before.idLast4 }
          : null;
    if (!id) throw fieldError(['visitors', i, 'idNumber'], 'required', 'A changed ID type needs its ID number');
    return { ...preparedFields(v), keptId: before ? v.id! : null, ...id };
  });
}

function preparedFields(v: RequestInput['visitors'][number]) {
  return {
    name: v.name,
    nameNorm: normalizeName(v.name),
    idType: v.idType,
    phone: normalizePhone(v.phone),
    email: v.email?.toLowerCase() ?? null,
    fromRegion: v.fromRegion,
    visitedRegions: v.visitedRegions,
    closeContact: v.closeContact,
    testTakenAt: v.testTakenAt ? new Date(v.testTakenAt) : null,
    testResult: v.testResult,
  };
}
export type PreparedVisitor = ReturnType<typeof prepareVisitors>[number];

/** The facts the pure filing checks need, from stored or prepared visitors. */
export function requestFacts(
  req: Pick<
    RequestFacts,
    | 'visitDateFrom'
    | 'visitDateTo'
    | 'timeFrom'
    | 'timeTo'
    | 'preventionPlan'
    | 'emergency'
    | 'kind'
    | 'expectedVisitors'
  >,
  vs: Pick<
    PreparedVisitor,
    'idHash' | 'nameNorm' | 'phone' | 'fromRegion' | 'visitedRegions' | 'closeContact' | 'testTakenAt' | 'testResult'
  >[],
  ctx: { isBlocked: ReturnType<typeof blockMatcher> },
): RequestFacts {
  return {
    visitDateFrom: req.visitDateFrom,
    visitDateTo: req.visitDateTo,
    timeFrom: req.timeFrom,
    timeTo: req.timeTo,
    preventionPlan: req.preventionPlan,
    emergency: req.emergency ?? false,
    kind: req.kind ?? 'visitor',
    expectedVisitors: req.expectedVisitors ?? vs.length,
    visitors: vs.map((v) => ({
      fromRegion: v.fromRegion,
      visitedRegions: v.visitedRegions,
      closeContact: v.closeContact,
      testTakenAt: v.testTakenAt,
      testResult: v.testResult,
      blocked: ctx.isBlocked({ idHash: v.idHash, nameNorm: v.nameNorm, phoneNorm: v.phone }),
    })),
  };
}

/** Applies the filing rules as they stand now; answers the verdict with the rule version used. */
export function evaluateFiling(
  tx: Tx,
  now: Date,
  input: RequestInput & { visitDateTo: string },
  prepared: PreparedVisitor[],
  opts: { checkLeadTime?: boolean } = {},
) {
  const rv = currentRules(tx);
  const facts = requestFacts({ ...input, expectedVisitors: expectedVisitorsOf(input) }, prepared, {
    isBlocked: blockMatcher(activeBlockEntries(tx, now)),
  });
  const verdict = checkFiling(facts, { now, rules: rv.rules, riskAreas: activeRiskAreas(tx), ...opts });
  return { rv, verdict };
}

/** Gate references must exist and be active; every violation becomes a bilingual field issue. */
export function assertFilingValid(tx: Tx, input: RequestInput, verdict: FilingVerdict) {
  const issues: ErrorIssue[] = [];
  const known = new Set(
    tx
      .select({ id: gates.id })
      .from(gates)
      .where(and(inArray(gates.id, input.gateIds), eq(gates.active, true)))
      .all()
      .map((g) => g.id),
  );
  input.gateIds.forEach((g, i) => {
    if (!known.has(g))
      issues.push({
        path: ['gateIds', i],
        code: 'unknown_gate',
        message: filingMessage('unknown_gate', 'en'),
        messageZh: filingMessage('unknown_gate', 'zh'),
      });
  });
  issues.push(...verdict.violations.map((v) => violationIssue(v)));
  if (issues.length) throw new ApiError(400, 'validation_failed', 'The request breaks filing rules', { issues });
}

/** A new visitor's pass-page link: unguessable (192 bits), kept for every pass the visitor is issued. */
export const newLinkToken = () => randomBytes(24).toString('base64url');

/** The path of a visitor's own page (invitation, declaration and pass): messages make it a full URL. */
export const visitorPage = (token: string) => `/v/${token}`;

/** A visitor's row as the department filed it: the prepared data and the filing checks' outcome. */
function visitorRow(
  { keptId: _kept, ...v }: PreparedVisitor,
  check: FilingVerdict['visitorChecks'][number] | undefined,
) {
  return { ...v, outOfCity: check?.outOfCity ?? false, checks: check?.violations ?? [] };
}

export function insertVisitors(tx: Tx, requestId: number, prepared: PreparedVisitor[], verdict: FilingVerdict) {
  prepared.forEach((v, i) => {
    tx.insert(visitors)
      .values({ ...visitorRow(v, verdict.visitorChecks[i]), requestId, linkToken: newLinkToken() })
      .run();
  });
}

/**
 * An edit of the visitors the department entered, in place (those who filled in their own part
 * belong to their invitations): a visitor the form names by id, or entered again with the same ID
 * number, keeps their row, pass and link, with the new data; a visitor no longer on the list is marked removed
 * and their pass revoked (the tablets learn it); a new one is added. A backfill completes the
 * emergency visitors' rows in order: they were admitted, so none may be dropped or added.
 * Nothing is deleted: gate events, tracing and reports keep pointing at these rows.
 */
export function replaceVisitors(
  tx: Tx,
  requestId: number,
  prepared: PreparedVisitor[],
  verdict: FilingVerdict,
  now: Date,
  { backfill = false } = {},
) {
  const current = tx
    .select()
    .from(visitors)
    .where(and(eq(visitors.requestId, requestId), isNull(visitors.removedAt), eq(visitors.declaredBy, 'filer')))
    .orderBy(asc(visitors.id))
    .all();
  if (backfill && current.length !== prepared.length) {
    const message = {
      en: `The emergency admit was for ${current.length} visitor(s): backfill exactly those`,
      zh: `紧急放行登记了 ${current.length} 名访客，请逐一补录，不能增减`,
    };
    throw new ApiError(400, 'validation_failed', message.en, {
      issues: [
        {
          path: ['visitors'],
          code: 'backfill_visitor_count',
          message: message.en,
          messageZh: message.zh,
          params: { count: current.length },
        },
      ],
    });
  }
  const unmatched = [...current];
  const matched = prepared.map((v) => {
    // The visitor the form named, else the one with the same ID number.
    const at = backfill
      ? 0
      : v.keptId !== null
        ? unmatched.findIndex((c) => c.id === v.keptId)
        : unmatched.findIndex((c) => c.idHash === v.idHash);
    return at >= 0 && at < unmatched.length ? unmatched.splice(at, 1)[0]! : null;
  });
  for (const gone of unmatched) removeVisitor(tx, gone.id, now);
  prepared.forEach((v, i) => {
    const row = visitorRow(v, verdict.visitorChecks[i]);
    const keep = matched[i];
    if (keep) tx.update(visitors).set(row).where(eq(visitors.id, keep.id)).run();
    else
      tx.insert(visitors)
        .values({ ...row, requestId, linkToken: newLinkToken() })
        .run();
  });
}

/** Takes a visitor off their request: the row stays (events point at it), their pass is revoked. */
export function removeVisitor(tx: Tx, visitorId: number, now: Date) {
  tx.update(visitors).set({ removedAt: now }).where(eq(visitors.id, visitorId)).run();
  tx.update(passes)
    .set({ revokedAt: now, revokeReason: 'visitor_removed' })
    .where(and(eq(passes.visitorId, visitorId), isNull(passes.revokedAt)))
    .run();
}

/** What a guard or the office says of a walk-in who needs the emergency lane. */
export const EmergencyInputSchema = z.object({
  departmentId: z.number().int().positive(),
  visitorName: safeText(1, 50),
  visitorPhone: z
    .string()
    .trim()
    .regex(/^\+?[\d\s-]{6,20}$/),
  purpose: safeText(2, 200).optional().openapi({
    description: 'What the visit is for; the reason stands for it when absent (the department backfills the rest)',
  }),
  reason: safeText(2, 500, { multiline: true }),
});

/**
 * One emergency request, from the gate (pending the office's answer) or from the office (approved
 * at once, its approver named: 谁批准谁负责): the department and gate are checked, the walk-in is recorded by
 * name and phone, and the host department owes the backfill by the rule's deadline.
 */
export function createEmergencyRequest(
  tx: Tx,
  now: Date,
  input: z.infer<typeof EmergencyInputSchema> & { gateId: number },
  ctx: {
    filedByLabel: string;
    filedByUserId: number | null;
    approval: { byUserId: number | null } | null;
    idHashKey: Buffer;
  },
) {
  if (!tx.select({ id: departments.id }).from(departments).where(eq(departments.id, input.departmentId)).get())
    throw fieldError(['departmentId'], 'unknown_department', `Department ${input.departmentId} does not exist`);
  if (!tx.select({ id: gates.id }).from(gates).where(eq(gates.id, input.gateId)).get())
    throw fieldError(['gateId'], 'unknown_gate', `Gate ${input.gateId} does not exist`);
  const { version, rules } = currentRules(tx);
  const today = campusDate(now, rules.timezone);
  const approved = ctx.approval !== null;
  const r = tx
    .insert(visitRequests)
    .values({
      departmentId: input.departmentId,
      filedByLabel: ctx.filedByLabel,
      filedByUserId: ctx.filedByUserId,
      status: approved ? 'approved' : 'pending',
      visitDateFrom: today,
      visitDateTo: today,
      timeFrom: '00:00',
      timeTo: '23:59',
      gateIds: [input.gateId],
      // At the gate the guard asks only why it is urgent; the department's backfill says the rest.
      purpose: input.purpose ?? input.reason.replace(/\s+/g, ' ').slice(0, 200),
      destination: '—',
      escortName: '—',
      escortPhone: '—',
      ruleVersion: version,
      emergency: true,
      emergencyReason: input.reason,
      expectedVisitors: 1,
      backfillDueAt: new Date(now.getTime() + rules.backfillHours * 3_600_000),
      ...(ctx.approval ? { decidedAt: now, decidedByUserId: ctx.approval.byUserId } : {}),
      createdAt: now,
      updatedAt: now,
    })
    .returning()
    .get();
  insertEmergencyVisitor(tx, r.id, input, rules.campusRegionCode, ctx.idHashKey);
  return { request: r, rules };
}

/** The walk-in of an emergency admit: identified by name and phone until the department backfills. */
function insertEmergencyVisitor(
  tx: Tx,
  requestId: number,
  input: { visitorName: string; visitorPhone: string },
  campusRegionCode: string,
  key: Buffer,
) {
  tx.insert(visitors)
    .values({
      requestId,
      name: input.visitorName,
      nameNorm: normalizeName(input.visitorName),
      idType: 'other',
      idHash: idHash(key, 'emergency', String(requestId)),
      idLast4: '----',
      phone: normalizePhone(input.visitorPhone),
      fromRegion: campusRegionCode,
      visitedRegions: [],
      closeContact: false,
      outOfCity: false,
      checks: [],
      linkToken: newLinkToken(),
    })
    .run();
}

export function addHistory(
  tx: Tx,
  happened: Happened,
  requestId: number,
  at: Date,
  actorLabel: string,
  action: string,
  fromStatus: RequestStatus | null,
  toStatus: RequestStatus | null,
  note: string | null = null,
) {
  const { id } = tx
    .insert(requestHistory)
    .values({ requestId, at, actorLabel, action, fromStatus, toStatus, note })
    .returning({ id: requestHistory.id })
    .get();
  // Every move of a request is said, in its transaction: notifications follow from it (events.ts).
  happened({ type: 'request.transition', requestId, historyId: id, action, from: fromStatus, to: toStatus, note, at });
}

/** Revokes every live pass of a request (cancel, reject, re-check); kiosks learn it at their next sync. */
export function revokePasses(tx: Tx, requestId: number, at: Date, reason: string) {
  tx.update(passes)
    .set({ revokedAt: at, revokeReason: reason })
    .where(and(eq(passes.requestId, requestId), isNull(passes.revokedAt)))
    .run();
}

/** A re-check found this visitor failing: their live pass is revoked and their checks say why. */
export function revokeVisitorPass(tx: Tx, visitorId: number, reasons: string[], at: Date) {
  tx.update(passes)
    .set({ revokedAt: at, revokeReason: 'recheck' })
    .where(and(eq(passes.visitorId, visitorId), isNull(passes.revokedAt)))
    .run();
  if (reasons.length) tx.update(visitors).set({ checks: reasons }).where(eq(visitors.id, visitorId)).run();
}

/** An approval found every visitor passing as the rules stand now: failures a re-check recorded no longer apply. */
export function clearVisitorChecks(tx: Tx, requestId: number) {
  tx.update(visitors).set({ checks: [] }).where(eq(visitors.requestId, requestId)).run();
}

/** The office lets a visitor in although these checks failed: kept with who, when and why (谁批准谁负责). */
export function overrideChecks(
  tx: Tx,
  visitorId: number,
  override: { codes: string[]; reason: string; userId: number | null; at: Date },
) {
  const before = tx.select({ codes: visitors.overrideCodes }).from(visitors).where(eq(visitors.id, visitorId)).get();
  const codes = [...new Set([...(before?.codes ?? []), ...override.codes])];
  tx.update(visitors)
    .set({
      overrideCodes: codes,
      overrideReason: override.reason,
      overrideByUserId: override.userId,
      overrideAt: override.at,
      checks: [],
    })
    .where(eq(visitors.id, visitorId))
    .run();
  return codes;
}

export type RequestRow = typeof visitRequests.$inferSelect;

/** Rows grouped by their request id, in the order read. */
function byRequest<T extends { requestId: number }>(rows: T[]) {
  const out = new Map<number, T[]>();
  for (const row of rows) out.set(row.requestId, [...(out.get(row.requestId) ?? []), row]);
  return out;
}

/**
 * Requests as the API shows them, a page at a time: their visitors (and, in detail, passes and
 * history) in one read each for the whole page, not one per request.
 */
export function requestViews(tx: Tx, rows: RequestRow[], now: Date, { detail = false } = {}) {
  const ids = rows.map((r) => r.id);
  if (ids.length === 0) return [];
  // Whether an invitation has expired is a question of the campus date now.
  const today = campusDate(now, currentRules(tx).rules.timezone);
  const invsOf = invitationsOf(tx, ids);
  const vsOf = byRequest(
    tx
      .select()
      .from(visitors)
      .where(and(inArray(visitors.requestId, ids), isNull(visitors.removedAt)))
      .orderBy(asc(visitors.id))
      .all(),
  );
  // Who overrode a visitor's checks, by name (谁批准谁负责).
  const overriders = [...vsOf.values()].flat().flatMap((v) => (v.overrideByUserId ? [v.overrideByUserId] : []));
  const nameOf = new Map(
    overriders.length
      ? tx
          .select({ id: users.id, name: users.displayName })
          .from(users)
          .where(inArray(users.id, [...new Set(overriders)]))
          .all()
          .map((u) => [u.id, u.name])
      : [],
  );
  const psOf = detail
    ? byRequest(
        tx
          .select()
          .from(passes)
          .where(inArray(passes.requestId, ids))
          .orderBy(sql`rowid`)
          .all(),
      )
    : new Map<number, (typeof passes.$inferSelect)[]>();
  const historyOf = detail
    ? byRequest(
        tx
          .select()
          .from(requestHistory)
          .where(inArray(requestHistory.requestId, ids))
          .orderBy(asc(requestHistory.id))
          .all(),
      )
    : new Map<number, (typeof requestHistory.$inferSelect)[]>();
  const names = actorNames(
    tx,
    [...historyOf.values()].flat().map((h) => h.actorLabel),
  );
  return rows.map((r) =>
    viewOf(
      r,
      vsOf.get(r.id) ?? [],
      (invsOf.get(r.id) ?? []).map((i) => ({ ...i, state: invitationState(i, i.completed, r, today) })),
      detail ? { ps: psOf.get(r.id) ?? [], history: historyOf.get(r.id) ?? [], nameOf, names } : null,
    ),
  );
}

/** One request as the API shows it (requestViews for a list). */
export function requestView(tx: Tx, r: RequestRow, now: Date, { detail = false } = {}) {
  const [view] = requestViews(tx, [r], now, { detail });
  if (!view) throw new Error(`request ${r.id}: no view`);
  return view;
}

function viewOf(
  r: RequestRow,
  vs: (typeof visitors.$inferSelect)[],
  invs: (InvitationRow & { completed: number; state: InvitationState })[],
  more: {
    ps: (typeof passes.$inferSelect)[];
    history: (typeof requestHistory.$inferSelect)[];
    nameOf: Map<number, string>;
    names: Map<string, string>;
  } | null,
) {
  const base = {
    id: r.id,
    departmentId: r.departmentId,
    status: r.status,
    queue: r.queue,
    visitDateFrom: r.visitDateFrom,
    visitDateTo: r.visitDateTo,
    timeFrom: r.timeFrom,
    timeTo: r.timeTo,
    gateIds: r.gateIds,
    purpose: r.purpose,
    destination: r.destination,
    escortName: r.escortName,
    escortPhone: r.escortPhone,
    escortEmail: r.escortEmail,
    vehiclePlate: r.vehiclePlate,
    preventionPlan: r.preventionPlan,
    ruleVersion: r.ruleVersion,
    reviewReasons: r.reviewReasons ?? [],
    emergency: r.emergency,
    kind: r.kind,
    printAllowed: r.printAllowed,
    backfillDueAt: r.backfillDueAt?.toISOString() ?? null,
    backfilledAt: r.backfilledAt?.toISOString() ?? null,
    decisionReasonCode: r.decisionReasonCode,
    decisionNote: r.decisionNote,
    filedBy: r.filedByLabel,
    createdAt: r.createdAt.toISOString(),
    visitorCount: vs.length,
    expectedVisitors: r.expectedVisitors,
    declarationsPending: declarationsPending(invs),
  };
  if (!more) return base;
  const { ps, history, nameOf, names } = more;
  return {
    ...base,
    visitors: vs.map((v) => {
      // The visitor's live pass, else their newest; passes are listed in insertion order.
      const own = ps.filter((x) => x.visitorId === v.id);
      const p =
        own.findLast((x) => x.revokedAt === null) ??
        own.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()).at(-1);
      return {
        id: v.id,
        ...declarationView(v),
        outOfCity: v.outOfCity,
        checks: v.checks,
        declaredBy: v.declaredBy,
        invitationId: v.invitationId,
        erasureRequestedAt: v.erasureRequestedAt?.toISOString() ?? null,
        override:
          v.overrideCodes && v.overrideAt
            ? {
                codes: v.overrideCodes,
                reason: v.overrideReason ?? '',
                by: (v.overrideByUserId && nameOf.get(v.overrideByUserId)) || '',
                at: v.overrideAt.toISOString(),
              }
            : null,
        pass: p
          ? {
              id: p.id,
              link: visitorPage(v.linkToken),
              revoked: p.revokedAt !== null,
              entriesUsed: p.entriesUsed,
              entriesAllowed: p.entriesAllowed,
            }
          : null,
      };
    }),
    invitations: invs.map((i) => ({
      id: i.id,
      name: i.name,
      phone: i.phone,
      email: i.email,
      locale: i.locale,
      headCount: i.headCount,
      completed: i.completed,
      state: i.state,
      link: visitorPage(i.token),
      sends: i.sends,
      sentAt: i.sentAt?.toISOString() ?? null,
      openedAt: i.openedAt?.toISOString() ?? null,
    })),
    history: history.map((h) => ({
      at: h.at.toISOString(),
      actor: h.actorLabel,
      actorName: names.get(h.actorLabel) ?? null,
      action: h.action,
      fromStatus: h.fromStatus,
      toStatus: h.toStatus,
      note: h.note,
    })),
  };
}

export type { RuleVersion };

/** What a visitor declared, as shown back to the department, the office and the visitor (DeclarationViewSchema). */
export function declarationView(v: typeof visitors.$inferSelect) {
  return {
    name: v.name,
    idType: v.idType,
    idLast4: v.idLast4,
    phone: v.phone,
    email: v.email,
    fromRegion: v.fromRegion,
    visitedRegions: v.visitedRegions,
    closeContact: v.closeContact,
    testTakenAt: v.testTakenAt?.toISOString() ?? null,
    testResult: v.testResult,
    commitment:
      signedOnline(v) && v.commitmentAcceptedAt
        ? {
            version: v.commitmentVersion!,
            signedAt: v.commitmentAcceptedAt.toISOString(),
            signedName: v.commitmentSignedName ?? '',
            method: 'typed_name' as const,
          }
        : null,
  };
}

export const visitorById = (tx: Tx, id: number) => tx.select().from(visitors).where(eq(visitors.id, id)).get();

export const requestById = (tx: Tx, id: number) =>
  tx.select().from(visitRequests).where(eq(visitRequests.id, id)).get();

/** Where a new or edited request starts: with the department's own approver first when it has one. */
export function firstReviewStatus(tx: Tx, departmentId: number): 'pending' | 'pending_dept' {
  const dept = tx
    .select({ requiresDeptApproval: departments.requiresDeptApproval })
    .from(departments)
    .where(eq(departments.id, departmentId))
    .get();
  return dept?.requiresDeptApproval ? 'pending_dept' : 'pending';
}

export function insertRequest(tx: Tx, values: typeof visitRequests.$inferInsert): RequestRow {
  return tx.insert(visitRequests).values(values).returning().get();
}

export function updateRequest(tx: Tx, id: number, set: Partial<typeof visitRequests.$inferInsert>) {
  tx.update(visitRequests).set(set).where(eq(visitRequests.id, id)).run();
}

export interface RequestFilter {
  departmentId?: number | null | undefined;
  status?: RequestStatus | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** The id of the last request of the page before. */
  beforeId?: number | undefined;
}

/** Newest first; one more row than asked, so the caller knows whether a next page exists. */
export function requestPage(db: Tx, f: RequestFilter, limit: number): RequestRow[] {
  const where: SQL[] = [];
  if (f.departmentId != null) where.push(eq(visitRequests.departmentId, f.departmentId));
  if (f.status) where.push(eq(visitRequests.status, f.status));
  if (f.from) where.push(gte(visitRequests.visitDateTo, f.from));
  if (f.to) where.push(lte(visitRequests.visitDateFrom, f.to));
  if (f.beforeId !== undefined) where.push(lt(visitRequests.id, f.beforeId));
  return db
    .select()
    .from(visitRequests)
    .where(and(...where))
    .orderBy(desc(visitRequests.id))
    .limit(limit + 1)
    .all();
}

export const REVIEW_QUEUES = ['normal', 'group', 'needs_review', 'pending_dept', 'backfill'] as const;

/** A queue of the office's review, oldest first, after the (createdAt ms, id) of the page before; limit + 1 rows. */
export function reviewQueuePage(
  db: Tx,
  queue: (typeof REVIEW_QUEUES)[number],
  after: readonly [number, number] | undefined,
  limit: number,
): RequestRow[] {
  const inQueue =
    queue === 'needs_review'
      ? eq(visitRequests.status, 'needs_review')
      : queue === 'pending_dept'
        ? eq(visitRequests.status, 'pending_dept')
        : queue === 'backfill'
          ? and(eq(visitRequests.emergency, true), isNull(visitRequests.backfilledAt))
          : and(eq(visitRequests.status, 'pending'), eq(visitRequests.queue, queue));
  const afterLast =
    after === undefined
      ? undefined
      : or(
          gt(visitRequests.createdAt, new Date(after[0])),
          and(eq(visitRequests.createdAt, new Date(after[0])), gt(visitRequests.id, after[1])),
        );
  return db
    .select()
    .from(visitRequests)
    .where(and(inQueue, afterLast))
    .orderBy(asc(visitRequests.createdAt), asc(visitRequests.id))
    .limit(limit + 1)
    .all();
}

/** The reply stored for a retried filing (Idempotency-Key), if this key was used in this scope. */
export const storedReply = (tx: Tx, scope: string, key: string) =>
  tx
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)))
    .get();

export function storeReply(tx: Tx, reply: typeof idempotencyKeys.$inferInsert) {
  tx.insert(idempotencyKeys).values(reply).run();
}

/** A broken filing rule as a field issue in both languages, at `path` (the violation's own by default). */
export function violationIssue(v: FilingVerdict['violations'][number], path: (string | number)[] = v.path): ErrorIssue {
  const params = v.params ?? {};
  return {
    path,
    code: v.code,
    message: filingMessage(v.code, 'en', params),
    messageZh: filingMessage(v.code, 'zh', params),
    ...(v.params ? { params: v.params } : {}),
  };
}

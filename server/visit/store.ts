import { and, desc, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import { campuses, departments, gates, invitations, passes, visitRequests, visitors } from '../db/schema';
import { addDays, campusDate } from '../domain/dates';
import { checkFiling } from '../domain/filing-checks';
import { idLast4 } from '../domain/id-number';
import { normalizeName, normalizePhone } from '../domain/names';
import { entrantOfRequest, policyFor, testRequiredBy, type EntrantPolicy } from '../domain/policy';
import { regionWithin, type Rules } from '../domain/rules';
import { activeBlockEntries, blockMatcher } from '../blocklist/match';
import { activeRiskAreas } from '../risk-areas/store';
import { currentCommitment, currentRules } from '../rules/store';
import { declarationOpen, type InvitationRow } from '../invitations/store';
import { signedOnline } from '../passes/with-context';
import {
  addHistory,
  declarationView,
  minimalDeclaration,
  newLinkToken,
  requestFacts,
  visitorPage,
} from '../requests/store';
import { idHash } from '../lib/secrets';
import { ApiError, fieldError, notFound } from '../lib/errors';
import type { Tx } from '../db/open';
import type { Happened } from '../events';
import type { DeclarationInput, VisitPage } from './schemas';
import { insideByPass } from '../presence/store';

type VisitorRow = typeof visitors.$inferSelect;
type RequestRow = typeof visitRequests.$inferSelect;

/** What a visitor's link opens: their own row once they filled in, else the invitation they hold. */
export interface Resolved {
  request: RequestRow;
  invitation: InvitationRow | null;
  visitor: VisitorRow | null;
}

export function resolveLink(tx: Tx, token: string): Resolved | null {
  const visitor = tx.select().from(visitors).where(eq(visitors.linkToken, token)).get();
  const invitation = visitor
    ? visitor.invitationId
      ? (tx.select().from(invitations).where(eq(invitations.id, visitor.invitationId)).get() ?? null)
      : null
    : (tx.select().from(invitations).where(eq(invitations.token, token)).get() ?? null);
  const requestId = visitor?.requestId ?? invitation?.requestId;
  if (requestId === undefined) return null;
  const request = tx.select().from(visitRequests).where(eq(visitRequests.id, requestId)).get();
  return request ? { request, invitation, visitor: visitor ?? null } : null;
}

/** The link's page, or 404: an unknown link and a re-issued one answer alike. */
export function linkOr404(tx: Tx, token: string): Resolved {
  const resolved = resolveLink(tx, token);
  if (!resolved) throw notFound('Link');
  return resolved;
}

const completedThrough = (tx: Tx, invitationId: number) =>
  tx
    .select({ n: sql<number>`count(*)` })
    .from(visitors)
    .where(and(eq(visitors.invitationId, invitationId), isNull(visitors.removedAt)))
    .get()?.n ?? 0;

/** The policy in force for this request's visitors. */
const policyOf = (rules: Rules, r: RequestRow) => policyFor(rules, entrantOfRequest(r));

/** Whether the policy asks this visitor for anything about their health (the separate consent covers it). */
const asksHealth = (policy: EntrantPolicy, outOfCity: boolean) =>
  policy.riskAreaDeclaration ||
  policy.closeContactDeclaration ||
  policy.commitment ||
  testRequiredBy(policy, outOfCity);

/** The checks a visitor may see of their own: what the office will look at, never the block list. */
const ownChecks = (checks: string[]) => checks.filter((c) => c !== 'block_list');

/** The visitor's page: the visit, what the policy asks, their own declaration, and their pass once approved. */
export function visitPage(tx: Tx, { request: r, invitation: inv, visitor: v }: Resolved, now: Date): VisitPage {
  const { version, rules } = currentRules(tx);
  const today = campusDate(now, rules.timezone);
  const policy = policyOf(rules, r);
  const department = tx.select().from(departments).where(eq(departments.id, r.departmentId)).get();
  const gateRows = r.gateIds.length ? tx.select().from(gates).where(inArray(gates.id, r.gateIds)).all() : [];
  const campus = tx.select().from(campuses).orderBy(campuses.id).get();
  const commitment = currentCommitment(tx);
  const open = declarationOpen(r, today);
  const group = inv && inv.headCount > 1 ? { headCount: inv.headCount, completed: completedThrough(tx, inv.id) } : null;
  const pass = v
    ? tx
        .select()
        .from(passes)
        .where(eq(passes.visitorId, v.id))
        .orderBy(sql`${passes.revokedAt} is null desc`, desc(passes.createdAt), sql`passes.rowid desc`)
        .get()
    : undefined;
  const erased = Boolean(v?.purgedAt ?? inv?.purgedAt);
  const closedReason: VisitPage['closedReason'] = erased
    ? 'erased'
    : (inv?.withdrawnAt ?? v?.removedAt)
      ? 'withdrawn'
      : r.status === 'cancelled'
        ? 'cancelled'
        : r.status === 'rejected'
          ? 'rejected'
          : r.status === 'approved' && pass
            ? null
            : !v && r.visitDateTo < today
              ? 'expired'
              : !v && !open
                ? 'not_completed'
                : !v && group && group.completed >= group.headCount
                  ? 'group_full'
                  : null;
  const stage: VisitPage['stage'] = closedReason
    ? 'closed'
    : r.status === 'approved' && pass
      ? 'pass'
      : v
        ? 'declared'
        : 'declare';
  const live = pass && !pass.revokedAt && pass.validTo >= now && r.status !== 'cancelled';
  // Still inside after the window (or after a revocation): the code stays on the phone, for the way out only.
  const exitOnly = Boolean(pass && !live && insideByPass(tx, [pass.id]).has(pass.id));
  const outOfCity = v?.outOfCity ?? false;
  return {
    stage,
    closedReason,
    locale: v?.locale ?? inv?.locale ?? 'zh',
    group,
    invitedName: inv && inv.headCount === 1 && !erased ? inv.name : null,
    visit: {
      dateFrom: r.visitDateFrom,
      dateTo: r.visitDateTo,
      timeFrom: r.timeFrom,
      timeTo: r.timeTo,
      purpose: r.purpose,
      destination: r.destination,
      department: department?.name ?? '',
      departmentEn: department?.nameEn ?? '',
      escortName: r.escortName,
      escortPhone: r.escortPhone,
      gates: gateRows.map((g) => ({ name: g.name, nameEn: g.nameEn, address: g.address, addressEn: g.addressEn })),
      campus: campus?.name ?? '',
      campusEn: campus?.nameEn ?? '',
      timezone: rules.timezone,
    },
    policy: {
      riskAreaDeclaration: policy.riskAreaDeclaration,
      closeContactDeclaration: policy.closeContactDeclaration,
      lookbackDays: policy.lookbackDays,
      testScope: policy.nucleicTest.scope,
      testHours: policy.nucleicTest.hours,
      commitment: policy.commitment,
      campusRegionCode: rules.campusRegionCode,
    },
    privacy: { retentionDays: rules.retentionDays, ruleVersion: version },
    commitment: commitment ? { version: commitment.id, zh: commitment.textZh, en: commitment.textEn } : null,
    declaration:
      v && !erased
        ? {
            ...declarationView(v),
            declaredAt: (v.declaredAt ?? r.createdAt).toISOString(),
            checks: ownChecks(v.checks),
            editable: open && v.declaredBy === 'visitor' && !v.removedAt,
          }
        : null,
    pass:
      pass && stage === 'pass'
        ? {
            status:
              r.status === 'cancelled'
                ? 'cancelled'
                : pass.revokedAt
                  ? 'revoked'
                  : pass.validTo < now
                    ? 'expired'
                    : 'valid',
            token: live || exitOnly ? pass.token : null,
            codeSecret: live || exitOnly ? pass.codeSecret : null,
            exitOnly,
            stepSeconds: rules.codeStepSeconds,
            printable: pass.printable && rules.printedPassAllowed,
            validFrom: pass.validFrom.toISOString(),
            validTo: pass.validTo.toISOString(),
            bringTestProof: testRequiredBy(policy, outOfCity),
            signOnPaper: policy.commitment && !signedOnline(v!),
          }
        : null,
    link: v && !erased ? visitorPage(v.linkToken) : null,
    erasure: {
      requestedAt: v?.erasureRequestedAt?.toISOString() ?? null,
      allowed: Boolean(
        v &&
        !erased &&
        !v.erasureRequestedAt &&
        (r.visitDateTo < today || r.status === 'cancelled' || r.status === 'rejected'),
      ),
      eraseBy: addDays(r.visitDateTo, rules.retentionDays + 1),
    },
  };
}

/** The visitor opened their page: the department sees "opened" (the first time counts). */
export function markOpened(tx: Tx, { invitation: inv, visitor: v }: Resolved, now: Date, locale: 'zh' | 'en') {
  if (inv && !inv.openedAt) tx.update(invitations).set({ openedAt: now }).where(eq(invitations.id, inv.id)).run();
  if (v && v.declaredBy === 'visitor' && v.locale !== locale)
    tx.update(visitors).set({ locale }).where(eq(visitors.id, v.id)).run();
}

/**
 * A visitor fills in (or corrects) their own part. Only what the policy in force asks is kept; the
 * ID number and the health declaration each need their own consent; the commitment is signed with
 * the typed full name for the version in force. The filing checks run for this visitor, and what
 * they find goes to the office's review (the visitor sees it, except the block list).
 */
export function declare(
  tx: Tx,
  happened: Happened,
  resolved: Resolved,
  input: DeclarationInput,
  now: Date,
  idHashKey: Buffer,
): VisitorRow {
  const { request: r, invitation: inv, visitor: before } = resolved;
  const { version, rules } = currentRules(tx);
  const today = campusDate(now, rules.timezone);
  if (r.status === 'cancelled' || r.status === 'rejected')
    throw new ApiError(409, 'declaration_closed', `The visit was ${r.status}`);
  if (!declarationOpen(r, today))
    throw new ApiError(409, 'declaration_closed', 'The visit has been reviewed or is over: the declaration is locked');
  if (inv?.withdrawnAt || before?.removedAt)
    throw new ApiError(409, 'declaration_closed', 'The department withdrew this invitation');
  if (before && before.declaredBy !== 'visitor')
    throw new ApiError(409, 'declaration_closed', 'The department entered this visitor: ask them to change it');
  if (!before && !inv) throw notFound('Invitation');
  if (!before && inv && completedThrough(tx, inv.id) >= inv.headCount)
    throw new ApiError(409, 'group_full', 'Everyone this invitation was for has filled it in');

  const policy = policyOf(rules, r);
  const d = minimalDeclaration(input, policy, rules);
  const outOfCity = !regionWithin(d.fromRegion, rules.campusRegionCode);
  if (!d.consent.idNumber) throw fieldError(['consent', 'idNumber'], 'consent_required', 'Consent is required');
  if (asksHealth(policy, outOfCity) && !d.consent.health)
    throw fieldError(['consent', 'health'], 'consent_required', 'Consent is required');
  if (!d.idNumber && !before) throw fieldError(['idNumber'], 'id_format', 'The ID number is required');
  let commitmentVersion: number | null = null;
  if (policy.commitment) {
    const c = d.commitment;
    const current = currentCommitment(tx);
    if (!c?.accepted) throw fieldError(['commitment', 'accepted'], 'commitment_unsigned', 'Sign the commitment');
    if (!current || c.version !== current.id)
      throw fieldError(['commitment', 'version'], 'commitment_outdated', 'The commitment has a newer version');
    if (normalizeName(c.signedName) !== normalizeName(d.name))
      throw fieldError(['commitment', 'signedName'], 'signature_mismatch', 'Sign with the name you gave');
    commitmentVersion = current.id;
  }

  const id = d.idNumber
    ? { idType: d.idType, idHash: idHash(idHashKey, d.idType, d.idNumber), idLast4: idLast4(d.idNumber) }
    : { idType: before!.idType, idHash: before!.idHash, idLast4: before!.idLast4 };
  const twin = tx
    .select({ id: visitors.id })
    .from(visitors)
    .where(
      and(
        eq(visitors.requestId, r.id),
        eq(visitors.idHash, id.idHash),
        isNull(visitors.removedAt),
        before ? ne(visitors.id, before.id) : undefined,
      ),
    )
    .get();
  if (twin) throw new ApiError(409, 'already_declared', 'Someone with this ID number is already on this visit');

  const prepared = {
    name: d.name,
    nameNorm: normalizeName(d.name),
    ...id,
    phone: normalizePhone(d.phone),
    email: d.email?.toLowerCase() ?? null,
    fromRegion: d.fromRegion,
    visitedRegions: d.visitedRegions,
    closeContact: d.closeContact,
    testTakenAt: d.testTakenAt ? new Date(d.testTakenAt) : null,
    testResult: d.testResult,
  };
  const facts = requestFacts(r, [prepared], { isBlocked: blockMatcher(activeBlockEntries(tx, now)) });
  const verdict = checkFiling(facts, { now, rules, riskAreas: activeRiskAreas(tx), checkLeadTime: false });
  const own = verdict.visitorChecks[0]!;
  if (own.violations.includes('test_in_future'))
    throw fieldError(['testTakenAt'], 'test_in_future', 'The test time is in the future');
  const health = asksHealth(policy, outOfCity);
  const row = {
    ...prepared,
    outOfCity: own.outOfCity,
    checks: own.violations,
    commitmentVersion,
    // A signature stays dated from when it was given, unless the text signed changed.
    commitmentAcceptedAt:
      commitmentVersion === null
        ? null
        : before?.commitmentVersion === commitmentVersion && before.commitmentAcceptedAt
          ? before.commitmentAcceptedAt
          : now,
    commitmentSignedName: commitmentVersion === null ? null : d.commitment!.signedName,
    consentIdAt: before?.consentIdAt ?? now,
    consentHealthAt: health ? (before?.consentHealthAt ?? now) : null,
    consentRuleVersion: version,
    locale: d.locale,
    declaredAt: now,
  };
  const saved = before
    ? tx.update(visitors).set(row).where(eq(visitors.id, before.id)).returning().get()
    : tx
        .insert(visitors)
        .values({
          ...row,
          requestId: r.id,
          declaredBy: 'visitor',
          invitationId: inv!.id,
          // A single invitation's link becomes this visitor's pass page; a group member gets their own.
          linkToken: inv!.headCount === 1 ? inv!.token : newLinkToken(),
        })
        .returning()
        .get();
  addHistory(tx, happened, r.id, now, `visitor:${saved.id}`, before ? 'declaration_corrected' : 'declared', null, null);
  return saved;
}

/** After the visit, the visitor asks for their data to be erased; the office is told and erases it. */
export function requestErasure(tx: Tx, happened: Happened, v: VisitorRow, now: Date) {
  tx.update(visitors).set({ erasureRequestedAt: now }).where(eq(visitors.id, v.id)).run();
  happened({ type: 'visitor.erasure_requested', visitorId: v.id, requestId: v.requestId, at: now });
}

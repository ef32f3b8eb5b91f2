import { and, eq, gte, inArray, isNull } from 'drizzle-orm';
import { visitRequests, visitors } from '../db/schema';
import { campusDate } from '../domain/dates';
import { checkFiling } from '../domain/filing-checks';
import { activeBlockEntries, blockMatcher } from '../blocklist/match';
import { activeRiskAreas } from '../risk-areas/store';
import { currentRules } from '../rules/store';
import { addHistory, requestFacts, revokeVisitorPass } from './store';
import type { RiskArea, Rules } from '../domain/rules';
import type { Tx } from '../db/open';
import type { Happened } from '../events';

export interface RecheckImpact {
  requestId: number;
  departmentId: number;
  visitDateFrom: string;
  reasons: string[];
  /**
   * The visitors who now fail and lose their passes, each with their own reasons; the others keep
   * theirs. A rule broken by the request itself (its dates, a missing prevention plan) takes them all.
   */
  visitors: { visitorId: number; reasons: string[] }[];
}

/**
 * Requests for visits not yet over that are approved or waiting for approval (pending,
 * pending_dept), or the one request `only` names, evaluated against `proposed` rules, risk areas
 * and block list (the current ones where not given). The lead time is not checked again: a filed
 * visit does not become late. Used both to preview a change and to apply it.
 */
export function recheckImpact(
  tx: Tx,
  now: Date,
  proposed: { rules?: Rules; riskAreas?: RiskArea[]; blockEntries?: ReturnType<typeof activeBlockEntries> } = {},
  only?: { requestId: number },
): RecheckImpact[] {
  const rules = proposed.rules ?? currentRules(tx).rules;
  const riskAreas = proposed.riskAreas ?? activeRiskAreas(tx);
  const isBlocked = blockMatcher(proposed.blockEntries ?? activeBlockEntries(tx, now));
  const today = campusDate(now, rules.timezone);
  const which = only
    ? eq(visitRequests.id, only.requestId)
    : and(
        inArray(visitRequests.status, ['approved', 'pending', 'pending_dept']),
        gte(visitRequests.visitDateTo, today),
      );
  const approved = tx.select().from(visitRequests).where(which).all();
  // Every visitor of those requests in one read, not one per request.
  const byRequest = new Map<number, (typeof visitors.$inferSelect)[]>();
  const theirs = tx.select({ id: visitRequests.id }).from(visitRequests).where(which);
  for (const v of tx
    .select()
    .from(visitors)
    .where(and(inArray(visitors.requestId, theirs), isNull(visitors.removedAt)))
    .orderBy(visitors.id)
    .all()) {
    byRequest.set(v.requestId, [...(byRequest.get(v.requestId) ?? []), v]);
  }
  const impacts: RecheckImpact[] = [];
  for (const r of approved) {
    const vs = byRequest.get(r.id) ?? [];
    const facts = requestFacts(r, vs, { isBlocked });
    const verdict = checkFiling(facts, { now, rules, riskAreas, checkLeadTime: false });
    // What the office overrode for a visitor (谁批准谁负责) is not raised again; the block list always is.
    const own = vs.map((v, i) =>
      [...new Set(verdict.visitorChecks[i]?.violations ?? [])].filter(
        (code) => code === 'block_list' || !(v.overrideCodes ?? []).includes(code),
      ),
    );
    const requestCodes = verdict.violations.filter((v) => v.path[0] !== 'visitors').map((v) => v.code);
    const reasons = [...new Set([...requestCodes, ...own.flat()])];
    if (!reasons.length) continue;
    const failed = vs.flatMap((v, i) =>
      own[i]!.length || requestCodes.length ? [{ visitorId: v.id, reasons: own[i]! }] : [],
    );
    impacts.push({
      requestId: r.id,
      departmentId: r.departmentId,
      visitDateFrom: r.visitDateFrom,
      reasons,
      visitors: failed,
    });
  }
  return impacts;
}

/**
 * Applies a saved change: requests that now fail move to needs_review, and only their visitors who
 * fail lose their passes (and show why); the others' passes and links keep working.
 */
export function applyRecheck(
  tx: Tx,
  happened: Happened,
  now: Date,
  actorLabel: string,
  trigger: string,
): RecheckImpact[] {
  const impacts = recheckImpact(tx, now);
  for (const i of impacts) {
    const before = tx
      .select({ status: visitRequests.status })
      .from(visitRequests)
      .where(eq(visitRequests.id, i.requestId))
      .get();
    tx.update(visitRequests)
      .set({ status: 'needs_review', reviewReasons: i.reasons, updatedAt: now })
      .where(eq(visitRequests.id, i.requestId))
      .run();
    for (const v of i.visitors) revokeVisitorPass(tx, v.visitorId, v.reasons, now);
    addHistory(
      tx,
      happened,
      i.requestId,
      now,
      actorLabel,
      'recheck_failed',
      before?.status ?? null,
      'needs_review',
      `${trigger}: ${i.reasons.join(', ')}`,
    );
  }
  return impacts;
}

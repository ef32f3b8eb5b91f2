import { and, eq, gte, inArray, isNull } from 'drizzle-orm';
import { visitRequests, visitors } from '../db/schema';
import { campusDate } from '../domain/dates';
import { checkFiling } from '../domain/filing-checks';
import { activeBlockEntries, blockMatcher } from '../blocklist/match';
import { activeRiskAreas } from '../risk-areas/store';
import { currentRules } from '../rules/store';
import { addHistory, requestFacts, revokePasses } from './store';
import type { RiskArea, Rules } from '../domain/rules';
import type { Tx } from '../db/open';


export interface RecheckImpact {
  requestId: number;
  departmentId: number;
  visitDateFrom: string;
  reasons: string[];
}

/**
 * Approved requests for visits not yet over, evaluated against `proposed` rules, risk areas and
 * block list (the current ones where not given). The lead time is not checked again: an approved
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
  const approved = only
    ? tx.select().from(visitRequests).where(eq(visitRequests.id, only.requestId)).all()
    : tx.select().from(visitRequests).where(and(inArray(visitRequests.status, ['approved', 'pending', 'pending_dept']), gte(visitRequests.visitDateTo, today))).all();
  const impacts: RecheckImpact[] = [];
  for (const r of approved) {
    const vs = tx.select().from(visitors).where(and(eq(visitors.requestId, r.id), isNull(visitors.removedAt))).all();
    const facts = requestFacts(r, vs, { isBlocked, commitmentVersion: null, commitmentRequired: false });
    const verdict = checkFiling(facts, { now, rules, riskAreas, checkLeadTime: false });
    const reasons = [...new Set(verdict.violations.map((v) => v.code))];
    if (reasons.length) impacts.push({ requestId: r.id, departmentId: r.departmentId, visitDateFrom: r.visitDateFrom, reasons });
  }
  return impacts;
}

/** Applies a saved change: requests that now fail move to needs_review and lose their passes. */
export function applyRecheck(tx: Tx, now: Date, actorLabel: string, trigger: string): RecheckImpact[] {
  const impacts = recheckImpact(tx, now);
  for (const i of impacts) {
    const before = tx.select({ status: visitRequests.status }).from(visitRequests).where(eq(visitRequests.id, i.requestId)).get();
    tx.update(visitRequests).set({ status: 'needs_review', reviewReasons: i.reasons, updatedAt: now }).where(eq(visitRequests.id, i.requestId)).run();
    revokePasses(tx, i.requestId, now, 'recheck');
    addHistory(tx, i.requestId, now, actorLabel, 'recheck_failed', before?.status ?? null, 'needs_review', `${trigger}: ${i.reasons.join(', ')}`);
  }
  return impacts;
}

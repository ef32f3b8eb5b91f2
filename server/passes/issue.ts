import { and, desc, eq, isNull } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import { passes, visitRequests, visitors } from '../db/schema';
import { daysBetween, instantAt } from '../domain/dates';
import { signPass, toBase64Url } from '../domain/pass';
import { currentSigningKey } from './keys';
import { entrantOfRequest, policyFor } from '../domain/policy';
import type { Rules } from '../domain/rules';
import type { Tx } from '../db/open';

/**
 * Makes sure every visitor still on an approved request holds one live pass for its dates, window
 * and gates. A live pass that already says exactly that is kept (its QR, its id on the tablets);
 * one that says something else is revoked and replaced. Visitors taken off the request get none.
 */
export function issuePasses(tx: Tx, requestId: number, now: Date, rules: Rules, signingKeyWrap: Buffer) {
  const r = tx.select().from(visitRequests).where(eq(visitRequests.id, requestId)).get();
  if (!r) throw new Error(`issuePasses: request ${requestId} not found`);
  const key = currentSigningKey(tx, signingKeyWrap);
  const validFrom = new Date(
    instantAt(r.visitDateFrom, r.timeFrom, rules.timezone).getTime() - rules.earlyArrivalMinutes * 60_000,
  );
  const validTo = instantAt(r.visitDateTo, r.timeTo, rules.timezone);
  const { entriesPerDay } = policyFor(rules, entrantOfRequest(r));
  const entries = Math.min(255, (daysBetween(r.visitDateFrom, r.visitDateTo) + 1) * entriesPerDay);
  // Printed passes carry no live code, so a screenshot would do as well: only where the office allowed
  // it for this request (a visitor without a phone), and only while the campus allows printing at all.
  const printable = r.printAllowed && rules.printedPassAllowed;
  const sameGates = (a: number[]) => a.length === r.gateIds.length && a.every((g, i) => g === r.gateIds[i]);
  for (const v of tx
    .select({ id: visitors.id })
    .from(visitors)
    .where(and(eq(visitors.requestId, requestId), isNull(visitors.removedAt)))
    .all()) {
    const live = tx
      .select()
      .from(passes)
      .where(and(eq(passes.visitorId, v.id), isNull(passes.revokedAt)))
      .orderBy(desc(passes.createdAt))
      .get();
    if (
      live &&
      live.validFrom.getTime() === validFrom.getTime() &&
      live.validTo.getTime() === validTo.getTime() &&
      live.entriesAllowed === entries &&
      live.printable === printable &&
      sameGates(live.gateIds)
    )
      continue;
    if (live) tx.update(passes).set({ revokedAt: now, revokeReason: 'reissued' }).where(eq(passes.id, live.id)).run();
    const id = randomBytes(8).toString('hex');
    const claims = { kid: key.kid, passId: id, validFrom, validTo, entries, printable, gateIds: r.gateIds };
    tx.insert(passes)
      .values({
        id,
        visitorId: v.id,
        requestId,
        kid: key.kid,
        token: signPass(claims, key.privateKey),
        codeSecret: toBase64Url(randomBytes(16)),
        validFrom,
        validTo,
        gateIds: r.gateIds,
        entriesAllowed: entries,
        printable,
        createdAt: now,
      })
      .run();
  }
}

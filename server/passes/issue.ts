import { eq } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import { passes, visitRequests, visitors } from '../db/schema';
import { daysBetween, instantAt } from '../domain/dates';
import { signPass, toBase64Url } from '../domain/pass';
import { currentSigningKey } from './keys';
import type { Rules } from '../domain/rules';
import type { Db } from '../db/open';

type Tx = Pick<Db, 'select' | 'insert' | 'update'>;

/** One signed pass per visitor of an approved request, valid for its dates, window and gates. */
export function issuePasses(tx: Tx, requestId: number, now: Date, rules: Rules) {
  const r = tx.select().from(visitRequests).where(eq(visitRequests.id, requestId)).get();
  if (!r) throw new Error(`issuePasses: request ${requestId} not found`);
  const key = currentSigningKey(tx);
  const validFrom = new Date(instantAt(r.visitDateFrom, r.timeFrom, rules.timezone).getTime() - rules.earlyArrivalMinutes * 60_000);
  const validTo = instantAt(r.visitDateTo, r.timeTo, rules.timezone);
  const entries = Math.min(255, (daysBetween(r.visitDateFrom, r.visitDateTo) + 1) * rules.entriesPerDay);
  for (const v of tx.select({ id: visitors.id }).from(visitors).where(eq(visitors.requestId, requestId)).all()) {
    const id = randomBytes(8).toString('hex');
    const claims = { kid: key.kid, passId: id, validFrom, validTo, entries, printable: rules.printedPassAllowed, gateIds: r.gateIds };
    tx.insert(passes)
      .values({
        id,
        visitorId: v.id,
        requestId,
        kid: key.kid,
        token: signPass(claims, key.privateKey),
        codeSecret: toBase64Url(randomBytes(16)),
        linkToken: randomBytes(24).toString('base64url'),
        validFrom: claims.validFrom,
        validTo: claims.validTo,
        gateIds: r.gateIds,
        entriesAllowed: entries,
        printable: claims.printable,
        createdAt: now,
      })
      .run();
  }
}

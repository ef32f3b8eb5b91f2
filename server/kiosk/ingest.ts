import { eq, inArray, sql } from 'drizzle-orm';
import { gateEventRejections, gateEvents, passes, ruleSets } from '../db/schema';
import { decideAdmission } from '../domain/admission';
import { RulesSchema } from '../domain/rules';
import { issuesFromZod } from '../lib/errors';
import { GateEventSchema } from './schemas';
import type { devices } from '../db/schema';
import type { Db } from '../db/open';

export interface IngestResult {
  acked: string[];
  duplicates: string[];
  rejected: { id: string | null; reason: string }[];
}

/**
 * Stores a batch of a tablet's events in one transaction: an id already stored is a duplicate
 * (acknowledged, not stored again); an invalid event is rejected with its reason and does not
 * hold up the rest. The server runs the shared decision engine again on each decision and marks
 * any disagreement with the tablet's verdict. The caller answers only after this returns, i.e.
 * after the commit.
 */
export function ingestEvents(db: Db, device: typeof devices.$inferSelect, raw: unknown[], now: Date): IngestResult {
  const out: IngestResult = { acked: [], duplicates: [], rejected: [] };
  const rejectedRaw: string[] = [];
  const parsed = raw.flatMap((r) => {
    const p = GateEventSchema.safeParse(r);
    if (p.success) return [p.data];
    const id = typeof r === 'object' && r !== null && 'id' in r && typeof r.id === 'string' ? r.id.slice(0, 64) : null;
    out.rejected.push({ id, reason: issuesFromZod(p.error).map((i) => `${i.path.join('.')}: ${i.code}`).join('; ').slice(0, 500) });
    rejectedRaw.push(JSON.stringify(r ?? null).slice(0, 2048));
    return [];
  });
  db.transaction((tx) => {
    out.rejected.forEach((r, i) => {
      tx.insert(gateEventRejections).values({ deviceId: device.id, eventId: r.id, receivedAt: now, reason: r.reason, raw: rejectedRaw[i] ?? '' }).run();
    });
    const seen = new Set(parsed.length ? tx.select({ id: gateEvents.id }).from(gateEvents).where(inArray(gateEvents.id, parsed.map((e) => e.id))).all().map((r) => r.id) : []);
    const ruleCache = new Map<number, ReturnType<typeof RulesSchema.parse> | null>();
    const rulesAt = (v: number) => {
      if (!ruleCache.has(v)) {
        const row = tx.select().from(ruleSets).where(eq(ruleSets.id, v)).get();
        ruleCache.set(v, row ? RulesSchema.parse(row.settings) : null);
      }
      return ruleCache.get(v) ?? null;
    };
    for (const e of parsed) {
      if (seen.has(e.id)) {
        out.duplicates.push(e.id);
        continue;
      }
      seen.add(e.id);
      let serverVerdict: string | null = null;
      if (e.type === 'decision' && e.input && e.ruleVersion) {
        const rules = rulesAt(e.ruleVersion);
        serverVerdict = rules ? decideAdmission(e.input, rules).verdict : 'unknown_rules';
      }
      tx.insert(gateEvents)
        .values({
          id: e.id,
          deviceId: device.id,
          gateId: device.gateId,
          seq: e.seq,
          type: e.type,
          at: new Date(e.at),
          receivedAt: now,
          guardUserId: e.guardUserId,
          passId: e.passId,
          verdict: e.verdict,
          reasons: e.reasons,
          checks: e.checks,
          input: e.input,
          ruleVersion: e.ruleVersion,
          serverVerdict,
          disagreement: serverVerdict !== null && serverVerdict !== e.verdict,
        })
        .run();
      if (e.type === 'decision' && e.verdict === 'admit' && e.passId) {
        tx.update(passes).set({ entriesUsed: sql`${passes.entriesUsed} + 1` }).where(eq(passes.id, e.passId)).run();
      }
      out.acked.push(e.id);
    }
  });
  return out;
}

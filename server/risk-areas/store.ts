import { and, desc, eq, isNull } from 'drizzle-orm';
import { riskAreas } from '../db/schema';
import type { RiskArea } from '../domain/rules';
import type { Tx } from '../db/open';

export function activeRiskAreas(db: Tx): RiskArea[] {
  return db
    .select({
      regionCode: riskAreas.regionCode,
      level: riskAreas.level,
      effectiveFrom: riskAreas.effectiveFrom,
      effectiveTo: riskAreas.effectiveTo,
    })
    .from(riskAreas)
    .where(isNull(riskAreas.removedAt))
    .all();
}

export type RiskAreaRow = typeof riskAreas.$inferSelect;
export type NewRiskArea = Pick<
  typeof riskAreas.$inferInsert,
  'regionCode' | 'level' | 'effectiveFrom' | 'effectiveTo' | 'note'
>;

/** The list as the office sees it, newest first; removed areas are kept for history, not listed. */
export function listedRiskAreas(db: Tx): RiskAreaRow[] {
  return db.select().from(riskAreas).where(isNull(riskAreas.removedAt)).orderBy(desc(riskAreas.id)).all();
}

export function insertRiskArea(tx: Tx, area: NewRiskArea): RiskAreaRow {
  return tx.insert(riskAreas).values(area).returning().get();
}

/** Marks a listed area removed and answers it as it was; undefined when there is no such listed area. */
export function removeRiskArea(tx: Tx, id: number, now: Date): RiskAreaRow | undefined {
  const row = tx
    .select()
    .from(riskAreas)
    .where(and(eq(riskAreas.id, id), isNull(riskAreas.removedAt)))
    .get();
  if (row) tx.update(riskAreas).set({ removedAt: now }).where(eq(riskAreas.id, id)).run();
  return row;
}

import { isNull } from 'drizzle-orm';
import { riskAreas } from '../db/schema';
import type { RiskArea } from '../domain/rules';
import type { Db } from '../db/open';

export function activeRiskAreas(db: Pick<Db, 'select'>): RiskArea[] {
  return db
    .select({ regionCode: riskAreas.regionCode, level: riskAreas.level, effectiveFrom: riskAreas.effectiveFrom, effectiveTo: riskAreas.effectiveTo })
    .from(riskAreas)
    .where(isNull(riskAreas.removedAt))
    .all();
}

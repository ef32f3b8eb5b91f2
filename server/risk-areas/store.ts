import { isNull } from 'drizzle-orm';
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

import { eq, type SQL } from 'drizzle-orm';
import { departments, passes, visitRequests, visitors } from '../db/schema';
import type { Tx } from '../db/open';

/** Passes with their visitor, request and host department: what the pass page and the kiosk show. */
export function passesWithContext(db: Tx, where: SQL | undefined) {
  return db
    .select({ pass: passes, visitor: visitors, request: visitRequests, department: departments })
    .from(passes)
    .innerJoin(visitors, eq(visitors.id, passes.visitorId))
    .innerJoin(visitRequests, eq(visitRequests.id, passes.requestId))
    .innerJoin(departments, eq(departments.id, visitRequests.departmentId))
    .where(where);
}

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

/**
 * The visitor signed the commitment themselves, on their phone. A department's tick on the
 * visitor's behalf (before invitations) is not their signature: they sign on paper at the gate.
 * kiosk/ingest.ts asks the same of its prepared statement's rows.
 */
export const signedOnline = (v: { declaredBy: 'filer' | 'visitor'; commitmentVersion: number | null }) =>
  v.declaredBy === 'visitor' && v.commitmentVersion !== null;

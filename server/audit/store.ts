import { and, desc, eq, gte, lt, type SQL } from 'drizzle-orm';
import { auditLog } from '../db/schema';
import type { Tx } from '../db/open';

export interface AuditFilter {
  entity?: string | undefined;
  entityId?: string | undefined;
  action?: string | undefined;
  actorUserId?: number | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

/** Entries newest first, up to `limit`, older than the entry `beforeId` when given (a page's cursor). */
export function auditPage(tx: Tx, f: AuditFilter, limit: number, beforeId: number | undefined) {
  const where: SQL[] = [];
  if (f.entity) where.push(eq(auditLog.entity, f.entity));
  if (f.entityId) where.push(eq(auditLog.entityId, f.entityId));
  if (f.action) where.push(eq(auditLog.action, f.action));
  if (f.actorUserId) where.push(eq(auditLog.actorUserId, f.actorUserId));
  if (f.from) where.push(gte(auditLog.at, f.from));
  if (f.to) where.push(lt(auditLog.at, f.to));
  if (beforeId !== undefined) where.push(lt(auditLog.id, beforeId));
  return tx
    .select()
    .from(auditLog)
    .where(and(...where))
    .orderBy(desc(auditLog.id))
    .limit(limit)
    .all();
}

import { and, desc, eq, getTableColumns, gte, inArray, lt, type SQL } from 'drizzle-orm';
import { auditLog, users } from '../db/schema';
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
    .select({ ...getTableColumns(auditLog), actorName: users.displayName })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorUserId))
    .where(and(...where))
    .orderBy(desc(auditLog.id))
    .limit(limit)
    .all();
}

/**
 * The people behind actor labels (`user:<username>`): their display names, so a history reads
 * "王老师 approved", not "user:office · approved". Tokens, tablets and the system keep their labels.
 */
export function actorNames(tx: Tx, labels: readonly string[]): Map<string, string> {
  const usernames = [...new Set(labels.filter((l) => l.startsWith('user:')).map((l) => l.slice(5)))];
  if (usernames.length === 0) return new Map();
  return new Map(
    tx
      .select({ username: users.username, name: users.displayName })
      .from(users)
      .where(inArray(users.username, usernames))
      .all()
      .map((u) => [`user:${u.username}`, u.name]),
  );
}

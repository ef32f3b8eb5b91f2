import { auditLog } from '../db/schema';
import type { Tx } from '../db/open';
import type { Principal } from './context';

export interface AuditEntry {
  action: string;
  entity: string;
  entityId?: string | number | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
}

/** Writes one audit row inside the caller's transaction, so the change and its record commit together. */
export function recordAudit(
  tx: Tx,
  at: Date,
  actor: Principal | null,
  requestId: string | undefined,
  entry: AuditEntry,
) {
  tx.insert(auditLog)
    .values({
      at,
      actorUserId: actor?.userId ?? null,
      actorLabel: actor ? `${actor.kind}:${actor.label}` : 'system',
      action: entry.action,
      entity: entry.entity,
      entityId: entry.entityId == null ? null : String(entry.entityId),
      before: entry.before ?? null,
      after: entry.after ?? null,
      reason: entry.reason ?? null,
      requestId: requestId ?? null,
    })
    .run();
}

import { eq } from 'drizzle-orm';
import { passes } from '../db/schema';
import type { Tx } from '../db/open';

export const passById = (tx: Tx, id: string) => tx.select().from(passes).where(eq(passes.id, id)).get();

/** Revokes one pass; tablets learn it at their next sync (the change counter's trigger). */
export function revokePass(tx: Tx, id: string, now: Date, reason: string) {
  tx.update(passes).set({ revokedAt: now, revokeReason: reason }).where(eq(passes.id, id)).run();
}

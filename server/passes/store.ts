import { desc, eq, sql } from 'drizzle-orm';
import { passes, visitors } from '../db/schema';
import type { Tx } from '../db/open';
import { passesWithContext } from './with-context';

/** The pass a visitor's link opens: their live pass, else their newest (a revoked pass page says so). */
export const passForLink = (tx: Tx, link: string) =>
  passesWithContext(tx, eq(visitors.linkToken, link))
    .orderBy(sql`${passes.revokedAt} is null desc`, desc(passes.createdAt), sql`passes.rowid desc`)
    .get();

export const passById = (tx: Tx, id: string) => tx.select().from(passes).where(eq(passes.id, id)).get();

/** Revokes one pass; tablets learn it at their next sync (the change counter's trigger). */
export function revokePass(tx: Tx, id: string, now: Date, reason: string) {
  tx.update(passes).set({ revokedAt: now, revokeReason: reason }).where(eq(passes.id, id)).run();
}

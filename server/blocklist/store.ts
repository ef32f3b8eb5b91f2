import { and, desc, eq, isNull, lt } from 'drizzle-orm';
import { blockList } from '../db/schema';
import type { Tx } from '../db/open';
import { activeBlockCondition } from './match';

type BlockEntry = typeof blockList.$inferSelect;

/** Entries in force at `now`, newest first, up to `limit`, older than `beforeId` when given (a page's cursor). */
export function activeBlockPage(tx: Tx, now: Date, limit: number, beforeId: number | undefined) {
  return tx
    .select()
    .from(blockList)
    .where(and(activeBlockCondition(now), beforeId === undefined ? undefined : lt(blockList.id, beforeId)))
    .orderBy(desc(blockList.id))
    .limit(limit)
    .all();
}

export const insertBlockEntry = (tx: Tx, values: Omit<typeof blockList.$inferInsert, 'id'>) =>
  tx.insert(blockList).values(values).returning().get();

/** Lifts an entry not yet lifted; answers it as it was, or undefined if there is none. */
export function liftBlockEntry(tx: Tx, id: number, now: Date): BlockEntry | undefined {
  const e = tx
    .select()
    .from(blockList)
    .where(and(eq(blockList.id, id), isNull(blockList.removedAt)))
    .get();
  if (e) tx.update(blockList).set({ removedAt: now }).where(eq(blockList.id, id)).run();
  return e;
}

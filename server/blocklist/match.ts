import { and, gt, isNull, or } from 'drizzle-orm';
import { blockList } from '../db/schema';
import type { Tx } from '../db/open';

export interface BlockProbe {
  idHash: string;
  nameNorm: string;
  phoneNorm: string;
}

/** Active entries: not removed and not expired at `now`. */
/** Entries in force at `now`: not removed, not expired. */
export const activeBlockCondition = (now: Date) =>
  and(isNull(blockList.removedAt), or(isNull(blockList.expiresAt), gt(blockList.expiresAt, now)));

export function activeBlockEntries(db: Tx, now: Date) {
  return db.select().from(blockList).where(activeBlockCondition(now)).all();
}

/** A person matches an entry by ID hash, or by normalised name together with phone. */
export function blockMatcher(entries: ReturnType<typeof activeBlockEntries>) {
  const ids = new Set(entries.flatMap((e) => (e.idHash ? [e.idHash] : [])));
  const namePhones = new Set(
    entries.flatMap((e) => (e.nameNorm && e.phoneNorm ? [`${e.nameNorm}|${e.phoneNorm}`] : [])),
  );
  return (p: BlockProbe) => ids.has(p.idHash) || namePhones.has(`${p.nameNorm}|${p.phoneNorm}`);
}

import { eq } from 'drizzle-orm';
import { campuses } from '../db/schema';
import type { Tx } from '../db/open';
import { uniqueOr409 } from '../lib/db-errors';

type Campus = typeof campuses.$inferSelect;
type CampusValues = Pick<Campus, 'name' | 'nameEn' | 'timezone'>;

export const listCampuses = (tx: Tx) => tx.select().from(campuses).orderBy(campuses.id).all();
export const campusById = (tx: Tx, id: number) => tx.select().from(campuses).where(eq(campuses.id, id)).get();

/** A new campus; a name already taken is a 409, not a 500. */
export const insertCampus = (tx: Tx, values: CampusValues) =>
  uniqueOr409('A campus with this name', () => tx.insert(campuses).values(values).returning().get());

export function updateCampus(tx: Tx, id: number, patch: Partial<CampusValues>) {
  const after = tx.update(campuses).set(patch).where(eq(campuses.id, id)).returning().get();
  if (!after) throw new Error(`campus ${id} vanished inside its own transaction`);
  return after;
}

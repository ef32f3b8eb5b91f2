import { eq } from 'drizzle-orm';
import { gates } from '../db/schema';
import type { Tx } from '../db/open';
import { uniqueOr409 } from '../lib/db-errors';
import { fieldError } from '../lib/errors';
import { campusById } from '../campuses/store';

type GateValues = Omit<typeof gates.$inferInsert, 'id'>;

export const listGates = (tx: Tx) => tx.select().from(gates).orderBy(gates.id).all();
export const gateById = (tx: Tx, id: number) => tx.select().from(gates).where(eq(gates.id, id)).get();

/** A gate belongs to a campus that exists: a field error otherwise, not a foreign-key 500. */
function assertCampus(tx: Tx, campusId: number | undefined) {
  if (campusId !== undefined && !campusById(tx, campusId)) {
    throw fieldError(['campusId'], 'unknown_campus', `Campus ${campusId} does not exist`);
  }
}

export function insertGate(tx: Tx, values: GateValues) {
  assertCampus(tx, values.campusId);
  return uniqueOr409(`Gate ${values.code}`, () => tx.insert(gates).values(values).returning().get());
}

/** Changes only the fields the patch names (renaming a deactivated gate leaves it deactivated). */
export function updateGate(tx: Tx, id: number, patch: Partial<GateValues>) {
  assertCampus(tx, patch.campusId);
  const after = uniqueOr409(`Gate ${patch.code}`, () =>
    tx.update(gates).set(patch).where(eq(gates.id, id)).returning().get(),
  );
  if (!after) throw new Error(`gate ${id} vanished inside its own transaction`);
  return after;
}

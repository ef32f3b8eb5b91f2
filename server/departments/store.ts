import { eq } from 'drizzle-orm';
import { departments } from '../db/schema';
import type { Tx } from '../db/open';
import { uniqueOr409 } from '../lib/db-errors';

type DepartmentValues = Omit<typeof departments.$inferInsert, 'id'>;

export const listDepartments = (tx: Tx) => tx.select().from(departments).orderBy(departments.id).all();
export const departmentById = (tx: Tx, id: number) => tx.select().from(departments).where(eq(departments.id, id)).get();

/** A new department; a code already taken is a 409, not a 500. */
export const insertDepartment = (tx: Tx, values: DepartmentValues) =>
  uniqueOr409(`Department ${values.code}`, () => tx.insert(departments).values(values).returning().get());

/** Changes only the fields the patch names (a PATCH never resets the others). */
export function updateDepartment(tx: Tx, id: number, patch: Partial<DepartmentValues>) {
  const after = uniqueOr409(`Department ${patch.code}`, () =>
    tx.update(departments).set(patch).where(eq(departments.id, id)).returning().get(),
  );
  if (!after) throw new Error(`department ${id} vanished inside its own transaction`);
  return after;
}

import { eq } from 'drizzle-orm';
import { departments, gates, userGates, users, type Role } from '../db/schema';
import { fieldError } from '../lib/errors';
import type { Tx } from '../db/open';

export interface UserBinding {
  role: Role;
  departmentId: number | null;
  gateIds: number[];
}

/** A filer belongs to a department and a guard to at least one gate; the references must exist. */
export function assertBinding(tx: Tx, { role, departmentId, gateIds }: UserBinding) {
  if (role === 'filer' && departmentId == null)
    throw fieldError(['departmentId'], 'department_required', 'A filer must belong to a department');
  if (role === 'guard' && gateIds.length === 0)
    throw fieldError(['gateIds'], 'gate_required', 'A guard must be bound to at least one gate');
  if (
    departmentId != null &&
    !tx.select({ id: departments.id }).from(departments).where(eq(departments.id, departmentId)).get()
  ) {
    throw fieldError(['departmentId'], 'unknown_department', `Department ${departmentId} does not exist`);
  }
  gateIds.forEach((gateId, i) => {
    if (!tx.select({ id: gates.id }).from(gates).where(eq(gates.id, gateId)).get()) {
      throw fieldError(['gateIds', i], 'unknown_gate', `Gate ${gateId} does not exist`);
    }
  });
}

export function setUserGates(tx: Tx, userId: number, gateIds: number[]) {
  tx.delete(userGates).where(eq(userGates.userId, userId)).run();
  for (const gateId of new Set(gateIds)) tx.insert(userGates).values({ userId, gateId }).run();
}

export interface NewUser extends UserBinding {
  username: string;
  displayName: string;
  passwordHash: string;
}

export function insertUser(tx: Tx, u: NewUser) {
  assertBinding(tx, u);
  const row = tx
    .insert(users)
    .values({
      username: u.username,
      displayName: u.displayName,
      role: u.role,
      departmentId: u.departmentId,
      passwordHash: u.passwordHash,
    })
    .returning()
    .get();
  setUserGates(tx, row.id, u.gateIds);
  return row;
}

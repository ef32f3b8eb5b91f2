import { eq } from 'drizzle-orm';
import { departments, gates, sessions, userGates, users, type Role } from '../db/schema';
import { fieldError } from '../lib/errors';
import type { Tx } from '../db/open';

export interface UserBinding {
  role: Role;
  departmentId: number | null;
  gateIds: number[];
}

/** A filer or an approver belongs to a department and a guard to at least one gate; the references must exist. */
export function assertBinding(tx: Tx, { role, departmentId, gateIds }: UserBinding) {
  if ((role === 'filer' || role === 'approver') && departmentId == null)
    throw fieldError(['departmentId'], 'department_required', 'A filer or an approver must belong to a department');
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
  email?: string | null;
  locale?: 'zh' | 'en';
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
      email: u.email?.toLowerCase() ?? null,
      locale: u.locale ?? 'zh',
    })
    .returning()
    .get();
  setUserGates(tx, row.id, u.gateIds);
  return row;
}

export type UserRow = typeof users.$inferSelect;

export function listUsers(db: Tx, role?: Role): UserRow[] {
  return db
    .select()
    .from(users)
    .where(role ? eq(users.role, role) : undefined)
    .orderBy(users.id)
    .all();
}

export function userById(db: Tx, id: number): UserRow | undefined {
  return db.select().from(users).where(eq(users.id, id)).get();
}

export function userByUsername(db: Tx, username: string): UserRow | undefined {
  return db.select().from(users).where(eq(users.username, username)).get();
}

export function updateUser(
  tx: Tx,
  id: number,
  set: Partial<
    Pick<
      UserRow,
      | 'displayName'
      | 'role'
      | 'departmentId'
      | 'disabledAt'
      | 'deptApprover'
      | 'passwordHash'
      | 'pinHash'
      | 'email'
      | 'locale'
    >
  >,
) {
  // Addresses are compared lower-cased (notifications find a person by the address on a request).
  const email = set.email ? { email: set.email.toLowerCase() } : {};
  tx.update(users)
    .set({ ...set, ...email })
    .where(eq(users.id, id))
    .run();
}

/** Ends the account's sessions, all of them or all but the one kept (the caller's own). */
export function endSessions(tx: Tx, userId: number, keep?: string | null) {
  for (const s of tx.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, userId)).all()) {
    if (s.id !== keep) tx.delete(sessions).where(eq(sessions.id, s.id)).run();
  }
}

export function insertSession(tx: Tx, session: typeof sessions.$inferInsert) {
  tx.insert(sessions).values(session).run();
}

export function deleteSession(db: Tx, id: string) {
  db.delete(sessions).where(eq(sessions.id, id)).run();
}

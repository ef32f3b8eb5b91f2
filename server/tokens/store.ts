import { and, eq, isNull } from 'drizzle-orm';
import { apiTokens } from '../db/schema';
import type { Tx } from '../db/open';
import { sha256 } from '../lib/crypto';
import { fieldError } from '../lib/errors';
import type { TokenScope } from '../domain/roles';
import { departmentById } from '../departments/store';

export const listTokens = (tx: Tx) => tx.select().from(apiTokens).orderBy(apiTokens.id).all();
export const tokenById = (tx: Tx, id: number) => tx.select().from(apiTokens).where(eq(apiTokens.id, id)).get();

/**
 * An integration token, stored as the hash of its secret. The role only matters for what a filing
 * records; its scopes decide what it reaches (middleware/auth.ts).
 */
export function insertIntegrationToken(
  tx: Tx,
  v: {
    name: string;
    secret: string;
    scopes: TokenScope[];
    departmentId: number | null;
    expiresAt: Date;
    createdByUserId: number | null;
  },
) {
  if (v.departmentId !== null && !departmentById(tx, v.departmentId)) {
    throw fieldError(['departmentId'], 'unknown_department', `Department ${v.departmentId} does not exist`);
  }
  return tx
    .insert(apiTokens)
    .values({
      name: v.name,
      tokenHash: sha256(v.secret),
      role: 'filer',
      scopes: v.scopes,
      departmentId: v.departmentId,
      expiresAt: v.expiresAt,
      createdByUserId: v.createdByUserId,
    })
    .returning()
    .get();
}

/** Revokes a token once: a second revocation keeps the first time. */
export function revokeToken(tx: Tx, before: typeof apiTokens.$inferSelect, now: Date) {
  return (
    tx
      .update(apiTokens)
      .set({ revokedAt: now })
      .where(and(eq(apiTokens.id, before.id), isNull(apiTokens.revokedAt)))
      .returning()
      .get() ?? before
  );
}

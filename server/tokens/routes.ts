import { createRoute, z } from '@hono/zod-openapi';
import { and, eq, isNull } from 'drizzle-orm';
import { apiTokens, departments } from '../db/schema';
import { recordAudit } from '../lib/audit';
import { randomToken, sha256 } from '../lib/crypto';
import { ErrorBodySchema, fieldError, notFound } from '../lib/errors';
import { createRouter, jsonBody, jsonContent } from '../lib/router';
import { IdParamSchema } from '../lib/schemas';
import { principalOf, requireRole } from '../middleware/auth';

export const ApiTokenSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    role: z.string(),
    departmentId: z.number().int().nullable(),
    gateId: z.number().int().nullable(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revoked: z.boolean(),
  })
  .openapi('ApiToken');

/** Integration tokens act as a filer of one department (the school's office system files through them). */
const TokenInput = z.object({ name: z.string().trim().min(1).max(64), departmentId: z.number().int().positive() });

const errors = {
  400: jsonContent(ErrorBodySchema, 'Invalid request'),
  401: jsonContent(ErrorBodySchema, 'Not signed in'),
  403: jsonContent(ErrorBodySchema, 'Role not allowed'),
};
const view = (t: typeof apiTokens.$inferSelect) => ({
  id: t.id,
  name: t.name,
  role: t.role,
  departmentId: t.departmentId,
  gateId: t.gateId,
  createdAt: t.createdAt.toISOString(),
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  revoked: t.revokedAt != null,
});

export const tokenRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get', path: '/', tags: ['tokens'], summary: 'List API tokens (never their secrets)',
      middleware: [requireRole('admin')] as const,
      responses: { 200: jsonContent(z.array(ApiTokenSchema), 'Tokens'), ...errors },
    }),
    (c) => c.json(c.get('deps').db.select().from(apiTokens).orderBy(apiTokens.id).all().map(view), 200),
  )
  .openapi(
    createRoute({
      method: 'post', path: '/', tags: ['tokens'], summary: 'Create a department integration token; the secret is shown once',
      middleware: [requireRole('admin')] as const,
      request: jsonBody(TokenInput),
      responses: { 201: jsonContent(ApiTokenSchema.extend({ token: z.string() }), 'Created'), ...errors },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const { name, departmentId } = c.req.valid('json');
      const token = `ghi_${randomToken()}`;
      const row = db.transaction((tx) => {
        if (!tx.select({ id: departments.id }).from(departments).where(eq(departments.id, departmentId)).get()) {
          throw fieldError(['departmentId'], 'unknown_department', `Department ${departmentId} does not exist`);
        }
        const r = tx.insert(apiTokens).values({ name, tokenHash: sha256(token), role: 'filer', departmentId, createdByUserId: principalOf(c).userId }).returning().get();
        recordAudit(tx, clock.now(), principalOf(c), c.get('requestId'), { action: 'token.create', entity: 'api_token', entityId: r.id, after: view(r) });
        return r;
      });
      return c.json({ ...view(row), token }, 201);
    },
  )
  .openapi(
    createRoute({
      method: 'delete', path: '/{id}', tags: ['tokens'], summary: 'Revoke a token; it is refused on its next request',
      middleware: [requireRole('admin')] as const,
      request: { params: IdParamSchema },
      responses: { 200: jsonContent(ApiTokenSchema, 'Revoked'), ...errors, 404: jsonContent(ErrorBodySchema, 'No such token') },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const { id } = c.req.valid('param');
      const now = clock.now();
      const row = db.transaction((tx) => {
        const before = tx.select().from(apiTokens).where(eq(apiTokens.id, id)).get();
        if (!before) throw notFound(`Token ${id}`);
        const after = tx.update(apiTokens).set({ revokedAt: before.revokedAt ?? now }).where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt))).returning().get() ?? before;
        recordAudit(tx, now, principalOf(c), c.get('requestId'), { action: 'token.revoke', entity: 'api_token', entityId: id, before: view(before), after: view(after) });
        return after;
      });
      return c.json(view(row), 200);
    },
  );

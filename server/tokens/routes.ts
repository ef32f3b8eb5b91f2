import { createRoute, z } from '@hono/zod-openapi';
import type { apiTokens } from '../db/schema';
import { recordAudit } from '../lib/audit';
import { randomToken } from '../lib/crypto';
import { ErrorBodySchema, notFound } from '../lib/errors';
import { createRouter, jsonBody, jsonContent, inputGuardResponses } from '../lib/router';
import { IdParamSchema, safeText } from '../lib/schemas';
import { TOKEN_SCOPES } from '../domain/roles';
import { principalOf, requireRole } from '../middleware/auth';
import { insertIntegrationToken, listTokens, revokeToken, tokenById } from './store';

export const ApiTokenSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    /** An integrator's token, or the token a gate tablet got when it enrolled. */
    kind: z.enum(['integration', 'device']),
    role: z.string(),
    scopes: z.array(z.enum(TOKEN_SCOPES)),
    departmentId: z.number().int().nullable(),
    gateId: z.number().int().nullable(),
    createdAt: z.string(),
    expiresAt: z
      .string()
      .nullable()
      .openapi({ description: 'Null only for tablets’ tokens and integration tokens made before tokens expired' }),
    lastUsedAt: z.string().nullable(),
    revoked: z.boolean(),
    status: z.enum(['active', 'expired', 'revoked']),
  })
  .openapi('ApiToken');

/** The longest an integration token may live: a year, then an admin makes a new one. */
const MAX_DAYS = 366;

/**
 * An integration token: its scopes, the department it files for (with `requests:file` only), and
 * how many days it lives. The school's office system files through one; a reporting tool reads
 * the daily reports through another.
 */
const TokenInput = z
  .object({
    name: safeText(1, 64),
    scopes: z
      .array(z.enum(TOKEN_SCOPES))
      .min(1)
      .max(TOKEN_SCOPES.length)
      .refine((s) => new Set(s).size === s.length, 'each scope once'),
    departmentId: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(null)
      .openapi({ description: 'Required with requests:file, refused without it' }),
    expiresInDays: z.number().int().min(1).max(MAX_DAYS),
  })
  .superRefine((v, ctx) => {
    const files = v.scopes.includes('requests:file');
    if (files && v.departmentId === null)
      ctx.addIssue({
        code: 'custom',
        path: ['departmentId'],
        message: 'A token that files needs its department',
        params: { code: 'department_required' },
      });
    if (!files && v.departmentId !== null)
      ctx.addIssue({
        code: 'custom',
        path: ['departmentId'],
        message: 'Only a token that files has a department',
        params: { code: 'department_not_allowed' },
      });
  });

const view = (t: typeof apiTokens.$inferSelect, now: Date) => ({
  id: t.id,
  name: t.name,
  kind: t.scopes === null ? ('device' as const) : ('integration' as const),
  role: t.role,
  scopes: t.scopes ?? [],
  departmentId: t.departmentId,
  gateId: t.gateId,
  createdAt: t.createdAt.toISOString(),
  expiresAt: t.expiresAt?.toISOString() ?? null,
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  revoked: t.revokedAt != null,
  status: t.revokedAt
    ? ('revoked' as const)
    : t.expiresAt && t.expiresAt <= now
      ? ('expired' as const)
      : ('active' as const),
});

export const tokenRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['tokens'],
      summary: 'List API tokens (never their secrets)',
      middleware: [requireRole('admin')] as const,
      responses: { 200: jsonContent(z.array(ApiTokenSchema), 'Tokens'), ...inputGuardResponses },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const now = clock.now();
      return c.json(
        listTokens(db).map((t) => view(t, now)),
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['tokens'],
      summary: 'Create an integration token with its scopes and expiry; the secret is shown once',
      middleware: [requireRole('admin')] as const,
      request: jsonBody(TokenInput),
      responses: { 201: jsonContent(ApiTokenSchema.extend({ token: z.string() }), 'Created'), ...inputGuardResponses },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const { name, scopes, departmentId, expiresInDays } = c.req.valid('json');
      const now = clock.now();
      const token = `ghi_${randomToken()}`;
      const row = db.transaction((tx) => {
        const expiresAt = new Date(now.getTime() + expiresInDays * 86_400_000);
        const r = insertIntegrationToken(tx, {
          name,
          secret: token,
          scopes,
          departmentId,
          expiresAt,
          createdByUserId: principalOf(c).userId,
        });
        recordAudit(tx, now, principalOf(c), c.get('requestId'), {
          action: 'token.create',
          entity: 'api_token',
          entityId: r.id,
          after: view(r, now),
        });
        return r;
      });
      return c.json({ ...view(row, now), token }, 201);
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/{id}',
      tags: ['tokens'],
      summary: 'Revoke a token; it is refused on its next request',
      middleware: [requireRole('admin')] as const,
      request: { params: IdParamSchema },
      responses: {
        200: jsonContent(ApiTokenSchema, 'Revoked'),
        ...inputGuardResponses,
        404: jsonContent(ErrorBodySchema, 'No such token'),
      },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const { id } = c.req.valid('param');
      const now = clock.now();
      const row = db.transaction((tx) => {
        const before = tokenById(tx, id);
        if (!before) throw notFound(`Token ${id}`);
        const after = revokeToken(tx, before, now);
        recordAudit(tx, now, principalOf(c), c.get('requestId'), {
          action: 'token.revoke',
          entity: 'api_token',
          entityId: id,
          before: view(before, now),
          after: view(after, now),
        });
        return after;
      });
      return c.json(view(row, now), 200);
    },
  );

import { createRoute, z } from '@hono/zod-openapi';
import { and, desc, eq, gte, lt, type SQL } from 'drizzle-orm';
import { auditLog } from '../db/schema';
import { ErrorBodySchema } from '../lib/errors';
import { createRouter, jsonContent } from '../lib/router';
import { decodeCursor, IsoDateTime, PageQuerySchema, pageFrom, pageOf } from '../lib/schemas';
import { requireRole } from '../middleware/auth';

export const AuditEntrySchema = z
  .object({
    id: z.number().int(),
    at: z.string(),
    actorUserId: z.number().int().nullable(),
    actorLabel: z.string(),
    action: z.string(),
    entity: z.string(),
    entityId: z.string().nullable(),
    before: z.unknown(),
    after: z.unknown(),
    reason: z.string().nullable(),
    requestId: z.string().nullable(),
  })
  .openapi('AuditEntry');

const AuditQuery = PageQuerySchema.extend({
  entity: z.string().max(64).optional(),
  entityId: z.string().max(64).optional(),
  action: z.string().max(64).optional(),
  actorUserId: z.coerce.number().int().positive().optional(),
  from: IsoDateTime.optional(),
  to: IsoDateTime.optional(),
});

export const auditRoutes = createRouter().openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags: ['audit'],
    summary: 'Read the audit log, newest first',
    middleware: [requireRole('admin', 'office')] as const,
    request: { query: AuditQuery },
    responses: {
      200: jsonContent(pageOf(AuditEntrySchema), 'A page of entries'),
      400: jsonContent(ErrorBodySchema, 'Invalid filter'),
      401: jsonContent(ErrorBodySchema, 'Not signed in'),
      403: jsonContent(ErrorBodySchema, 'Role not allowed'),
    },
  }),
  (c) => {
    const q = c.req.valid('query');
    const where: SQL[] = [];
    if (q.entity) where.push(eq(auditLog.entity, q.entity));
    if (q.entityId) where.push(eq(auditLog.entityId, q.entityId));
    if (q.action) where.push(eq(auditLog.action, q.action));
    if (q.actorUserId) where.push(eq(auditLog.actorUserId, q.actorUserId));
    if (q.from) where.push(gte(auditLog.at, new Date(q.from)));
    if (q.to) where.push(lt(auditLog.at, new Date(q.to)));
    const after = decodeCursor(q.cursor, z.tuple([z.number().int()]));
    if (after) where.push(lt(auditLog.id, after[0]));
    const rows = c
      .get('deps')
      .db.select()
      .from(auditLog)
      .where(and(...where))
      .orderBy(desc(auditLog.id))
      .limit(q.limit + 1)
      .all();
    const page = pageFrom(rows, q.limit, (r) => [r.id]);
    return c.json({ ...page, items: page.items.map((r) => ({ ...r, at: r.at.toISOString() })) }, 200);
  },
);

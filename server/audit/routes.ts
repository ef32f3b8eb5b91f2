import { createRoute, z } from '@hono/zod-openapi';
import { auditPage } from './store';
import { ErrorBodySchema } from '../lib/errors';
import { createRouter, jsonContent, guardResponses } from '../lib/router';
import { decodeCursor, IsoDateTime, PageQuerySchema, pageFrom, pageOf } from '../lib/schemas';
import { requireRole } from '../middleware/auth';

export const AuditEntrySchema = z
  .object({
    id: z.number().int(),
    at: z.string(),
    actorUserId: z.number().int().nullable(),
    actorLabel: z.string(),
    actorName: z.string().nullable().openapi({ description: 'The acting user’s display name, when a user acted' }),
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
      ...guardResponses,
    },
  }),
  (c) => {
    const q = c.req.valid('query');
    const after = decodeCursor(q.cursor, z.tuple([z.number().int()]));
    const filter = { ...q, from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined };
    const rows = auditPage(c.get('deps').db, filter, q.limit + 1, after?.[0]);
    const page = pageFrom(rows, q.limit, (r) => [r.id]);
    return c.json({ ...page, items: page.items.map((r) => ({ ...r, at: r.at.toISOString() })) }, 200);
  },
);

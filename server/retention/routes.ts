import { createRoute, z } from '@hono/zod-openapi';
import { recordAudit } from '../lib/audit';
import { ErrorBodySchema, conflict, notFound } from '../lib/errors';
import { createRouter, guardResponses, jsonBody, jsonContent, errorContent } from '../lib/router';
import { principalOf, requireRole } from '../middleware/auth';
import { dropStoredReplies, eraseVisitor, flushErasures, visitorForErasure } from './store';
import { IdParamSchema } from '../lib/schemas';

export const visitorRoutes = createRouter().openapi(
  createRoute({
    method: 'post',
    path: '/{id}/erase',
    tags: ['retention'],
    summary: 'Delete one visitor’s personal data on request (who, when and why are audit-logged; the values are not)',
    middleware: [requireRole('office')] as const,
    request: {
      params: IdParamSchema,
      ...jsonBody(z.object({ reason: z.string().trim().min(4).max(500) })),
    },
    responses: {
      200: jsonContent(z.object({ id: z.number().int(), erasedAt: z.string() }), 'Erased'),
      400: jsonContent(ErrorBodySchema, 'Invalid'),
      ...guardResponses,
      404: jsonContent(ErrorBodySchema, 'No such visitor'),
      409: errorContent('Already erased', 'already_erased'),
    },
  }),
  (c) => {
    const { db, clock } = c.get('deps');
    const { id } = c.req.valid('param');
    const { reason } = c.req.valid('json');
    const now = clock.now();
    db.transaction((tx) => {
      const v = visitorForErasure(tx, id);
      if (!v) throw notFound(`Visitor ${id}`);
      if (v.purgedAt) throw conflict('already_erased', `Visitor ${id} was erased at ${v.purgedAt.toISOString()}`);
      eraseVisitor(tx, id, now);
      dropStoredReplies(tx, v.requestId);
      recordAudit(tx, now, principalOf(c), c.get('requestId'), {
        action: 'visitor.erase',
        entity: 'visitor',
        entityId: id,
        reason,
        after: { requestId: v.requestId },
      });
    });
    flushErasures(db);
    return c.json({ id, erasedAt: now.toISOString() }, 200);
  },
);

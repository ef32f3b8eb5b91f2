import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, guardResponses, jsonContent } from '../lib/router';
import { requireRole } from '../middleware/auth';
import { currentRules } from '../rules/store';
import { onCampusNow } from './store';

export const presenceRoutes = createRouter().openapi(
  createRoute({
    method: 'get', path: '/', tags: ['presence'], summary: 'Visitors on campus now (admitted, not yet out), with host, escort and overstay',
    middleware: [requireRole('office')] as const,
    responses: { 200: jsonContent(z.array(z.any().openapi('Presence')), 'On campus'), ...guardResponses },
  }),
  (c) => {
    const { db, clock } = c.get('deps');
    return c.json(onCampusNow(db, clock.now(), currentRules(db).rules), 200);
  },
);

import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, guardResponses, jsonContent } from '../lib/router';
import { requireRole } from '../middleware/auth';
import { currentRules } from '../rules/store';
import { onCampusNow } from './store';

const PresenceSchema = z
  .object({
    eventId: z.string(),
    passId: z.string(),
    admittedAt: z.string(),
    gateId: z.number().int(),
    gateName: z.string(),
    visitorId: z.number().int(),
    visitorName: z.string(),
    department: z.string(),
    escortName: z.string(),
    escortPhone: z.string(),
    escortArrived: z.boolean(),
    windowEnd: z.string(),
    overstay: z.boolean(),
    failedChecks: z
      .array(z.string())
      .openapi({ description: 'Checks a rule or list change made them fail after they came in (an alert too)' }),
  })
  .openapi('Presence');

export const presenceRoutes = createRouter().openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags: ['presence'],
    summary: 'Visitors on campus now (admitted, not yet out), with host, escort and overstay',
    middleware: [requireRole('office')] as const,
    responses: { 200: jsonContent(z.array(PresenceSchema), 'On campus'), ...guardResponses },
  }),
  (c) => {
    const { db, clock } = c.get('deps');
    return c.json(onCampusNow(db, clock.now(), currentRules(db).rules), 200);
  },
);

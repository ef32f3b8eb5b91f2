import { createRoute, z } from '@hono/zod-openapi';
import { ErrorBodySchema } from '../lib/errors';
import { createRouter, jsonContent } from '../lib/router';
import { requireRole } from '../middleware/auth';
import { currentRules } from '../rules/store';
import { ALERT_TYPES, deriveAlerts } from './derive';

const AlertSchema = z
  .object({ type: z.enum(ALERT_TYPES), gateId: z.number().int().nullable(), deviceId: z.number().int().nullable(), at: z.string(), passId: z.string().nullable(), eventId: z.string().nullable(), detail: z.string() })
  .openapi('Alert');

export const alertRoutes = createRouter().openapi(
  createRoute({
    method: 'get', path: '/', tags: ['alerts'], summary: 'Alerts and reconciliation conflicts from the gates (last 7 days)',
    middleware: [requireRole('office')] as const,
    responses: { 200: jsonContent(z.array(AlertSchema), 'Alerts'), 401: jsonContent(ErrorBodySchema, 'Not signed in'), 403: jsonContent(ErrorBodySchema, 'Role not allowed') },
  }),
  (c) => {
    const { db, clock } = c.var.deps;
    return c.json(deriveAlerts(db, clock.now(), { escortWaitMinutes: currentRules(db).rules.escortWaitMinutes }), 200);
  },
);

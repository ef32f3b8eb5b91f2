import { createRoute, z } from '@hono/zod-openapi';
import { recordAudit } from '../lib/audit';
import { ErrorBodySchema } from '../lib/errors';
import { createRouter, guardResponses, jsonBody, jsonContent } from '../lib/router';
import { principalOf, requireRole } from '../middleware/auth';
import { currentRules } from '../rules/store';
import { ALERT_TYPES, acknowledgeAlert, deriveAlerts } from './store';
import type { Context } from 'hono';
import type { AppEnv } from '../lib/context';
import type { Tx } from '../db/open';
import type { Happened } from '../events';

export const AlertSchema = z
  .object({
    key: z.string(),
    type: z.enum(ALERT_TYPES),
    gateId: z.number().int().nullable(),
    deviceId: z.number().int().nullable(),
    at: z.string(),
    passId: z.string().nullable(),
    eventId: z.string().nullable(),
    detail: z.string(),
    acknowledged: z.object({ by: z.string(), at: z.string(), note: z.string().nullable() }).nullable(),
  })
  .openapi('Alert');

/** The signed-in office user acknowledges one alert: audit-logged and said, unless someone was first. */
function acknowledge(tx: Tx, happened: Happened, c: Context<AppEnv>, key: string, note: string | null, now: Date) {
  const p = principalOf(c);
  if (!acknowledgeAlert(tx, { key, userId: p.userId!, at: now, note })) return false;
  recordAudit(tx, now, p, c.get('requestId'), {
    action: 'alert.acknowledge',
    entity: 'alert',
    entityId: key,
    reason: note,
  });
  happened({ type: 'alert.acknowledged', key, userId: p.userId! });
  return true;
}

export const alertRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['alerts'],
      summary: 'Alerts and reconciliation conflicts from the gates (last 7 days), with who acknowledged each',
      middleware: [requireRole('office', { scope: 'events:read' })] as const,
      responses: { 200: jsonContent(z.array(AlertSchema), 'Alerts'), ...guardResponses },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      return c.json(deriveAlerts(db, clock.now(), currentRules(db).rules), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/ack',
      tags: ['alerts'],
      summary: 'Acknowledge an alert by its key, as the signed-in office user',
      middleware: [requireRole('office')] as const,
      request: jsonBody(
        z.object({ key: z.string().min(3).max(200), note: z.string().trim().max(500).nullable().default(null) }),
      ),
      responses: {
        200: jsonContent(
          z.object({ key: z.string(), acknowledged: z.boolean() }),
          'Acknowledged (the first acknowledgement stands)',
        ),
        400: jsonContent(ErrorBodySchema, 'Invalid'),
        ...guardResponses,
      },
    }),
    (c) => {
      const { db, clock, events } = c.get('deps');
      const { key, note } = c.req.valid('json');
      const now = clock.now();
      events.transact(db, (tx, happened) => acknowledge(tx, happened, c, key, note, now));
      return c.json({ key, acknowledged: true }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/ack-bulk',
      tags: ['alerts'],
      summary: 'Acknowledge many alerts at once with one note (a burst of the same kind after an incident)',
      middleware: [requireRole('office')] as const,
      request: jsonBody(
        z.object({
          keys: z.array(z.string().min(3).max(200)).min(1).max(500),
          note: z.string().trim().max(500).nullable().default(null),
        }),
      ),
      responses: {
        200: jsonContent(
          z.object({
            acknowledged: z.array(z.string()).openapi({ description: 'Keys acknowledged by this call' }),
            already: z
              .array(z.string())
              .openapi({ description: 'Keys someone had acknowledged before (theirs stands)' }),
          }),
          'Acknowledged',
        ),
        400: jsonContent(ErrorBodySchema, 'Invalid'),
        ...guardResponses,
      },
    }),
    (c) => {
      const { db, clock, events } = c.get('deps');
      const { keys, note } = c.req.valid('json');
      const now = clock.now();
      const out = { acknowledged: [] as string[], already: [] as string[] };
      events.transact(db, (tx, happened) => {
        for (const key of new Set(keys))
          (acknowledge(tx, happened, c, key, note, now) ? out.acknowledged : out.already).push(key);
      });
      return c.json(out, 200);
    },
  );

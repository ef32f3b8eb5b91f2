import { createRoute, z } from '@hono/zod-openapi';
import { gte } from 'drizzle-orm';
import { gateEvents } from '../db/schema';
import { ErrorBodySchema } from '../lib/errors';
import { createRouter, jsonContent } from '../lib/router';
import { requireRole } from '../middleware/auth';
import { currentRules } from '../rules/store';

const AlertSchema = z
  .object({ type: z.enum(['escort_overdue', 'verdict_disagreement']), gateId: z.number().int(), at: z.string(), passId: z.string().nullable(), eventId: z.string(), minutes: z.number().int().nullable() })
  .openapi('Alert');

const DAY = 86_400_000;

/**
 * Alerts derived from synced gate events over the last day: an admitted visitor whose escort
 * has not arrived within the configured wait, and a tablet verdict the server's engine
 * disagrees with. (The live wall and acknowledgements build on this.)
 */
export const alertRoutes = createRouter().openapi(
  createRoute({
    method: 'get', path: '/', tags: ['alerts'], summary: 'Open alerts from the gates (last 24 hours)',
    middleware: [requireRole('office')] as const,
    responses: { 200: jsonContent(z.array(AlertSchema), 'Alerts, oldest first'), 401: jsonContent(ErrorBodySchema, 'Not signed in'), 403: jsonContent(ErrorBodySchema, 'Role not allowed') },
  }),
  (c) => {
    const { db, clock } = c.var.deps;
    const now = clock.now();
    const wait = currentRules(db).rules.escortWaitMinutes * 60_000;
    const events = db.select().from(gateEvents).where(gte(gateEvents.at, new Date(now.getTime() - DAY))).orderBy(gateEvents.at).all();
    const arrived = new Set(events.filter((e) => e.type === 'escort_arrived' && e.passId).map((e) => e.passId));
    const alerts: z.infer<typeof AlertSchema>[] = [];
    for (const e of events) {
      if (e.type === 'decision' && e.verdict === 'admit' && e.passId && !arrived.has(e.passId) && now.getTime() - e.at.getTime() > wait) {
        alerts.push({ type: 'escort_overdue', gateId: e.gateId, at: e.at.toISOString(), passId: e.passId, eventId: e.id, minutes: Math.floor((now.getTime() - e.at.getTime()) / 60_000) });
      }
      if (e.disagreement) alerts.push({ type: 'verdict_disagreement', gateId: e.gateId, at: e.at.toISOString(), passId: e.passId, eventId: e.id, minutes: null });
    }
    return c.json(alerts, 200);
  },
);


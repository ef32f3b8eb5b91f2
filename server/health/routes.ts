import { createRoute, z } from '@hono/zod-openapi';
import { pingDatabase, schemaVersion } from '../db/open';
import { createRouter, jsonContent } from '../lib/router';
import pkg from '../../package.json' with { type: 'json' };

const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    version: z.string(),
    database: z.enum(['ok', 'error']),
    schemaVersion: z.number().int().nullable(),
  })
  .openapi('Health');

/** For load balancers and the gate's own watchdog: no auth, no personal data. */
export const healthRoutes = createRouter().openapi(
  createRoute({
    method: 'get',
    path: '/healthz',
    tags: ['health'],
    summary: 'Liveness and database check',
    responses: { 200: jsonContent(HealthSchema, 'Healthy'), 503: jsonContent(HealthSchema, 'Database unavailable') },
  }),
  (c) => {
    try {
      const { db } = c.get('deps');
      pingDatabase(db);
      return c.json(
        { status: 'ok' as const, version: pkg.version, database: 'ok' as const, schemaVersion: schemaVersion(db) },
        200,
      );
    } catch (err) {
      c.get('deps').logger.error('health check failed', { err: String(err) });
      return c.json(
        { status: 'degraded' as const, version: pkg.version, database: 'error' as const, schemaVersion: null },
        503,
      );
    }
  },
);

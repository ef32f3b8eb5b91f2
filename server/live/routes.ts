import { createRoute, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { GATE_EVENT_TYPES, RECORDED_VERDICTS } from '../domain/admission';
import { createRouter, guardResponses, jsonContent } from '../lib/router';
import { requireRole } from '../middleware/auth';
import { currentRules } from '../rules/store';
import { buildWall } from './wall';
import { AlertSchema } from '../alerts/routes';
import { DayFiguresSchema } from '../reports/routes';
import type { DomainEvent, Events } from '../events';

/** Pushes are coalesced: a burst of syncs makes one wall, at most this long after the first. */
const WallSchema = z
  .object({
    generatedAt: z.string(),
    day: z.string(),
    level: z
      .object({ id: z.string(), nameZh: z.string(), nameEn: z.string() })
      .openapi({ description: 'The campus alert level in force' }),
    onCampus: z.number().int(),
    overstays: z.number().int(),
    emergencies: z
      .array(
        z.object({
          requestId: z.number().int(),
          gateId: z.number().int().nullable(),
          gateName: z.string(),
          gateNameEn: z.string(),
          at: z.string(),
          reason: z.string(),
          name: z.string(),
        }),
      )
      .openapi({
        description: 'Guards waiting at a gate for the office’s answer to an emergency request, oldest first',
      }),
    alerts: z.array(AlertSchema),
    alertCounts: z.record(z.string(), z.object({ open: z.number().int(), acknowledged: z.number().int() })),
    gates: z.array(
      z.object({
        id: z.number().int(),
        name: z.string(),
        nameEn: z.string(),
        figures: DayFiguresSchema,
        perMinute: z.number(),
        medianSeconds: z.number().nullable(),
        latest: z.array(
          z.object({
            id: z.string(),
            at: z.string(),
            type: z.enum(GATE_EVENT_TYPES),
            verdict: z.enum(RECORDED_VERDICTS).nullable(),
            reasons: z.array(z.string()),
            name: z.string().nullable(),
            server: z
              .object({
                verdict: z.string().nullable(),
                reasons: z.array(z.string()),
                passMismatch: z.string().nullable(),
              })
              .nullable()
              .openapi({ description: 'The server’s own verdict where it differs from the tablet’s' }),
          }),
        ),
        tablets: z.array(
          z.object({
            id: z.number().int(),
            name: z.string(),
            appVersion: z.string(),
            online: z.boolean(),
            lastSeenAt: z.string().nullable(),
            snapshotAgeMinutes: z.number().int().nullable(),
            outboxPending: z.number().int(),
          }),
        ),
      }),
    ),
  })
  .openapi('Wall');

const COALESCE_MS = 100;
/** Time alone changes the wall (tablets falling silent, overstays): refresh at least this often. */
const REFRESH_MS = 30_000;
const HEARTBEAT_MS = 15_000;

/** Every change that shows on the wall; any other after-commit event leaves it as it is. */
const WALL_CHANGES = new Set<DomainEvent['type']>([
  'gate_events.synced',
  'device.contacted',
  'alert.acknowledged',
  'rules.changed',
  'request.transition',
]);
const changesWall = (e: DomainEvent) => WALL_CHANGES.has(e.type);

/**
 * One wall per change, shared by every open stream: ten office screens cost one build, not ten.
 * A change on the wall drops the cached wall; one older than half the refresh period is rebuilt too.
 */
const walls = new WeakMap<Events, { builtAt: number; json: string | null }>();
function wallJson(events: Events, build: () => unknown, now: number) {
  let w = walls.get(events);
  if (!w) {
    const entry = { builtAt: 0, json: null as string | null };
    events.onCommitted((e) => void (changesWall(e) && (entry.json = null))); // lives as long as the app
    walls.set(events, (w = entry));
  }
  if (w.json === null || now - w.builtAt >= REFRESH_MS / 2) {
    w.json = JSON.stringify(build());
    w.builtAt = now;
  }
  return w.json;
}

export const liveRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/wall',
      tags: ['live'],
      summary: 'The live wall as JSON (the stream sends the same)',
      middleware: [requireRole('office', { scope: 'events:read' })] as const,
      responses: { 200: jsonContent(WallSchema, 'The wall'), ...guardResponses },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      return c.json(buildWall(db, clock.now(), currentRules(db).rules), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/stream',
      tags: ['live'],
      summary:
        'Server-sent events: a `wall` event on connect and whenever the wall changes; a `queue` event ({requestId, action}) whenever a request moves, so the review queue and lists update live',
      middleware: [requireRole('office', { scope: 'events:read' })] as const,
      responses: {
        200: { content: { 'text/event-stream': { schema: z.string() } }, description: 'An event stream' },
        ...guardResponses,
      },
    }),
    (c) => {
      const { db, clock, events, logger, metrics } = c.get('deps');
      // Reverse proxies (nginx) buffer responses unless told not to; a buffered wall is not live.
      c.header('X-Accel-Buffering', 'no');
      return streamSSE(c, async (stream) => {
        let id = 0;
        let timer: ReturnType<typeof setTimeout> | null = null;
        const push = async () => {
          timer = null;
          try {
            const data = wallJson(events, () => buildWall(db, clock.now(), currentRules(db).rules), Date.now());
            await stream.writeSSE({ event: 'wall', id: String(++id), data });
          } catch (err) {
            logger.warn('live wall push failed', { err: err instanceof Error ? err.message : String(err) });
          }
        };
        const schedule = () => {
          timer ??= setTimeout(() => void push(), COALESCE_MS);
        };
        const unsubscribe = events.onCommitted((e) => {
          if (changesWall(e)) schedule();
          // The review queue reloads on this at once; an emergency request also rings in the office.
          if (e.type === 'request.transition')
            void stream
              .writeSSE({ event: 'queue', data: JSON.stringify({ requestId: e.requestId, action: e.action }) })
              .catch(() => undefined);
        });
        const refresh = setInterval(schedule, REFRESH_MS);
        const heartbeat = setInterval(() => void stream.write(': keep-alive\n\n').catch(() => undefined), HEARTBEAT_MS);
        metrics.streamOpened();
        await push();
        await new Promise<void>((resolve) => stream.onAbort(resolve));
        metrics.streamClosed();
        unsubscribe();
        clearInterval(refresh);
        clearInterval(heartbeat);
        if (timer) clearTimeout(timer);
      });
    },
  );

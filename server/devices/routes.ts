import { createRoute, z } from '@hono/zod-openapi';
import { randomInt } from 'node:crypto';
import { recordAudit } from '../lib/audit';
import { sha256 } from '../lib/crypto';
import { ApiError, ErrorBodySchema, fieldError, notFound } from '../lib/errors';
import { createRouter, jsonBody, jsonContent, errorContent, inputGuardResponses } from '../lib/router';
import { IdParamSchema, safeText } from '../lib/schemas';
import { principalOf, requireRole } from '../middleware/auth';
import { gateById } from '../gates/store';
import {
  deviceById,
  insertEnrollmentCode,
  lastDivergences,
  listDevices,
  renameDevice,
  requestResync,
  revokeDevice,
  type DeviceRow,
} from './store';

export const ENROLLMENT_MINUTES = 10;

const DeviceSchema = z
  .object({
    id: z.number().int(),
    gateId: z.number().int(),
    name: z.string(),
    appVersion: z.string(),
    enrolledAt: z.string(),
    lastSeenAt: z.string().nullable(),
    revoked: z.boolean(),
    lastSnapshotAt: z.string().nullable().openapi({ description: 'When the tablet last pulled its snapshot' }),
    resyncRequested: z
      .boolean()
      .openapi({ description: 'The office asked for a full snapshot; the tablet has not synced since' }),
    lastDivergenceAt: z
      .string()
      .nullable()
      .openapi({ description: 'When the tablet last reported a copy that did not match the server’s' }),
    outboxPending: z
      .number()
      .int()
      .openapi({ description: 'Decisions the tablet said it still held unsynced at its last contact' }),
    storage: z.enum(['persisted', 'evictable']).nullable().openapi({
      description:
        'Whether the browser granted the tablet persistent storage: evictable means its outbox may be cleared under storage pressure; null: not reported yet',
    }),
    clockSkewSeconds: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'The tablet’s clock minus the server’s at its last sync (positive: ahead)' }),
  })
  .openapi('Device');
function view(d: DeviceRow, diverged: Date | null | undefined) {
  return {
    id: d.id,
    gateId: d.gateId,
    name: d.name,
    appVersion: d.appVersion,
    enrolledAt: d.enrolledAt.toISOString(),
    lastSeenAt: d.lastSeenAt?.toISOString() ?? null,
    revoked: d.revokedAt !== null,
    lastSnapshotAt: d.lastSnapshotAt?.toISOString() ?? null,
    resyncRequested: d.resyncRequestedAt !== null,
    lastDivergenceAt: diverged ? diverged.toISOString() : null,
    outboxPending: d.outboxPending,
    storage: d.storage,
    clockSkewSeconds: d.clockSkewMs === null ? null : Math.round(d.clockSkewMs / 1000),
  };
}

/** The office enrolls and revokes gate tablets. */
export const deviceRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'post',
      path: '/enrollments',
      tags: ['devices'],
      summary: 'A one-time 6-digit code that enrolls a tablet for a gate (valid 10 minutes)',
      middleware: [requireRole('office', 'admin')] as const,
      request: jsonBody(
        z.object({
          gateId: z.number().int().positive(),
          name: safeText(1, 40)
            .optional()
            .openapi({ description: 'The tablet’s name, e.g. 北门 左侧; else the name the tablet sends' }),
        }),
      ),
      responses: {
        201: jsonContent(
          z.object({ code: z.string(), gateId: z.number().int(), expiresAt: z.string() }),
          'The code, shown once',
        ),
        ...inputGuardResponses,
      },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const p = principalOf(c);
      const { gateId, name } = c.req.valid('json');
      const now = clock.now();
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      const expiresAt = new Date(now.getTime() + ENROLLMENT_MINUTES * 60_000);
      db.transaction((tx) => {
        if (!gateById(tx, gateId)) throw fieldError(['gateId'], 'unknown_gate', `Gate ${gateId} does not exist`);
        // Stored as a hash bound to the gate: the table alone does not reveal live codes.
        insertEnrollmentCode(tx, {
          gateId,
          codeHash: sha256(`${gateId}:${code}`),
          name: name ?? null,
          expiresAt,
          createdByUserId: p.userId,
          createdAt: now,
        });
        recordAudit(tx, now, p, c.get('requestId'), {
          action: 'device.enrollment_code',
          entity: 'gate',
          entityId: gateId,
        });
      });
      return c.json({ code, gateId, expiresAt: expiresAt.toISOString() }, 201);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['devices'],
      summary: 'Enrolled tablets with their gate, last contact and app version',
      middleware: [requireRole('office', 'admin')] as const,
      responses: { 200: jsonContent(z.array(DeviceSchema), 'Devices'), ...inputGuardResponses },
    }),
    (c) => {
      const { db } = c.get('deps');
      const diverged = lastDivergences(db);
      return c.json(
        listDevices(db).map((d) => view(d, diverged.get(d.id))),
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'patch',
      path: '/{id}',
      tags: ['devices'],
      summary: 'Rename a tablet (北门 左侧): the tablet list, the live wall and the alerts name it so',
      middleware: [requireRole('office', 'admin')] as const,
      request: { params: IdParamSchema, ...jsonBody(z.object({ name: safeText(1, 40) })) },
      responses: {
        200: jsonContent(DeviceSchema, 'Renamed'),
        ...inputGuardResponses,
        404: jsonContent(ErrorBodySchema, 'No such device'),
      },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const { id } = c.req.valid('param');
      const { name } = c.req.valid('json');
      const now = clock.now();
      const row = db.transaction((tx) => {
        const d = deviceById(tx, id);
        if (!d) throw notFound(`Device ${id}`);
        renameDevice(tx, d, name);
        recordAudit(tx, now, principalOf(c), c.get('requestId'), {
          action: 'device.rename',
          entity: 'device',
          entityId: id,
          before: { name: d.name },
          after: { name },
        });
        return view({ ...d, name }, lastDivergences(tx, id).get(id));
      });
      return c.json(row, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/{id}/resync',
      tags: ['devices'],
      summary: 'Make a tablet take a full snapshot on its next sync (its copy is replaced, its outbox kept)',
      middleware: [requireRole('office', 'admin')] as const,
      request: { params: IdParamSchema },
      responses: {
        200: jsonContent(DeviceSchema, 'Resync requested'),
        ...inputGuardResponses,
        404: jsonContent(ErrorBodySchema, 'No such device'),
        409: errorContent('The tablet is revoked', 'device_revoked'),
      },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const { id } = c.req.valid('param');
      const p = principalOf(c);
      const now = clock.now();
      const row = db.transaction((tx) => {
        const d = deviceById(tx, id);
        if (!d) throw notFound(`Device ${id}`);
        if (d.revokedAt) throw new ApiError(409, 'device_revoked', `Device ${id} is revoked`);
        requestResync(tx, id, p.userId, now);
        recordAudit(tx, now, p, c.get('requestId'), { action: 'device.resync', entity: 'device', entityId: id });
        return view({ ...d, resyncRequestedAt: now }, lastDivergences(tx, id).get(id));
      });
      return c.json(row, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/{id}/revoke',
      tags: ['devices'],
      summary: 'Revoke a tablet: refused on its next request, it wipes its local data',
      middleware: [requireRole('office', 'admin')] as const,
      request: { params: IdParamSchema },
      responses: {
        200: jsonContent(DeviceSchema, 'Revoked'),
        ...inputGuardResponses,
        404: jsonContent(ErrorBodySchema, 'No such device'),
      },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const { id } = c.req.valid('param');
      const now = clock.now();
      const row = db.transaction((tx) => {
        const d = deviceById(tx, id);
        if (!d) throw notFound(`Device ${id}`);
        revokeDevice(tx, d, now);
        recordAudit(tx, now, principalOf(c), c.get('requestId'), {
          action: 'device.revoke',
          entity: 'device',
          entityId: id,
        });
        return view({ ...d, revokedAt: d.revokedAt ?? now }, lastDivergences(tx, id).get(id));
      });
      return c.json(row, 200);
    },
  );

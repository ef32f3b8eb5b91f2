import { createRoute, z } from '@hono/zod-openapi';
import { addHistory, createEmergencyRequest, EmergencyInputSchema, requestById } from '../requests/store';
import { recordAudit } from '../lib/audit';
import { clientAddress } from '../lib/client-address';
import { randomToken, verifyPasswordAsync } from '../lib/crypto';
import { ApiError, ErrorBodySchema, notFound } from '../lib/errors';
import { createRouter, jsonBody, jsonContent, errorContent } from '../lib/router';
import { safeText, IdParamSchema } from '../lib/schemas';
import { principalOf } from '../middleware/auth';
import { deviceOf, requireDevice } from '../devices/guard';
import { ingestEvents, recordContact, type DeviceContact } from './ingest';
import { buildSnapshot, CURSOR_PATTERN, parseCursor } from './snapshot';
import { SnapshotSchema, type GateEvent } from './schemas';
import { enrollWithCode, guardOfGate, livePassOf, recordDivergence, recordSnapshotServed } from './store';

const errors = {
  400: jsonContent(ErrorBodySchema, 'Invalid'),
  401: jsonContent(ErrorBodySchema, 'Unknown or revoked device'),
  403: errorContent('Not an enrolled gate tablet', 'not_a_device'),
};

/**
 * A tablet reports its build and its outbox size with each call, so the office sees which
 * version each gate runs and how much it still has to send.
 */
function contactOf(c: { req: { header(n: string): string | undefined } }): DeviceContact {
  const pending = Number(c.req.header('x-outbox-pending'));
  const storage = c.req.header('x-storage');
  return {
    storage: storage === 'persisted' || storage === 'evictable' ? storage : undefined,
    appVersion: c.req.header('x-app-version')?.slice(0, 40) || undefined,
    outboxPending: Number.isSafeInteger(pending) && pending >= 0 ? pending : undefined,
  };
}

/** The tablet's clock as it reported it (Unix ms), minus the server's: the skew the office sees. */
function clockSkewOf(c: { req: { header(n: string): string | undefined } }, now: Date): number | undefined {
  const text = c.req.header('x-device-time');
  const at = text && /^\d{12,14}$/.test(text) ? Number(text) : Number.NaN;
  return Number.isFinite(at) ? at - now.getTime() : undefined;
}

export const kioskRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'post',
      path: '/enroll',
      tags: ['kiosk'],
      summary: 'Enroll this tablet with a one-time code; answers its device credential',
      request: jsonBody(
        z.object({
          code: z.string().regex(/^\d{6}$/),
          name: safeText(1, 60).default('门岗平板'),
          appVersion: z.string().max(40).default(''),
        }),
      ),
      responses: {
        201: jsonContent(
          z.object({
            token: z.string(),
            deviceId: z.number().int(),
            gate: z.object({ id: z.number().int(), name: z.string(), nameEn: z.string() }),
          }),
          'Enrolled',
        ),
        400: jsonContent(ErrorBodySchema, 'Invalid'),
        401: errorContent('Unknown, used or expired code', 'invalid_enrollment_code'),
        429: jsonContent(ErrorBodySchema, 'Too many failed codes from this address'),
      },
    }),
    (c) => {
      const { db, clock, config, loginLimiter } = c.get('deps');
      const now = clock.now();
      const address = `enroll:${clientAddress(c, config.TRUST_PROXY)}`;
      const wait = loginLimiter.blockedFor(address, now.getTime());
      if (wait !== null)
        throw new ApiError(429, 'rate_limited', 'Too many wrong codes; wait and try again', {
          headers: { 'Retry-After': String(wait) },
        });
      const { code, name, appVersion } = c.req.valid('json');
      const token = `ghd_${randomToken()}`;
      const out = db.transaction((tx) => {
        const enrolled = enrollWithCode(tx, { code, name, appVersion, token }, now);
        if (!enrolled) return null;
        const { device, gate } = enrolled;
        recordAudit(tx, now, null, c.get('requestId'), {
          action: 'device.enroll',
          entity: 'device',
          entityId: device.id,
          after: { gateId: gate.id, name },
        });
        return { token, deviceId: device.id, gate };
      });
      if (!out) {
        loginLimiter.record(address, now.getTime());
        throw new ApiError(401, 'invalid_enrollment_code', 'The code is unknown, used or expired');
      }
      return c.json(out, 201);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/snapshot',
      tags: ['kiosk'],
      summary: 'Everything the tablet needs to decide alone for its gate; with `since`, only what changed',
      middleware: [requireDevice()] as const,
      request: {
        query: z.object({
          since: z
            .string()
            .regex(CURSOR_PATTERN)
            .optional()
            .openapi({ description: 'The cursor of the snapshot the tablet holds' }),
          digest: z
            .string()
            .regex(/^\d{1,9}\.[0-9a-f]{32}$/)
            .optional()
            .openapi({
              description:
                'The digest of the copy the tablet holds (count and hash of its passes and their revocation states)',
            }),
        }),
      },
      responses: { 200: jsonContent(SnapshotSchema, 'The snapshot'), ...errors },
    }),
    (c) => {
      const { db, clock, events, keys } = c.get('deps');
      const device = deviceOf(principalOf(c));
      const now = clock.now();
      const { since, digest } = c.req.valid('query');
      const cursor = parseCursor(since);
      // The tablet proves its copy: the digest it reports for the cursor it was last sent must be the one
      // the server expected it to hold then. If not, or if the office asked, it gets everything again.
      const cause = !cursor
        ? null
        : device.resyncRequestedAt
          ? 'office'
          : digest && device.snapshotCursor === since && device.snapshotDigest && digest !== device.snapshotDigest
            ? 'divergence'
            : null;
      const snapshot = buildSnapshot(db, device, now, cause ? null : cursor, keys);
      const contact = contactOf(c);
      events.transact(db, (tx, happened) => {
        if (cause === 'divergence') recordDivergence(tx, device, digest ?? null, now);
        recordSnapshotServed(tx, device.id, {
          lastSnapshotAt: now,
          snapshotCursor: snapshot.cursor,
          snapshotDigest: snapshot.digest,
          clockSkewMs: clockSkewOf(c, now) ?? device.clockSkewMs,
          ...contact,
        });
        happened({ type: 'device.contacted', gateId: device.gateId, deviceId: device.id });
      });
      recordContact(db, device.id, now);
      return c.json(snapshot, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/shift',
      tags: ['kiosk'],
      summary: 'A guard of this gate starts a shift with their PIN',
      middleware: [requireDevice()] as const,
      request: jsonBody(z.object({ userId: z.number().int().positive(), pin: z.string().regex(/^\d{4,8}$/) })),
      responses: {
        200: jsonContent(z.object({ id: z.number().int(), displayName: z.string() }), 'On duty'),
        ...errors,
        401: errorContent('Not a tablet, or a wrong PIN', 'invalid_pin'),
        429: jsonContent(ErrorBodySchema, 'Too many wrong PINs'),
      },
    }),
    async (c) => {
      const { db, clock, loginLimiter } = c.get('deps');
      const device = deviceOf(principalOf(c));
      const now = clock.now();
      const { userId, pin } = c.req.valid('json');
      const key = `pin:${device.id}:${userId}`;
      const wait = loginLimiter.blockedFor(key, now.getTime());
      if (wait !== null)
        throw new ApiError(429, 'rate_limited', 'Too many wrong PINs; wait and try again', {
          headers: { 'Retry-After': String(wait) },
        });
      const guard = guardOfGate(db, userId, device.gateId);
      if (!guard || guard.disabledAt || !guard.pinHash || !(await verifyPasswordAsync(pin, guard.pinHash))) {
        loginLimiter.record(key, now.getTime());
        throw new ApiError(401, 'invalid_pin', 'Wrong PIN, or not a guard of this gate');
      }
      db.transaction((tx) =>
        recordAudit(tx, now, principalOf(c), c.get('requestId'), {
          action: 'kiosk.shift_start',
          entity: 'user',
          entityId: guard.id,
          after: { deviceId: device.id },
        }),
      );
      return c.json({ id: guard.id, displayName: guard.displayName }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/events',
      tags: ['kiosk'],
      summary: 'Sync a batch of gate events; answered after the batch commits',
      middleware: [requireDevice()] as const,
      request: jsonBody(z.object({ events: z.array(z.unknown()).max(2000) })),
      responses: {
        200: jsonContent(
          z.object({
            acked: z.array(z.string()),
            duplicates: z.array(z.string()),
            rejected: z.array(z.object({ id: z.string().nullable(), reason: z.string() })),
          }),
          'Per-event outcome',
        ),
        ...errors,
      },
    }),
    (c) => {
      const { db, clock, events } = c.get('deps');
      const device = deviceOf(principalOf(c));
      const synced = (stored: GateEvent[], rejected: number) => ({
        type: 'gate_events.synced' as const,
        gateId: device.gateId,
        deviceId: device.id,
        events: stored,
        rejected,
      });
      // What the recorders write (notifications' outbox rows) commits with the events.
      const { acked, duplicates, rejected, stored } = ingestEvents(
        db,
        device,
        c.req.valid('json').events,
        clock.now(),
        contactOf(c),
        (tx, fresh) => events.record(tx, synced(fresh, 0)),
      );
      // ingestEvents has committed: say what the gate did.
      if (stored.length > 0 || rejected.length > 0) events.committed(synced(stored, rejected.length));
      return c.json({ acked, duplicates, rejected }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/emergency',
      tags: ['kiosk'],
      summary: 'A walk-in needs entry: ask the office (emergency lane); the host department backfills later',
      middleware: [requireDevice()] as const,
      request: jsonBody(EmergencyInputSchema),
      responses: { 201: jsonContent(z.object({ requestId: z.number().int() }), 'Sent to the office'), ...errors },
    }),
    (c) => {
      const { db, events, clock, idHashKey } = c.get('deps');
      const p = principalOf(c);
      const device = deviceOf(p);
      const input = c.req.valid('json');
      const now = clock.now();
      const requestId = events.transact(db, (tx, happened) => {
        const { request: r } = createEmergencyRequest(
          tx,
          now,
          { ...input, gateId: device.gateId },
          { filedByLabel: `device:${device.id}:${device.name}`, filedByUserId: null, approval: null, idHashKey },
        );
        addHistory(
          tx,
          happened,
          r.id,
          now,
          `device:${device.name}`,
          'emergency_requested',
          null,
          'pending',
          input.reason,
        );
        recordAudit(tx, now, p, c.get('requestId'), {
          action: 'request.emergency_from_gate',
          entity: 'visit_request',
          entityId: r.id,
          reason: input.reason,
        });
        return r.id;
      });
      return c.json({ requestId }, 201);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/emergency/{id}',
      tags: ['kiosk'],
      summary: 'The office’s answer to this gate’s emergency request',
      middleware: [requireDevice()] as const,
      request: {
        params: IdParamSchema,
      },
      responses: {
        200: jsonContent(
          z.object({ status: z.string(), passId: z.string().nullable(), note: z.string().nullable() }),
          'Status',
        ),
        ...errors,
        404: jsonContent(ErrorBodySchema, 'Not this gate’s request'),
      },
    }),
    (c) => {
      const { db } = c.get('deps');
      const device = deviceOf(principalOf(c));
      const { id } = c.req.valid('param');
      const r = requestById(db, id);
      if (
        !r ||
        !r.emergency ||
        // The tablet's id, not its name: the office may rename a tablet while it waits.
        !r.filedByLabel.startsWith(`device:${device.id}:`) ||
        !r.gateIds.includes(device.gateId)
      )
        throw notFound(`Emergency request ${id}`);
      const pass = livePassOf(db, id);
      return c.json({ status: r.status, passId: pass?.id ?? null, note: r.decisionNote }, 200);
    },
  );

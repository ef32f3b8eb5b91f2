import { and, eq, gt, isNull } from 'drizzle-orm';
import { apiTokens, deviceEnrollments, devices, gates, passes, snapshotResyncs, userGates, users } from '../db/schema';
import { sha256 } from '../lib/crypto';
import type { DeviceRow } from '../devices/store';
import type { Tx } from '../db/open';

/**
 * Spends a one-time enrollment code: the tablet gets a guard token bound to the code's gate.
 * Null when no open code matches; codes are stored hashed with their gate, so each open one is tried.
 */
export function enrollWithCode(
  tx: Tx,
  enrollment: { code: string; name: string; appVersion: string; token: string },
  now: Date,
) {
  const open = tx
    .select()
    .from(deviceEnrollments)
    .where(and(isNull(deviceEnrollments.usedAt), gt(deviceEnrollments.expiresAt, now)))
    .all();
  const match = open.find((e) => e.codeHash === sha256(`${e.gateId}:${enrollment.code}`));
  if (!match) return null;
  const gate = tx.select().from(gates).where(eq(gates.id, match.gateId)).get();
  tx.update(deviceEnrollments).set({ usedAt: now }).where(eq(deviceEnrollments.id, match.id)).run();
  const name = match.name ?? enrollment.name;
  const t = tx
    .insert(apiTokens)
    .values({
      name: `device:${name}`,
      tokenHash: sha256(enrollment.token),
      role: 'guard',
      gateId: match.gateId,
      createdByUserId: match.createdByUserId,
    })
    .returning()
    .get();
  const device = tx
    .insert(devices)
    .values({
      gateId: match.gateId,
      name,
      apiTokenId: t.id,
      appVersion: enrollment.appVersion,
      enrolledAt: now,
      enrolledByUserId: match.createdByUserId,
      lastSeenAt: now,
    })
    .returning()
    .get();
  return { device, gate: { id: match.gateId, name: gate?.name ?? '', nameEn: gate?.nameEn ?? '' } };
}

/** A divergent copy reported by a tablet is kept, with both digests, for the office's alert. */
export function recordDivergence(tx: Tx, device: DeviceRow, reportedDigest: string | null, now: Date) {
  tx.insert(snapshotResyncs)
    .values({
      deviceId: device.id,
      at: now,
      cause: 'divergence',
      expectedDigest: device.snapshotDigest,
      reportedDigest,
    })
    .run();
}

/** What the server now expects the tablet to hold, and what the tablet said about itself. */
export function recordSnapshotServed(
  tx: Tx,
  deviceId: number,
  served: Pick<DeviceRow, 'lastSnapshotAt' | 'snapshotCursor' | 'snapshotDigest' | 'clockSkewMs'> & {
    appVersion?: string | undefined;
    outboxPending?: number | undefined;
    storage?: 'persisted' | 'evictable' | undefined;
  },
) {
  const { appVersion, outboxPending, storage, ...rest } = served;
  tx.update(devices)
    .set({
      ...rest,
      lastSeenAt: served.lastSnapshotAt,
      resyncRequestedAt: null,
      ...(appVersion ? { appVersion } : {}),
      ...(outboxPending !== undefined ? { outboxPending } : {}),
      ...(storage ? { storage } : {}),
    })
    .where(eq(devices.id, deviceId))
    .run();
}

/** A guard bound to this gate, with what a shift PIN check needs. */
export const guardOfGate = (db: Tx, userId: number, gateId: number) =>
  db
    .select({ id: users.id, displayName: users.displayName, pinHash: users.pinHash, disabledAt: users.disabledAt })
    .from(users)
    .innerJoin(userGates, and(eq(userGates.userId, users.id), eq(userGates.gateId, gateId)))
    .where(and(eq(users.id, userId), eq(users.role, 'guard')))
    .get();

/** The request's pass still in force, if any: what an approved emergency request gives the gate. */
export const livePassOf = (db: Tx, requestId: number) =>
  db
    .select({ id: passes.id })
    .from(passes)
    .where(and(eq(passes.requestId, requestId), isNull(passes.revokedAt)))
    .get();

import { and, desc, eq, max } from 'drizzle-orm';
import { apiTokens, deviceEnrollments, devices, snapshotResyncs } from '../db/schema';
import type { Tx } from '../db/open';

export type DeviceRow = typeof devices.$inferSelect;

export const listDevices = (db: Tx): DeviceRow[] => db.select().from(devices).orderBy(desc(devices.id)).all();

export const deviceById = (tx: Tx, id: number): DeviceRow | undefined =>
  tx.select().from(devices).where(eq(devices.id, id)).get();

/** When each tablet (or the one named) last held a copy that differed from the server's: one grouped read. */
export function lastDivergences(tx: Tx, deviceId?: number) {
  const rows = tx
    .select({ deviceId: snapshotResyncs.deviceId, at: max(snapshotResyncs.at) })
    .from(snapshotResyncs)
    .where(
      and(
        eq(snapshotResyncs.cause, 'divergence'),
        deviceId === undefined ? undefined : eq(snapshotResyncs.deviceId, deviceId),
      ),
    )
    .groupBy(snapshotResyncs.deviceId)
    .all();
  return new Map(rows.map((r) => [r.deviceId, r.at]));
}

export function insertEnrollmentCode(tx: Tx, code: typeof deviceEnrollments.$inferInsert) {
  tx.insert(deviceEnrollments).values(code).run();
}

/** A tablet's new name, on its row and on its token (the token list names tablets too). */
export function renameDevice(tx: Tx, d: DeviceRow, name: string) {
  tx.update(devices).set({ name }).where(eq(devices.id, d.id)).run();
  tx.update(apiTokens)
    .set({ name: `device:${name}` })
    .where(eq(apiTokens.id, d.apiTokenId))
    .run();
}

/** The office asks for a full snapshot on the tablet's next sync, and the request is kept with its cause. */
export function requestResync(tx: Tx, deviceId: number, userId: number | null, now: Date) {
  tx.update(devices).set({ resyncRequestedAt: now }).where(eq(devices.id, deviceId)).run();
  tx.insert(snapshotResyncs).values({ deviceId, at: now, cause: 'office', requestedByUserId: userId }).run();
}

/** A revoked tablet's token dies with it; revoking twice keeps the first time. */
export function revokeDevice(tx: Tx, d: DeviceRow, now: Date) {
  tx.update(devices)
    .set({ revokedAt: d.revokedAt ?? now })
    .where(eq(devices.id, d.id))
    .run();
  tx.update(apiTokens).set({ revokedAt: now }).where(eq(apiTokens.id, d.apiTokenId)).run();
}

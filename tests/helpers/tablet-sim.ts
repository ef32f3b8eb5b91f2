import { ok } from '../../server/domain/api-result';
import { eq } from 'drizzle-orm';
import { devices } from '../../server/db/schema';
import { mergeSnapshot, snapshotDigest } from '../../server/domain/snapshot-sync';
import { deriveKey } from '../../server/lib/secrets';
import { buildSnapshot, type Snapshot } from '../../server/kiosk/snapshot';
import type { TestApp } from './app';
import { enrollDevice } from './kiosk';

/**
 * A tablet as far as its copy of the passes goes: it syncs the way the kiosk does (cursor and
 * digest out, the kiosk's own merge in), so a test can compare its copy with the server's.
 */
export async function simulatedTablet(t: TestApp, gateId: number, officeCookie?: string) {
  const { token, deviceId } = await enrollDevice(t, gateId, officeCookie);
  let held: Snapshot | null = null;
  return {
    deviceId,
    gateId,
    token,
    get held() {
      return held;
    },
    /** One sync; answers the raw answer (full or incremental). */
    async sync() {
      const query = held
        ? { since: held.cursor, digest: snapshotDigest(held.passes, Date.parse(held.generatedAt)) }
        : {};
      const snapshot: Snapshot = await ok(t.client({ bearer: token }).kiosk.snapshot.$get({ query }));
      held = mergeSnapshot(held, snapshot);
      return snapshot;
    },
    /** Pretends the tablet's storage lost a pass (a bug, an eviction): for the divergence tests. */
    corrupt(mutate: (s: Snapshot) => Snapshot) {
      if (held) held = mutate(held);
    },
  };
}
export type SimulatedTablet = Awaited<ReturnType<typeof simulatedTablet>>;

/** What the tablet holds and what the server would send it in full now, as `id:revoked` lists. */
export function copies(t: TestApp, tablet: SimulatedTablet) {
  const device = t.db.select().from(devices).where(eq(devices.id, tablet.deviceId)).get();
  if (!device) throw new Error(`device ${tablet.deviceId} not found`);
  const truth = buildSnapshot(t.db, device, t.clock.now(), null, {
    memberCodes: deriveKey(t.idHashKey, 'member-codes'),
    nameLookup: deriveKey(t.idHashKey, 'name-lookup'),
  });
  const line = (p: { id: string; revoked: boolean }) => `${p.id}:${p.revoked ? 'revoked' : 'valid'}`;
  return { tablet: (tablet.held?.passes ?? []).map(line).sort(), server: truth.passes.map(line).sort() };
}

import { signal, type Signal } from '@preact/signals';
import type { Snapshot } from '../../../server/kiosk/snapshot';
import { ApiFailure, ok, type KioskApi } from './api';
import { verifyPin } from './pin';
import { KEYS, type KioskStorage } from './storage';

export interface Guard {
  id: number;
  displayName: string;
}

/** Offline PIN checks: this many wrong PINs lock the tablet's offline sign-in for a while. */
const OFFLINE_PIN_TRIES = 5;
const OFFLINE_PIN_LOCK_MS = 5 * 60_000;
/** A shift survives a reload (or a restart with no network) for this long, then the PIN is asked again. */
const SHIFT_MS = 12 * 3_600_000;

export interface ShiftDeps {
  store: KioskStorage;
  api: KioskApi;
  snapshot: Signal<Snapshot | null>;
  now: () => number;
  /** The PIN was checked offline: the server could not be reached. */
  wentOffline: () => void;
}

/** The guard on duty: started by PIN (checked by the server, or offline against the snapshot), kept across reloads. */
export function createShift(d: ShiftDeps) {
  const saved = d.store.read<Guard & { startedAt: number }>(KEYS.shift);
  const guard = signal<Guard | null>(
    saved && d.now() - saved.startedAt < SHIFT_MS ? { id: saved.id, displayName: saved.displayName } : null,
  );

  async function offline(userId: number, pin: string): Promise<Guard> {
    const fails = d.store.read<{ n: number; at: number }>(KEYS.pinFailures) ?? { n: 0, at: 0 };
    if (fails.n >= OFFLINE_PIN_TRIES && d.now() - fails.at < OFFLINE_PIN_LOCK_MS)
      throw new ApiFailure(429, 'rate_limited', 'Too many wrong PINs');
    const who = d.snapshot.value?.guards.find((g) => g.id === userId);
    if (!who?.pinVerifier || !(await verifyPin(pin, who.pinVerifier))) {
      d.store.write(KEYS.pinFailures, { n: fails.n >= OFFLINE_PIN_TRIES ? 1 : fails.n + 1, at: d.now() });
      throw new ApiFailure(401, 'invalid_pin', 'Wrong PIN, or not a guard of this gate');
    }
    d.store.remove(KEYS.pinFailures);
    d.wentOffline();
    return { id: who.id, displayName: who.displayName };
  }

  return {
    guard,
    /**
     * The server checks the PIN when it can be reached; with the gate offline, the tablet checks it
     * against the verifier in its snapshot, with its own lockout after repeated wrong PINs.
     */
    async start(userId: number, pin: string) {
      let g: Guard;
      try {
        g = await ok(d.api.kiosk.shift.$post({ json: { userId, pin } }));
      } catch (err) {
        // Only an unreachable server (or a proxy in front of a stopped one) falls back to the offline check.
        if (!(err instanceof ApiFailure) || (err.status !== 0 && err.status < 502)) throw err;
        g = await offline(userId, pin);
      }
      d.store.write(KEYS.shift, { ...g, startedAt: d.now() });
      guard.value = g;
    },
    end() {
      d.store.remove(KEYS.shift);
      guard.value = null;
    },
  };
}

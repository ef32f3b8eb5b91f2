import { signal, type Signal } from '@preact/signals';
import type { AdmissionInput, GateEventType, RecordedVerdict } from '../../../server/domain/admission';
import { uuidv7 } from '../../../server/domain/ids';
import { mergeSnapshot, snapshotDigest } from '../../../server/domain/snapshot-sync';
import type { Snapshot } from '../../../server/kiosk/snapshot';
import { ApiFailure, APP_VERSION, ok, type KioskApi } from './api';
import type { LocalUses } from './local-uses';
import type { Outbox } from './outbox';
import { KEYS, type KioskStorage } from './storage';

export interface Device {
  token: string;
  deviceId: number;
  gate: { id: number; name: string; nameEn: string };
}

const BATCH = 500;
/** After a failed drain: 1 s doubling to this. A gate is one tablet, so a minute's probe costs the server nothing. */
const MAX_BACKOFF_MS = 60_000;

export interface SyncDeps {
  store: KioskStorage;
  outbox: Outbox;
  api: KioskApi;
  uses: LocalUses;
  device: Signal<Device | null>;
  snapshot: Signal<Snapshot | null>;
  now: () => number;
  /** The browser's Web Locks: one drainer per tablet across tabs. Absent in unit tests and old browsers. */
  locks?: LockManager | undefined;
  /** The guard on duty, written into each event. */
  guardId: () => number | null;
  /** A snapshot was merged (the on-campus count starts again from the server's). */
  onSnapshot?: () => void;
  /** The server no longer knows this tablet: leave nothing behind. */
  onRevoked: () => Promise<void>;
}

/**
 * The tablet's link to the server: records events into the outbox, drains the outbox, and keeps
 * its snapshot up to date. Built with its dependencies, so it runs in Node against a real server.
 */
export function createSync(d: SyncDeps) {
  const online = signal(true);
  const pending = signal(0);
  /** While a backlog drains: how much of it has reached the server. */
  const progress = signal<{ done: number; total: number } | null>(null);
  /** The drain under way, if any: a second call joins it instead of starting another. */
  let draining: Promise<void> | null = null;
  let failures = 0;
  let retryAt = 0;

  /**
   * Pulls what changed since the snapshot the tablet holds (all of it the first time) and merges
   * it: changed passes replace their old copy, removed ones and those past the window drop out.
   * The digest of the copy held goes with the cursor: if it is not what the server sent, the
   * server answers in full (and tells the office).
   */
  async function refreshSnapshot() {
    if (!d.device.value) return;
    const started = d.uses.refreshStarting();
    try {
      const held = d.snapshot.value;
      const query = held
        ? { since: held.cursor, digest: snapshotDigest(held.passes, Date.parse(held.generatedAt)) }
        : {};
      const got = await ok(d.api.kiosk.snapshot.$get({ query }));
      const snap = mergeSnapshot(held, got);
      d.snapshot.value = snap;
      d.store.write(KEYS.snapshot, snap);
      d.uses.snapshotArrived(started);
      d.onSnapshot?.();
      // The link is back: send the outbox now rather than when the backoff runs out.
      if (!online.value) void drain({ force: true });
      online.value = true;
    } catch (err) {
      if (err instanceof ApiFailure && err.status === 401) await d.onRevoked();
      else online.value = false;
    }
  }

  /**
   * Sends the outbox in batches, oldest first, and removes only what the server answered for
   * (stored, already stored, or rejected with a reason). One drainer per tablet even with two tabs
   * open; after a failure it waits (exponential backoff) unless `force`d, as a snapshot that
   * arrives after a failure does: it proves the link is back.
   */
  function drain({ force = false } = {}): Promise<void> {
    if (draining) return draining;
    if (!d.device.value || (!force && d.now() < retryAt)) return Promise.resolve();
    const locks = d.locks;
    const run: Promise<void> = locks
      ? locks
          .request('gatehouse-outbox-drain', { ifAvailable: true }, async (lock) => {
            if (lock) await drainHere();
          })
          .then(() => undefined)
      : drainHere();
    const joined = run.finally(() => {
      draining = null;
    });
    draining = joined;
    return joined;
  }

  async function drainHere() {
    let sentAdmit = false;
    try {
      const total = await d.outbox.count();
      let done = 0;
      if (total > BATCH) progress.value = { done, total };
      for (;;) {
        const batch = await d.outbox.oldest(BATCH);
        if (batch.length === 0) break;
        const res = await ok(d.api.kiosk.events.$post({ json: { events: batch } }));
        const settled = new Set([
          ...res.acked,
          ...res.duplicates,
          ...res.rejected.flatMap((r) => (r.id ? [r.id] : [])),
        ]);
        await d.outbox.remove([...settled]);
        sentAdmit ||= d.uses.acknowledged(settled);
        done += settled.size;
        pending.value = Math.max(0, total - done);
        if (progress.value) progress.value = { done: Math.min(done, total), total };
        online.value = true;
        failures = 0;
        retryAt = 0;
        if (batch.length < BATCH) break;
      }
    } catch (err) {
      if (err instanceof ApiFailure && err.status === 401) await d.onRevoked();
      else {
        online.value = false;
        failures += 1;
        retryAt = d.now() + Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (failures - 1));
      }
    } finally {
      progress.value = null;
      pending.value = await d.outbox.count().catch(() => pending.value);
    }
    // The server now counts those admits: a fresh snapshot lets the tablet forget its own count.
    if (sentAdmit) await refreshSnapshot();
  }

  /**
   * Writes an event to the outbox under the tablet's next number and starts a drain. Resolves
   * once the outbox write has committed: only then is the event the tablet's record.
   */
  async function record(
    type: GateEventType,
    fields: {
      passId: string | null;
      memberId?: number | null;
      startedAt?: number;
      verdict?: RecordedVerdict | null;
      reasons?: string[];
      checks?: unknown[];
      input?: AdmissionInput | null;
    },
  ) {
    const draft = {
      id: uuidv7(d.now()),
      type,
      at: new Date(d.now()).toISOString(),
      startedAt: fields.startedAt ? new Date(fields.startedAt).toISOString() : null,
      guardUserId: d.guardId(),
      passId: fields.passId,
      memberId: fields.memberId ?? null,
      verdict: fields.verdict ?? null,
      reasons: fields.reasons ?? [],
      checks: fields.checks ?? [],
      input: fields.input ?? null,
      ruleVersion: d.snapshot.value?.rules.version ?? null,
      appVersion: APP_VERSION,
    };
    const floor = d.store.number(KEYS.seq);
    const event = await d.outbox.add(draft, floor);
    if (event.seq > floor) d.store.write(KEYS.seq, event.seq);
    pending.value += 1;
    void drain();
    return event;
  }

  void d.outbox.count().then(
    (n) => (pending.value = n),
    () => undefined,
  );

  return {
    online,
    pending,
    progress,
    refreshSnapshot,
    drain,
    record,
    /** When the next drain may start after failures (0: now); for the status bar and tests. */
    get retryAt() {
      return retryAt;
    },
  };
}
export type Sync = ReturnType<typeof createSync>;

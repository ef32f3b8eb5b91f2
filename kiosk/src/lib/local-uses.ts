import { signal } from '@preact/signals';
import { KEYS, type KioskStorage } from './storage';

/**
 * An admit on this tablet that the snapshot may not count yet. It stays counted until a snapshot
 * requested after the server acknowledged it arrives, so a single-use pass cannot be used twice
 * here in the window between the sync and the next snapshot.
 */
interface LocalAdmit {
  eventId: string;
  /** Set on acknowledgement: the number of snapshot requests started before it. */
  ackedBefore: number | null;
  /** An exit recorded here: it lowers the on-campus count until the snapshot counts it (absent: an admit). */
  exit?: true;
}

/** This tablet's own admits, counted beside the snapshot's until the snapshot counts them itself. */
export function createLocalUses(store: KioskStorage) {
  const usedHere = signal<Record<string, LocalAdmit[]>>(store.read(KEYS.used) ?? {});
  let refreshesStarted = store.number(KEYS.refreshes);
  const save = (next: Record<string, LocalAdmit[]>) => {
    usedHere.value = next;
    store.write(KEYS.used, next);
  };
  return {
    usedHere,
    /** Admits of a pass on this tablet the snapshot may not count yet. */
    count: (passId: string) => usedHere.value[passId]?.filter((a) => !a.exit).length ?? 0,
    /**
     * What this tablet's own admits and exits change in the campus's on-campus count until a snapshot
     * counts them; kept across reloads, so an offline restart does not lose them (10 → 6 before).
     */
    onCampusChange: () =>
      Object.values(usedHere.value).reduce((n, list) => n + list.reduce((m, a) => m + (a.exit ? -1 : 1), 0), 0),
    admitted(passId: string, eventId: string) {
      save({ ...usedHere.value, [passId]: [...(usedHere.value[passId] ?? []), { eventId, ackedBefore: null }] });
    },
    exited(passId: string, eventId: string) {
      save({
        ...usedHere.value,
        [passId]: [...(usedHere.value[passId] ?? []), { eventId, ackedBefore: null, exit: true }],
      });
    },
    /** Marks the admits the server acknowledged; answers whether there were any. */
    acknowledged(ids: Set<string>) {
      let any = false;
      const next = Object.fromEntries(
        Object.entries(usedHere.value).map(([passId, admits]) => [
          passId,
          admits.map((a) => {
            if (a.ackedBefore !== null || !ids.has(a.eventId)) return a;
            any = true;
            return { ...a, ackedBefore: refreshesStarted };
          }),
        ]),
      );
      if (any) save(next);
      return any;
    },
    /** A snapshot request begins: answers its number (kept across reloads). */
    refreshStarting() {
      const started = refreshesStarted++;
      store.write(KEYS.refreshes, refreshesStarted);
      return started;
    },
    /** The snapshot of request `started` is in: it counts every admit acknowledged before that request began. */
    snapshotArrived(started: number) {
      const keep = Object.entries(usedHere.value)
        .map(
          ([passId, admits]) =>
            [passId, admits.filter((a) => a.ackedBefore === null || a.ackedBefore > started)] as const,
        )
        .filter(([, admits]) => admits.length > 0);
      save(Object.fromEntries(keep));
    },
  };
}
export type LocalUses = ReturnType<typeof createLocalUses>;

import { signal } from '@preact/signals';
import { createApi } from '../../kiosk/src/lib/api';
import { createEntrantFlow } from '../../kiosk/src/lib/entrant';
import { createLocalUses } from '../../kiosk/src/lib/local-uses';
import type { Outbox, OutboxEvent } from '../../kiosk/src/lib/outbox';
import { KEYS, kioskStorage } from '../../kiosk/src/lib/storage';
import { createSync, type Device } from '../../kiosk/src/lib/sync';
import type { Snapshot } from '../../server/kiosk/snapshot';

/** The Web Storage interface over a Map: what the kiosk keeps in localStorage, in Node. */
export class MemoryStorage implements Storage {
  private readonly items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  clear() {
    this.items.clear();
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  key(i: number) {
    return [...this.items.keys()][i] ?? null;
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  setItem(key: string, value: string) {
    this.items.set(key, String(value));
  }
}

/**
 * The outbox's contract without IndexedDB: numbers allocated with the write, oldest first, and
 * `floor` honoured as the browser's outbox does (kiosk/src/lib/outbox.ts).
 */
export function memoryOutbox(): Outbox & { events: OutboxEvent[] } {
  const events: OutboxEvent[] = [];
  let seq = 0;
  return {
    events,
    async add(event, floor) {
      seq = Math.max(seq, floor) + 1;
      const stored = { ...event, seq };
      events.push(stored as unknown as OutboxEvent);
      return stored;
    },
    async oldest(limit) {
      return [...events].sort((a, b) => a.seq - b.seq).slice(0, limit);
    },
    async count() {
      return events.length;
    },
    async remove(ids) {
      const gone = new Set(ids);
      for (let i = events.length - 1; i >= 0; i--) if (gone.has(events[i]!.id)) events.splice(i, 1);
    },
    async wipe() {
      events.length = 0;
      seq = 0;
    },
  };
}

/**
 * The kiosk's sync, local use count and entrant flow as the tablet builds them, over memory
 * storage and outbox, talking to a server through `fetch` (a test app's, or a real socket's).
 */
export function nodeKiosk(
  device: Device,
  fetch: typeof globalThis.fetch,
  {
    storage = new MemoryStorage(),
    outbox = memoryOutbox(),
    now = () => Date.now(),
    baseUrl = 'http://localhost/',
  } = {},
) {
  const store = kioskStorage(storage);
  store.write(KEYS.device, device);
  const deviceSignal = signal<Device | null>(device);
  const snapshot = signal<Snapshot | null>(store.read<Snapshot>(KEYS.snapshot));
  const uses = createLocalUses(store);
  const api = createApi(
    () => deviceSignal.value?.token ?? null,
    () => 0,
    { baseUrl, fetch, now },
  );
  let revoked = 0;
  const sync = createSync({
    store,
    outbox,
    api,
    uses,
    device: deviceSignal,
    snapshot,
    now,
    guardId: () => null,
    onRevoked: async () => {
      revoked += 1;
      deviceSignal.value = null;
    },
  });
  const flow = createEntrantFlow({ snapshot, uses, record: sync.record, now });
  return {
    storage,
    outbox,
    snapshot,
    uses,
    sync,
    flow,
    get revoked() {
      return revoked;
    },
  };
}

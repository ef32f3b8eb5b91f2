/**
 * The tablet's outbox in IndexedDB. A decision counts as recorded on the tablet only once its
 * write transaction completes (durability 'strict': flushed to disk, not just to the OS).
 * Events leave the outbox only when the server has acknowledged them.
 */
const DB_NAME = 'gatehouse-kiosk';
const STORE = 'outbox';
const META = 'meta';

export interface OutboxEvent {
  id: string;
  seq: number;
  [k: string]: unknown;
}

/**
 * One connection for the tablet's life, opened at start (the first sync asks the outbox's size): a
 * scan's record then pays for its transaction only, not for opening the database (the first scan after
 * a shift starts used to pay for both, bench/kiosk.ts). Closed by the browser or for a wipe: reopened.
 */
let connection: Promise<IDBDatabase> | null = null;
function open(): Promise<IDBDatabase> {
  connection ??= new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 2);
    req.onupgradeneeded = () => {
      const store = req.result.objectStoreNames.contains(STORE)
        ? req.transaction!.objectStore(STORE)
        : req.result.createObjectStore(STORE, { keyPath: 'id' });
      if (!store.indexNames.contains('seq')) store.createIndex('seq', 'seq');
      if (!req.result.objectStoreNames.contains(META)) req.result.createObjectStore(META);
    };
    req.onsuccess = () => {
      const db = req.result;
      // Another tab upgrading or deleting the database, or the browser closing it: let go, reopen next time.
      db.onversionchange = () => {
        db.close();
        connection = null;
      };
      db.onclose = () => (connection = null);
      resolve(db);
    };
    req.onerror = () => {
      connection = null;
      reject(req.error);
    };
  });
  return connection;
}

function tx<T>(
  stores: string[],
  mode: IDBTransactionMode,
  run: (t: IDBTransaction) => IDBRequest<T> | (() => T) | void,
): Promise<T | undefined> {
  return open().then(
    (db) =>
      new Promise<T | undefined>((resolve, reject) => {
        const t = db.transaction(stores, mode, { durability: 'strict' });
        const req = run(t);
        t.oncomplete = () => {
          resolve(typeof req === 'function' ? req() : req ? req.result : undefined);
        };
        t.onerror = () => reject(t.error);
        t.onabort = () => reject(t.error);
      }),
  );
}

/** What the kiosk needs of an outbox: the IndexedDB one below in the browser, a memory one in unit tests. */
export interface Outbox {
  add<E extends Omit<OutboxEvent, 'seq'>>(event: E, floor: number): Promise<E & { seq: number }>;
  oldest(limit: number): Promise<OutboxEvent[]>;
  count(): Promise<number>;
  remove(ids: string[]): Promise<void>;
  wipe(): Promise<void>;
}

export const outbox: Outbox = {
  /**
   * Stores an event under the next sequence number, allocated in the same transaction: two tabs
   * never get the same number, and a number is used only if its event is stored. `floor` is a
   * high-water mark kept elsewhere (localStorage), so numbering continues after this database is
   * evicted and the server sees the hole.
   */
  add: <E extends Omit<OutboxEvent, 'seq'>>(event: E, floor: number) =>
    tx<E & { seq: number }>([STORE, META], 'readwrite', (t) => {
      let stored: (E & { seq: number }) | undefined;
      const meta = t.objectStore(META);
      const get = meta.get('seq');
      get.onsuccess = () => {
        const seq = Math.max(Number(get.result ?? 0), floor) + 1;
        stored = { ...event, seq };
        meta.put(seq, 'seq');
        t.objectStore(STORE).put(stored);
      };
      return () => stored!;
    }).then((e) => e!),
  /** The oldest events first, as the server expects a device's sequence. */
  oldest: (limit: number) =>
    tx<OutboxEvent[]>([STORE], 'readonly', (t) => t.objectStore(STORE).index('seq').getAll(null, limit)).then(
      (r) => r ?? [],
    ),
  count: () => tx<number>([STORE], 'readonly', (t) => t.objectStore(STORE).count()).then((n) => n ?? 0),
  remove: (ids: string[]) =>
    tx([STORE], 'readwrite', (t) => {
      for (const id of ids) t.objectStore(STORE).delete(id);
    }).then(() => undefined),
  wipe: async () => {
    const db = await connection?.catch(() => null);
    db?.close();
    connection = null;
    await new Promise<void>((resolve) => {
      const req = indexedDB.deleteDatabase(DB_NAME);
      req.onsuccess = req.onerror = req.onblocked = () => resolve();
    });
  },
};

/**
 * The tablet's outbox in IndexedDB. A decision counts as recorded on the tablet only once its
 * write transaction completes (durability 'strict': flushed to disk, not just to the OS).
 * Events leave the outbox only when the server has acknowledged them.
 */
const DB_NAME = 'gatehouse-kiosk';
const STORE = 'outbox';

export interface OutboxEvent {
  id: string;
  seq: number;
  [k: string]: unknown;
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'id' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function tx<T>(mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest<T> | void): Promise<T | undefined> {
  return open().then(
    (db) =>
      new Promise<T | undefined>((resolve, reject) => {
        const t = db.transaction(STORE, mode, { durability: 'strict' });
        const req = run(t.objectStore(STORE));
        t.oncomplete = () => {
          db.close();
          resolve(req ? req.result : undefined);
        };
        t.onerror = () => reject(t.error);
        t.onabort = () => reject(t.error);
      }),
  );
}

export const outbox = {
  put: (e: OutboxEvent) => tx('readwrite', (s) => s.put(e)).then(() => undefined),
  all: () => tx<OutboxEvent[]>('readonly', (s) => s.getAll()).then((r) => (r ?? []).sort((a, b) => a.seq - b.seq)),
  count: () => tx<number>('readonly', (s) => s.count()).then((n) => n ?? 0),
  remove: (ids: string[]) =>
    tx('readwrite', (s) => {
      for (const id of ids) s.delete(id);
    }).then(() => undefined),
  wipe: () =>
    new Promise<void>((resolve) => {
      const req = indexedDB.deleteDatabase(DB_NAME);
      req.onsuccess = req.onerror = req.onblocked = () => resolve();
    }),
};

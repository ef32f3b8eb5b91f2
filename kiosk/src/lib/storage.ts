/**
 * What the tablet keeps in localStorage, under one set of keys. Small things only: the device
 * credential, its snapshot, the shift, the event-number high-water mark and its own admits. The
 * outbox of decisions lives in IndexedDB (outbox.ts).
 */
export const KEYS = {
  lang: 'gatehouse.kiosk.lang',
  device: 'gatehouse.kiosk.device',
  seq: 'gatehouse.kiosk.seq',
  snapshot: 'gatehouse.kiosk.snapshot',
  used: 'gatehouse.kiosk.used.v2',
  refreshes: 'gatehouse.kiosk.refreshes',
  shift: 'gatehouse.kiosk.shift',
  pinFailures: 'gatehouse.kiosk.pin-failures',
} as const;
type Key = (typeof KEYS)[keyof typeof KEYS];

export function kioskStorage(storage: Storage) {
  return {
    /** A stored JSON value, or null when absent or unreadable (a half-written value is not trusted). */
    read<T>(key: Key): T | null {
      try {
        const raw = storage.getItem(key);
        return raw ? (JSON.parse(raw) as T) : null;
      } catch {
        return null;
      }
    },
    write(key: Key, value: unknown) {
      storage.setItem(key, JSON.stringify(value));
    },
    number(key: Key) {
      return Number(storage.getItem(key) ?? '0') || 0;
    },
    text(key: Key) {
      return storage.getItem(key);
    },
    remove(...keys: Key[]) {
      for (const k of keys) storage.removeItem(k);
    },
  };
}
export type KioskStorage = ReturnType<typeof kioskStorage>;

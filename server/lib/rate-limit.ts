/**
 * Counts what it is told per key in a fixed window, in memory: failed sign-ins per address (so an
 * office behind one NAT address is not locked out by its own successful logins), and sign-ins per
 * account. Once `limit` is reached, every attempt for that key is refused until the window ends. A restart forgetting
 * counts is acceptable, and keeping this off the database keeps attackers off the disk.
 */
export interface RateLimiter {
  /** Seconds to wait when the key is blocked, else null. */
  blockedFor(key: string, nowMs: number): number | null;
  record(key: string, nowMs: number): void;
}

export function createRateLimiter({
  limit,
  windowMs,
  maxKeys = 100_000,
}: {
  limit: number;
  windowMs: number;
  maxKeys?: number;
}): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  const current = (key: string, nowMs: number) => {
    const w = windows.get(key);
    if (w && nowMs - w.start < windowMs) return w;
    windows.delete(key);
    return null;
  };
  return {
    blockedFor(key, nowMs) {
      const w = current(key, nowMs);
      return w && w.count >= limit ? Math.max(1, Math.ceil((w.start + windowMs - nowMs) / 1000)) : null;
    },
    record(key, nowMs) {
      const w = current(key, nowMs);
      if (w) w.count += 1;
      else {
        if (windows.size >= maxKeys) windows.clear(); // bounded memory under a spray of addresses
        windows.set(key, { start: nowMs, count: 1 });
      }
    },
  };
}

/**
 * A fixed-window counter per key, in memory. Login throttling needs no durability: a restart
 * forgetting counts is acceptable, and keeping it off the database keeps attackers off the disk.
 */
export interface RateLimiter {
  /** Counts one attempt; answers whether it is allowed and, if not, how many seconds to wait. */
  hit(key: string, nowMs: number): { allowed: true } | { allowed: false; retryAfterSeconds: number };
  reset(key: string): void;
}

export function createRateLimiter({ limit, windowMs, maxKeys = 100_000 }: { limit: number; windowMs: number; maxKeys?: number }): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    hit(key, nowMs) {
      let w = windows.get(key);
      if (!w || nowMs - w.start >= windowMs) {
        if (windows.size >= maxKeys) windows.clear(); // bounded memory under a spray of addresses
        w = { start: nowMs, count: 0 };
        windows.set(key, w);
      }
      w.count += 1;
      if (w.count <= limit) return { allowed: true };
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((w.start + windowMs - nowMs) / 1000)) };
    },
    reset(key) {
      windows.delete(key);
    },
  };
}

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { uuidv7, uuidv7Time } from '../../server/domain/ids';

describe('uuidv7', () => {
  it('is an RFC 9562 version 7 id carrying the millisecond it was made', () => {
    const at = Date.parse('2026-11-23T08:15:30.123Z');
    const id = uuidv7(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidv7Time(id)).toBe(at);
    // The ingest schema's z.uuid() must take it, or every tablet's events would be rejected.
    expect(z.uuid().safeParse(id).success).toBe(true);
  });

  it('sorts by time, so later events land at the end of the primary key', () => {
    const times = [
      0,
      1,
      255,
      256,
      65_535,
      Date.parse('2026-01-01T00:00:00Z'),
      Date.parse('2026-11-23T00:00:00Z'),
      2 ** 48 - 1,
    ];
    const ids = times.map((t) => uuidv7(t));
    expect([...ids].sort()).toEqual(ids);
    expect(ids.map(uuidv7Time)).toEqual(times);
  });

  it('never repeats within one millisecond', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => uuidv7(1_700_000_000_000)));
    expect(ids.size).toBe(10_000);
  });
});

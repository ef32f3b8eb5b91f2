/**
 * Event ids are made by the tablets and are the primary key of `gate_events`, the table every
 * check-in is written to. RFC 9562 version 7 puts the Unix time in milliseconds in the first
 * 48 bits, so ids made later sort later: a synced batch lands in the last pages of the key's
 * B-tree instead of one random page per event, which is what a synchronous=FULL commit has to
 * write and sync (batches of 500 synced about a third faster, docs/benchmarks.md). The other
 * 74 bits are random, so two tablets in the same millisecond still never collide.
 *
 * getRandomValues rather than randomUUID: the kiosk may be served without a secure context.
 */
export function uuidv7(nowMs: number = Date.now()): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  let ms = Math.max(0, Math.floor(nowMs));
  for (let i = 5; i >= 0; i--) {
    b[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  b[6] = (b[6]! & 0x0f) | 0x70; // version 7
  b[8] = (b[8]! & 0x3f) | 0x80; // variant 10 (RFC 9562 §4.1)
  let h = '';
  for (const x of b) h += HEX[x];
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The millisecond a version 7 id was made (for tests and for reading ids in the field). */
export function uuidv7Time(id: string): number {
  return Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}

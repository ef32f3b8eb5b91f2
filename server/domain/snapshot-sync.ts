import { sha256 } from '@noble/hashes/sha2.js';

/**
 * How a tablet's copy of its gate's passes is kept and proven. Pure, shared by the kiosk (which
 * merges what the server sends and digests what it holds) and the server (which digests what the
 * tablet should hold and compares): one definition of "the same copy" on both sides.
 */

const DAY_MS = 86_400_000;
/** Passes that ended more than this long ago leave the tablet (and the snapshot). */
export const SNAPSHOT_BEHIND_MS = DAY_MS;
/** Passes that start within this long travel to the tablet (today and tomorrow, with margin). */
export const SNAPSHOT_AHEAD_MS = 2 * DAY_MS;

export interface SyncedPass {
  id: string;
  revoked: boolean;
  validFrom: string;
  validTo: string;
}

export interface SnapshotPage<P extends SyncedPass> {
  generatedAt: string;
  full: boolean;
  passes: P[];
  /** Passes deleted on the server since the cursor (tombstones): the tablet drops them. */
  removedPassIds: string[];
}

/** Whether a pass belongs in a tablet's copy at `atMs`: the time window the snapshot covers. */
export function inSnapshotWindow(p: Pick<SyncedPass, 'validFrom' | 'validTo'>, atMs: number) {
  return Date.parse(p.validTo) >= atMs - SNAPSHOT_BEHIND_MS && Date.parse(p.validFrom) <= atMs + SNAPSHOT_AHEAD_MS;
}

/**
 * The tablet's copy after an answer: a full answer replaces it; an incremental one replaces the
 * passes and members it carries, drops the removed passes and those past the time window too.
 */
export function mergeSnapshot<
  P extends SyncedPass,
  M extends readonly [number, ...unknown[]],
  S extends SnapshotPage<P> & { members?: M[] },
>(held: S | null, got: S): S {
  if (got.full || !held) return got;
  const byId = new Map(held.passes.map((p) => [p.id, p]));
  for (const p of got.passes) byId.set(p.id, p);
  for (const id of got.removedPassIds) byId.delete(id);
  const at = Date.parse(got.generatedAt);
  const merged = { ...got, passes: [...byId.values()].filter((p) => inSnapshotWindow(p, at)) };
  if (!got.members) return merged;
  // Members (a tuple, id first) are merged by id the same way: an incremental answer carries the changed ones.
  const members = new Map((held.members ?? []).map((m) => [m[0], m]));
  for (const m of got.members) members.set(m[0], m);
  return { ...merged, members: [...members.values()] };
}

/**
 * A digest of a copy as of `atMs`: how many passes are in the window and a SHA-256 over their ids
 * and revocation states, sorted. Entries used are left out on purpose: the tablet counts its own
 * admits before the server does, so they differ without anything being wrong.
 */
export function snapshotDigest(
  passes: readonly Pick<SyncedPass, 'id' | 'revoked' | 'validFrom' | 'validTo'>[],
  atMs: number,
): string {
  const lines = passes
    .filter((p) => inSnapshotWindow(p, atMs))
    .map((p) => `${p.id}:${p.revoked ? 1 : 0}`)
    .sort();
  const hash = sha256(new TextEncoder().encode(lines.join('\n')));
  return `${lines.length}.${Array.from(hash.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

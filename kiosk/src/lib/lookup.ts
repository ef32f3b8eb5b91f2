import { nameLookupDigest } from '../../../server/domain/name-lookup';
import type { SnapshotPass } from './entrant';

/**
 * The guard's manual lookup when a code cannot be scanned: the last four of an ID number (digits, or an
 * X), or a visitor's full name, found through the keyed digest the snapshot carries for each pass (the
 * tablet holds masked names only), or the part of a masked name typed (a family name). Revoked passes
 * are offered only on the way out.
 */
export function findPasses(
  passes: readonly SnapshotPass[],
  query: string,
  lookupKey: Uint8Array | null,
  { leaving = false, limit = 6 } = {},
) {
  const q = query.trim();
  if (!q) return [];
  // On the way out every holder counts: a revoked pass's holder still has to leave.
  const live = leaving ? [...passes] : passes.filter((p) => !p.revoked);
  if (/^[\dXx]{4}$/.test(q)) return live.filter((p) => p.visitor.idLast4 === q.toUpperCase()).slice(0, limit);
  // The full name, by its digest, first; then masked names containing what was typed (a family name: 周 → 周*).
  const digest = lookupKey && q.length >= 2 ? nameLookupDigest(lookupKey, q) : null;
  const exact = digest ? live.filter((p) => p.visitor.nameKey === digest) : [];
  const partial = live.filter((p) => !exact.includes(p) && p.visitor.name.includes(q));
  return [...exact, ...partial].slice(0, limit);
}

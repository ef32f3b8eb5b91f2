import { nameLookupDigest } from '../../../server/domain/name-lookup';
import type { SnapshotPass } from './entrant';

/**
 * The guard's manual lookup when a code cannot be scanned: the last four of an ID number (digits, or an
 * X), or a visitor's full name, found through the keyed digest the snapshot carries for each pass (the
 * tablet holds masked names only). Revoked passes are offered only on the way out.
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
  if (!lookupKey || q.length < 2) return [];
  const digest = nameLookupDigest(lookupKey, q);
  return live.filter((p) => p.visitor.nameKey === digest).slice(0, limit);
}

import { ApiError, notFound } from '../lib/errors';
import type { Principal } from '../lib/context';
import { requestById } from './store';
import type { Tx } from '../db/open';

/**
 * Loads a request the caller may see: the office sees all; a filer (or a department token) only
 * its own department's. Another department's id answers 404, the same as a missing one, so ids
 * cannot be probed.
 */
export function loadVisibleRequest(db: Tx, p: Principal, id: number) {
  const r = requestById(db, id);
  if (!r || (p.role === 'filer' && r.departmentId !== p.departmentId)) throw notFound(`Request ${id}`);
  if (p.role !== 'filer' && p.role !== 'office') throw new ApiError(403, 'forbidden', 'Your role may not see requests');
  return r;
}

export function filerDepartment(p: Principal): number {
  if (p.role !== 'filer' || p.departmentId == null)
    throw new ApiError(403, 'forbidden', 'Only a department filer may file');
  return p.departmentId;
}

import { and, eq, isNull, sql } from 'drizzle-orm';
import { devices } from '../db/schema';
import { ApiError } from '../lib/errors';
import { createMiddleware } from 'hono/factory';
import type { AppEnv, Principal } from '../lib/context';
import type { Db } from '../db/open';

type Device = typeof devices.$inferSelect;
const found = new WeakMap<Principal, Device>();
const prepared = new WeakMap<Db['$client'], ReturnType<typeof prepare>>();
// Every tablet call resolves its device: prepared once per connection, as the token lookup is.
const prepare = (db: Db) => db.select().from(devices).where(and(eq(devices.apiTokenId, sql.placeholder('tokenId')), isNull(devices.revokedAt))).prepare();
function byToken(db: Db) {
  let s = prepared.get(db.$client);
  if (!s) prepared.set(db.$client, (s = prepare(db)));
  return { get: (tokenId: number): Device | undefined => s.get({ tokenId }) };
}

/**
 * The tablet behind a bearer token; anything else calling a kiosk route is refused. Looked up
 * once per request (the route guard and the handler share it).
 */
export function deviceOf(db: Db, p: Principal) {
  const known = found.get(p);
  if (known) return known;
  const d = p.kind === 'token' && p.tokenId != null ? byToken(db).get(p.tokenId) : undefined;
  if (!d) throw new ApiError(403, 'not_a_device', 'This route is for enrolled gate tablets');
  found.set(p, d);
  return d;
}

/** Route guard for tablet-only routes: runs before validation, like requireRole. */
export const requireDevice = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const p = c.get('principal');
    if (!p) throw new ApiError(401, 'unauthenticated', 'Enroll this tablet first');
    deviceOf(c.get('deps').db, p);
    await next();
  });

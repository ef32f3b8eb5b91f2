import { and, eq, isNull } from 'drizzle-orm';
import { devices } from '../db/schema';
import { ApiError } from '../lib/errors';
import { createMiddleware } from 'hono/factory';
import type { AppEnv, Principal } from '../lib/context';
import type { Db } from '../db/open';

/** The tablet behind a bearer token; anything else calling a kiosk route is refused. */
export function deviceOf(db: Pick<Db, 'select'>, p: Principal) {
  const d = p.kind === 'token' && p.tokenId != null ? db.select().from(devices).where(and(eq(devices.apiTokenId, p.tokenId), isNull(devices.revokedAt))).get() : undefined;
  if (!d) throw new ApiError(403, 'not_a_device', 'This route is for enrolled gate tablets');
  return d;
}

/** Route guard for tablet-only routes: runs before validation, like requireRole. */
export const requireDevice = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const p = c.var.principal;
    if (!p) throw new ApiError(401, 'unauthenticated', 'Enroll this tablet first');
    deviceOf(c.var.deps.db, p);
    await next();
  });

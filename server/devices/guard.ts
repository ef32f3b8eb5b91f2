import { createMiddleware } from 'hono/factory';
import { ApiError } from '../lib/errors';
import type { AppEnv, Principal } from '../lib/context';

/**
 * The tablet behind the caller's bearer token (the authenticate middleware finds it with the
 * token, in one lookup); anything else calling a kiosk route is refused.
 */
export function deviceOf(p: Principal) {
  if (!p.device) throw new ApiError(403, 'not_a_device', 'This route is for enrolled gate tablets');
  return p.device;
}

/** Route guard for tablet-only routes: runs before validation, like requireRole. */
export const requireDevice = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const p = c.get('principal');
    if (!p) throw new ApiError(401, 'unauthenticated', 'Enroll this tablet first');
    deviceOf(p);
    await next();
  });

import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { ApiError } from '../lib/errors';
import type { AppEnv } from '../lib/context';
import { SESSION_COOKIE } from './auth';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Guards writes against cross-site requests. Hono's csrf() only checks form content types,
 * so a cross-site fetch with a JSON body would pass it; instead:
 * 1. every write to the API must be `application/json` (or multipart on import routes), which a
 *    cross-site HTML form cannot send and a cross-site fetch cannot send without a CORS preflight;
 * 2. a write carrying the session cookie must come with an Origin we serve (OWASP CSRF cheat sheet,
 *    "Verifying Origin with standard headers").
 */
export const originGuard = ({
  allowedOrigins = [] as string[],
  multipartPaths = [] as RegExp[],
  /** Behind our own TLS proxy the request reaches us as http://; X-Forwarded-Proto says what the browser used. */
  trustProxy = false,
} = {}) =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (SAFE.has(c.req.method)) return next();

    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const hasBody =
      c.req.header('content-length') !== '0' &&
      (c.req.header('content-length') !== undefined || c.req.header('transfer-encoding') !== undefined || type !== '');
    const multipartOk = type === 'multipart/form-data' && multipartPaths.some((r) => r.test(c.req.path));
    if (hasBody && type !== 'application/json' && !multipartOk) {
      throw new ApiError(415, 'unsupported_media_type', 'Send the request body as application/json');
    }

    if (getCookie(c, SESSION_COOKIE) && !c.req.header('authorization')) {
      const origin = c.req.header('origin');
      const url = new URL(c.req.url);
      const proto = trustProxy ? c.req.header('x-forwarded-proto') : undefined;
      if (proto === 'https' || proto === 'http') url.protocol = `${proto}:`;
      const own = url.origin;
      if (!origin || (origin !== own && !allowedOrigins.includes(origin))) {
        throw new ApiError(
          403,
          'cross_site_request',
          'This write must come from a Gatehouse page (Origin check failed)',
        );
      }
    }
    return next();
  });

import { createMiddleware } from 'hono/factory';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from '../lib/context';

/** Pages (the kiosk, the admin app, the visitor's pass): the full set, with a strict CSP. */
const pageHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    // html5-qrcode and Preact set element styles; no inline <script> is ever allowed.
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:', 'blob:'],
    mediaSrc: ["'self'", 'blob:', 'mediastream:'],
    connectSrc: ["'self'"],
    workerSrc: ["'self'"],
    manifestSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    frameAncestors: ["'none'"],
    formAction: ["'self'"],
  },
  // The kiosk scans with the camera of its own origin; nobody else may.
  permissionsPolicy: { camera: ['self'], microphone: [], geolocation: [] },
  crossOriginEmbedderPolicy: false,
});

/**
 * API answers are JSON (or a file download), never a page, so they carry the headers the OWASP
 * REST Security Cheat Sheet ("Security Headers") lists for every API response, and not the ones
 * that only mean something to an HTML document. `no-store` matters here: answers hold visitors'
 * names and a shared office PC's cache must not keep them. Fewer headers is also less work on
 * every tablet sync (docs/benchmarks.md, ingest).
 */
const API_HEADERS: [string, string][] = [
  ['Cache-Control', 'no-store'],
  ['Content-Security-Policy', "frame-ancestors 'none'"],
  ['Strict-Transport-Security', 'max-age=15552000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
  ['Referrer-Policy', 'no-referrer'],
];

export const securityHeaders = ({ apiPrefix = '/api/' } = {}) =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (!c.req.path.startsWith(apiPrefix)) return pageHeaders(c, next);
    await next();
    // After the handler, on whatever it answered (exports build their own Response); a header
    // the handler chose itself, such as the event stream's Cache-Control, is kept.
    const headers = c.res.headers;
    for (const [name, value] of API_HEADERS) if (!headers.has(name)) headers.set(name, value);
  });

import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError } from './lib/errors';
import type { AppEnv } from './lib/context';

/**
 * Serves a built single-page app under `/<name>/`: files as they are, every other path
 * the app's index.html (client-side routing). Hashed assets are cached for a year;
 * index.html is never cached, so a tablet picks up a new build on its next load.
 */
export function spaRoutes(name: 'kiosk' | 'admin', rootDir: string) {
  const mountedAt = `/${name}`;
  const dist = join(rootDir, name, 'dist');
  const app = new Hono<AppEnv>();
  if (!existsSync(join(dist, 'index.html'))) {
    return app.all('*', () => {
      throw new ApiError(503, 'frontend_not_built', `The ${name} app is not built; run npm run build`);
    });
  }
  const strip = new RegExp(`^${mountedAt}`);
  app.use('*', async (c, next) => {
    await next();
    if (c.res.ok) {
      c.header('Cache-Control', c.req.path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      // Every text file has brotli and gzip twins: a cache must key on the encoding asked for.
      if (!/accept-encoding/i.test(c.res.headers.get('Vary') ?? ''))
        c.header('Vary', 'Accept-Encoding', { append: true });
    }
  });
  // The build wrote .br and .gz beside each text file (vite-precompress.ts): sent as they are, no CPU per request.
  app.use('*', serveStatic({ root: dist, precompressed: true, rewriteRequestPath: (p) => p.replace(strip, '') }));
  app.get('*', serveStatic({ root: dist, path: 'index.html', precompressed: true }));
  return app;
}

/**
 * The visitor's own page, at `/v/<link>`: its own small entry of the admin build (visit.html, no
 * admin shell), and its service worker at `/v/sw.js` so the page and the last answer for the link
 * open again without signal at the gate.
 */
export function visitPageRoutes(rootDir: string) {
  const dist = join(rootDir, 'admin', 'dist');
  const app = new Hono<AppEnv>();
  if (!existsSync(join(dist, 'visit.html'))) {
    return app.all('*', () => {
      throw new ApiError(503, 'frontend_not_built', 'The admin app is not built; run npm run build');
    });
  }
  app.use('*', async (c, next) => {
    await next();
    if (c.res.ok) c.header('Cache-Control', 'no-cache');
  });
  app.get('/sw.js', serveStatic({ root: dist, path: 'visit-sw.js', precompressed: true }));
  app.get('*', serveStatic({ root: dist, path: 'visit.html', precompressed: true }));
  return app;
}

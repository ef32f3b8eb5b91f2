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
export function spaRoutes(name: 'kiosk' | 'admin', rootDir: string, mountedAt = `/${name}`) {
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
    if (c.res.ok)
      c.header('Cache-Control', c.req.path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
  });
  app.use('*', serveStatic({ root: dist, rewriteRequestPath: (p) => p.replace(strip, '') }));
  app.get('*', serveStatic({ root: dist, path: 'index.html' }));
  return app;
}

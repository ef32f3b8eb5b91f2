import { compress } from 'hono/compress';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../lib/context';

/**
 * gzip for API answers above `threshold` bytes (the tablet's snapshot, lists, exports), when the client
 * accepts it. Hono's compress() can only hold to its threshold when a response states its length, and
 * c.json() does not: this states it first. The live wall's event stream is left alone by compress()
 * itself (its content-type filter excludes text/event-stream; tests/e2e/delivery.test.ts checks).
 */
export function compressJson(threshold = 1024) {
  const gzip = compress({ encoding: 'gzip', threshold });
  return createMiddleware<AppEnv>(async (c, next) => {
    await gzip(c, async () => {
      await next();
      const type = c.res.headers.get('Content-Type') ?? '';
      if (!/^application\/json/i.test(type) || c.res.headers.has('Content-Length') || !c.res.body) return;
      const body = await c.res.arrayBuffer();
      c.res = new Response(body, c.res);
      c.res.headers.set('Content-Length', String(body.byteLength));
    });
  });
}

import Database from 'better-sqlite3';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollOverApi, setupGateWorld, type GateWorld } from '../helpers/gate';
import { quickRefusalEvent } from '../helpers/kiosk';
import { nodeKiosk } from '../helpers/kiosk-node';
import { startServer, type RunningServer } from '../helpers/server';

let server: RunningServer;
let w: GateWorld;
beforeAll(async () => {
  server = await startServer();
  w = await setupGateWorld(server);
});
afterAll(async () => server?.cleanup());

/**
 * A proxy in front of the server that, for every third of the tablets' sync calls, lets the request
 * through, waits for the server's answer (so the batch is committed), and then cuts the
 * connection instead of passing the answer on: the tablet sees a network error.
 */
function flakyProxy(target: string, dropEvery: number) {
  const stats = { forwarded: 0, dropped: 0 };
  let syncs = 0;
  const proxy: Server = createServer((req, res) => {
    const up = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (upRes) => {
      const chunks: Buffer[] = [];
      upRes.on('data', (c: Buffer) => chunks.push(c));
      upRes.on('end', () => {
        stats.forwarded += 1;
        // The first sync call and every `dropEvery`-th after it lose their answer: the same run every time.
        if (req.url?.endsWith('/kiosk/events') && syncs++ % dropEvery === 0) {
          stats.dropped += 1;
          res.socket?.destroy();
          return;
        }
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        res.end(Buffer.concat(chunks));
      });
    });
    up.on('error', () => res.socket?.destroy());
    req.pipe(up);
  });
  return { proxy, stats };
}

describe('a flaky network', () => {
  it('stores exactly one row per event when a third of the answers are lost after the commit', async () => {
    const { proxy, stats } = flakyProxy(server.url, 3);
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      const tablet = await enrollOverApi(w);
      // The kiosk's own drain (kiosk/src/lib/sync.ts), over real HTTP through the proxy.
      const kiosk = nodeKiosk(
        { token: tablet.token, deviceId: tablet.deviceId, gate: { id: w.northId, name: '北门', nameEn: 'North Gate' } },
        fetch,
        { baseUrl: `${url}/` },
      );
      for (let i = 1; i <= 1000; i++) await kiosk.outbox.add(quickRefusalEvent(i, 'food_delivery'), 0);
      let attempts = 0;
      while (kiosk.outbox.events.length > 0 && attempts < 500) {
        attempts += 1;
        await kiosk.sync.drain({ force: true });
      }
      const outbox = kiosk.outbox.events;
      expect(outbox).toEqual([]);
      expect(stats.dropped).toBeGreaterThan(0);
      const db = new Database(server.databasePath, { readonly: true });
      const counts = db
        .prepare(
          'select count(*) n, count(distinct id) d, min(seq) lo, max(seq) hi from gate_events where device_id = ?',
        )
        .get(tablet.deviceId);
      db.close();
      expect(counts).toEqual({ n: 1000, d: 1000, lo: 1, hi: 1000 });
      console.log(`flaky network: ${attempts} drains, ${stats.dropped} answers dropped after commit, 1000 rows`);
    } finally {
      proxy.close();
    }
  });
});

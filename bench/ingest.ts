import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { uuidv7 } from '../server/domain/ids';
import { createTestApp } from '../tests/helpers/app';
import { enrollDevice, decisionEvent } from '../tests/helpers/kiosk';
import { row, timeEach } from './lib';

const SQL = `insert into gate_events (id, device_id, gate_id, seq, type, at, received_at, guard_user_id, pass_id, verdict, reasons, checks, input, rule_version, server_verdict, disagreement)
  values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0) on conflict (id) do nothing`;

/**
 * Check-in ingest against a baseline measured in the same run: a bare Hono route that parses
 * the same JSON and does the same insert, in one transaction, on the same SQLite file with the
 * same durability (synchronous=FULL). Ours adds the device's bearer token, validation of every
 * event, the engine re-run and the duplicate check.
 */
export async function benchIngest() {
  const t = createTestApp({ now: new Date().toISOString() });
  const gateId = t.campus.gateIds.north;
  const devices = await Promise.all(Array.from({ length: 22 }, () => enrollDevice(t, gateId)));
  const bareDevice = devices[0]!;
  const insert = t.sqlite.prepare(SQL);
  const bare = new Hono();
  bare.post('/events', async (c) => {
    const { events } = (await c.req.json()) as { events: ReturnType<typeof decisionEvent>[] };
    const now = Date.now();
    t.sqlite.transaction(() => {
      for (const e of events) insert.run(e.id, bareDevice.deviceId, gateId, e.seq, e.type, Date.parse(e.at), now, null, null, e.verdict, '[]', '[]', JSON.stringify(e.input), 1, null);
    })();
    return c.json({ acked: events.map((e) => e.id) });
  });

  const seqs = new Map<string, number>();
  const batch = (token: string, n: number) => {
    const start = seqs.get(token) ?? 0;
    seqs.set(token, start + n);
    return JSON.stringify({ events: Array.from({ length: n }, (_, i) => decisionEvent(start + i + 1, { id: uuidv7(), at: new Date().toISOString() })) });
  };
  const post = (app: { request: typeof t.app.request }, path: string, token: string, body: string) =>
    app.request(`http://localhost${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), authorization: `Bearer ${token}` }, body });
  const ours = devices[1]!;

  const rate = (s: number[]) => s.length / s.reduce((a, x) => a + x, 0);
  const compareSingle = async (label: string, sendBare: (body: string) => Promise<Response>, sendOurs: (body: string) => Promise<Response>, n: number) => {
    for (let i = 0; i < 200; i++) {
      await sendBare(batch(bareDevice.token, 1));
      await sendOurs(batch(ours.token, 1));
    }
    // Interleaved rounds, so a slow patch of the disk or the machine hits both sides alike.
    const base: number[] = [];
    const mine: number[] = [];
    for (let round = 0; round < 4; round++) {
      base.push(...(await timeEach(n / 4, () => sendBare(batch(bareDevice.token, 1)))));
      mine.push(
        ...(await timeEach(n / 4, async () => {
          const res = await sendOurs(batch(ours.token, 1));
          if (res.status !== 200) throw new Error(`ingest answered ${res.status}`);
          await res.arrayBuffer();
        })),
      );
    }
    base.sort((a, b) => a - b);
    mine.sort((a, b) => a - b);
    console.log(`\nPOST one check-in per request, ${label}, synchronous=FULL, file on disk`);
    row('baseline: bare Hono + same insert', base);
    row('Gatehouse: POST /api/v1/kiosk/events', mine);
    console.log(`single-event throughput ratio Gatehouse / baseline: ${(rate(mine) / rate(base)).toFixed(2)}× (target ≥ 0.8×)`);
  };
  const headers = (token: string, body: string) => ({ 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), authorization: `Bearer ${token}` });
  await compareSingle(
    'in process (app.request)',
    (body) => Promise.resolve(bare.request('http://localhost/events', { method: 'POST', headers: headers(bareDevice.token, body), body })),
    (body) => Promise.resolve(t.app.request('http://localhost/api/v1/kiosk/events', { method: 'POST', headers: headers(ours.token, body), body })),
    2000,
  );
  const listen = async (fetch: (r: Request) => Response | Promise<Response>) => {
    const s = serve({ fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => s.once('listening', r));
    return { server: s, url: `http://127.0.0.1:${(s.address() as AddressInfo).port}` };
  };
  const bareHttp = await listen(bare.fetch);
  const ourHttp = await listen(t.app.fetch);
  await compareSingle(
    'over HTTP on loopback (keep-alive), as tablets send',
    (body) => fetch(`${bareHttp.url}/events`, { method: 'POST', headers: headers(bareDevice.token, body), body }),
    (body) => fetch(`${ourHttp.url}/api/v1/kiosk/events`, { method: 'POST', headers: headers(ours.token, body), body }),
    2000,
  );
  bareHttp.server.close();

  console.log('\nPOST batches of 500 check-ins, synchronous=FULL');
  const bodies = Array.from({ length: 40 }, () => batch(ours.token, 500));
  const baseBodies = Array.from({ length: 40 }, () => batch(bareDevice.token, 500));
  const baseBatch = await timeEach(40, (i) => post(bare, '/events', bareDevice.token, baseBodies[i]!));
  const ourBatch = await timeEach(40, (i) => post(t.app, '/api/v1/kiosk/events', ours.token, bodies[i]!));
  row('baseline: bare Hono + same insert', baseBatch, `= ${(rate(baseBatch) * 500 * 1000).toFixed(0)} events/s`);
  row('Gatehouse: POST /api/v1/kiosk/events', ourBatch, `= ${(rate(ourBatch) * 500 * 1000).toFixed(0)} events/s (target ≥ 30,000)`);

  // Over real HTTP: 20 tablets each with 500 queued events sync at once, in batches of 500.
  const url = `${ourHttp.url}/api/v1/kiosk/events`;
  const send = async (token: string, body: string) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
    const json = (await res.json()) as { acked: string[]; duplicates: string[] };
    return json.acked.length + json.duplicates.length;
  };
  const tablets = devices.slice(2, 22);
  const queued = tablets.map((d) => ({ d, body: batch(d.token, 500) }));
  const before = (t.sqlite.prepare('select count(*) as n from gate_events').get() as { n: number }).n;
  let start = performance.now();
  const acked = await Promise.all(queued.map(({ d, body }) => send(d.token, body)));
  const drainMs = performance.now() - start;
  const after = (t.sqlite.prepare('select count(*) as n from gate_events').get() as { n: number }).n;
  console.log(`\n20 tablets × 500 queued events at once over HTTP: ${drainMs.toFixed(0)} ms, ${acked.reduce((a, b) => a + b, 0)} acknowledged, ${after - before} rows stored (expected 10000)`);

  // One tablet back after an 8-hour outage: 5,000 events, drained in batches of 500 as the kiosk does.
  const backlog = Array.from({ length: 10 }, () => batch(tablets[0]!.token, 500));
  start = performance.now();
  for (const body of backlog) await send(tablets[0]!.token, body);
  console.log(`one tablet's 5,000-event backlog over HTTP in batches of 500: ${(performance.now() - start).toFixed(0)} ms (target ≤ 5,000 ms)`);
  ourHttp.server.close();
  t.cleanup();
}

import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { uuidv7 } from '../server/domain/ids';
import { createTestApp } from '../tests/helpers/app';
import { enrollDevice, decisionEvent } from '../tests/helpers/kiosk';
import { createHttpClient } from './http-client';
import { row } from './lib';

const SQL = `insert into gate_events (id, device_id, gate_id, seq, type, at, received_at, guard_user_id, pass_id, verdict, reasons, checks, input, rule_version, server_verdict, disagreement)
  values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0) on conflict (id) do nothing`;

/** Passes valid now at the gate, inserted directly (one visitor holds them all: only the passes matter here). */
function seedPasses(t: ReturnType<typeof createTestApp>, gateId: number, n: number) {
  const now = Date.now();
  const r = t.sqlite
    .prepare(
      `insert into visit_requests (department_id, filed_by_label, status, visit_date_from, visit_date_to, time_from, time_to, gate_ids, purpose, destination, escort_name, escort_phone, rule_version, created_at, updated_at)
      values (?, 'bench', 'approved', '2026-01-01', '2026-01-01', '00:00', '23:59', ?, 'bench', 'bench', 'bench', '13900000000', 1, ?, ?)`,
    )
    .run(t.campus.departmentIds.cs, JSON.stringify([gateId]), now, now);
  const v = t.sqlite
    .prepare(
      `insert into visitors (request_id, name, name_norm, id_type, id_hash, id_last4, phone, from_region, visited_regions, close_contact, out_of_city, checks, link_token)
      values (?, 'bench', 'bench', 'resident_id', 'h', '0000', '138', '410105', '[]', 0, 0, '[]', 'bench-link-token-0000000000')`,
    )
    .run(r.lastInsertRowid);
  const insert = t.sqlite.prepare(
    `insert into passes (id, visitor_id, request_id, kid, token, code_secret, valid_from, valid_to, gate_ids, entries_allowed, printable, created_at) values (?, ?, ?, 1, 't', 's', ?, ?, ?, 1, 0, ?)`,
  );
  const ids = Array.from({ length: n }, (_, i) => i.toString(16).padStart(16, '0'));
  t.sqlite.transaction(() => {
    for (const id of ids)
      insert.run(
        id,
        v.lastInsertRowid,
        r.lastInsertRowid,
        now - 3_600_000,
        now + 8 * 3_600_000,
        JSON.stringify([gateId]),
        now,
      );
  })();
  return ids;
}

/**
 * Check-in ingest against a baseline measured in the same run: a bare Hono route that parses
 * the same JSON and does the same insert, in one transaction, on the same SQLite file with the
 * same durability (synchronous=FULL). Ours adds the device's bearer token and its revocation
 * check, validation of every event, the engine re-run, the duplicate check and the device's
 * last contact.
 *
 * Measured over HTTP with the client in its own thread (tablets are other machines), and in
 * process with app.request (no HTTP stack on either side), rounds interleaved so a slow patch
 * of this shared machine hits both sides alike. Throughput is also measured the way a server
 * meets it: several tablets posting at once.
 */
export async function benchIngest() {
  const t = createTestApp({ now: new Date().toISOString() });
  const gateId = t.campus.gateIds.north;
  const devices = await Promise.all(Array.from({ length: 26 }, () => enrollDevice(t, gateId)));
  const bareDevice = devices[0]!;
  const insert = t.sqlite.prepare(SQL);
  const bare = new Hono();
  bare.post('/events', async (c) => {
    const { events } = (await c.req.json()) as { events: ReturnType<typeof decisionEvent>[] };
    const now = Date.now();
    t.sqlite.transaction(() => {
      for (const e of events)
        insert.run(
          e.id,
          bareDevice.deviceId,
          gateId,
          e.seq,
          e.type,
          Date.parse(e.at),
          now,
          null,
          null,
          e.verdict,
          '[]',
          '[]',
          JSON.stringify(e.input),
          1,
          null,
        );
    })();
    return c.json({ acked: events.map((e) => e.id) });
  });

  const seqs = new Map<string, number>();
  const batch = (token: string, n: number) => {
    const start = seqs.get(token) ?? 0;
    seqs.set(token, start + n);
    return JSON.stringify({
      events: Array.from({ length: n }, (_, i) =>
        decisionEvent(start + i + 1, { id: uuidv7(), at: new Date().toISOString() }),
      ),
    });
  };
  const ours = devices[1]!;

  const rate = (s: number[]) => s.length / s.reduce((a, x) => a + x, 0);
  // One request to the baseline, then one to ours, and so on: a slow patch of this shared
  // machine (they come and go within seconds) hits both sides alike.
  type Alternate = (pairs: { bare: string; ours: string }[]) => Promise<{ bare: number[]; ours: number[] }>;
  const compare = async (
    what: string,
    label: string,
    alternate: Alternate,
    n: number,
    size: number,
    target: (base: number[], mine: number[]) => void,
  ) => {
    const pairs = (k: number) =>
      Array.from({ length: k }, () => ({ bare: batch(bareDevice.token, size), ours: batch(ours.token, size) }));
    await alternate(pairs(Math.ceil(n / 8))); // warm-up
    const { bare: base, ours: mine } = await alternate(pairs(n));
    base.sort((a, b) => a - b);
    mine.sort((a, b) => a - b);
    console.log(`\n${what}, ${label}, synchronous=FULL, file on disk`);
    target(base, mine);
  };
  const single = (base: number[], mine: number[]) => {
    row('baseline: bare Hono + same insert', base);
    row('Gatehouse: POST /api/v1/kiosk/events', mine);
    console.log(
      `single-event throughput ratio Gatehouse / baseline: ${(rate(mine) / rate(base)).toFixed(2)}× (target ≥ 0.8×)`,
    );
  };
  const batched = (base: number[], mine: number[]) => {
    row('baseline: bare Hono + same insert', base, `= ${(rate(base) * 500 * 1000).toFixed(0)} events/s`);
    row(
      'Gatehouse: POST /api/v1/kiosk/events',
      mine,
      `= ${(rate(mine) * 500 * 1000).toFixed(0)} events/s (target ≥ 30,000)`,
    );
  };
  const headers = (token: string, body: string) => ({
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    authorization: `Bearer ${token}`,
  });
  const timed = async (app: { request: typeof t.app.request }, path: string, token: string, body: string) => {
    const start = performance.now();
    const res = await app.request(`http://localhost${path}`, { method: 'POST', headers: headers(token, body), body });
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
    await res.arrayBuffer();
    return performance.now() - start;
  };
  const inProcess: Alternate = async (pairs) => {
    const out = { bare: [] as number[], ours: [] as number[] };
    for (const p of pairs) {
      out.bare.push(await timed(bare, '/events', bareDevice.token, p.bare));
      out.ours.push(await timed(t.app, '/api/v1/kiosk/events', ours.token, p.ours));
    }
    return out;
  };
  const listen = async (fetch: (r: Request) => Response | Promise<Response>) => {
    const s = serve({ fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => s.once('listening', r));
    return { server: s, url: `http://127.0.0.1:${(s.address() as AddressInfo).port}` };
  };
  const bareHttp = await listen(bare.fetch);
  const ourHttp = await listen(t.app.fetch);
  const client = createHttpClient();
  const overHttp: Alternate = async (pairs) => {
    const times = await client.sequence(
      pairs.flatMap((p) => [
        { url: `${bareHttp.url}/events`, token: bareDevice.token, body: p.bare },
        { url: `${ourHttp.url}/api/v1/kiosk/events`, token: ours.token, body: p.ours },
      ]),
    );
    return { bare: times.filter((_, i) => i % 2 === 0), ours: times.filter((_, i) => i % 2 === 1) };
  };
  await compare(
    'POST one check-in per request',
    'over HTTP on loopback (keep-alive) from a client thread, as tablets send',
    overHttp,
    4000,
    1,
    single,
  );
  await compare(
    'POST one check-in per request',
    'in process (app.request), no HTTP stack on either side',
    inProcess,
    4000,
    1,
    single,
  );
  await compare(
    'POST batches of 500 check-ins, one after another',
    'in process (app.request)',
    inProcess,
    40,
    500,
    batched,
  );

  // The same, but every event an admit naming its own pass: the server reads the batch's passes in
  // one query and checks each against its row (gate, window, revocation, entries) and uses an entry.
  const passIds = seedPasses(t, gateId, 25_000);
  let nextPass = 0;
  const admits = (token: string, n: number) => {
    const start = seqs.get(token) ?? 0;
    seqs.set(token, start + n);
    return JSON.stringify({
      events: Array.from({ length: n }, (_, i) =>
        decisionEvent(start + i + 1, {
          id: uuidv7(),
          at: new Date().toISOString(),
          passId: passIds[nextPass++ % passIds.length],
        }),
      ),
    });
  };
  const named: Alternate = async (pairs) => {
    const out = { bare: [] as number[], ours: [] as number[] };
    for (const p of pairs) {
      out.bare.push(await timed(t.app, '/api/v1/kiosk/events', ours.token, p.bare));
      out.ours.push(await timed(t.app, '/api/v1/kiosk/events', ours.token, admits(ours.token, 500)));
    }
    return out;
  };
  await compare(
    'POST batches of 500, Gatehouse against itself: events naming no pass (left) and admits each naming its pass (right)',
    'in process (app.request)',
    async (pairs) => named(pairs.map((p) => ({ ...p, bare: batch(ours.token, 500) }))),
    40,
    500,
    (base, mine) => {
      row('Gatehouse: 500 events naming no pass', base, `= ${(rate(base) * 500 * 1000).toFixed(0)} events/s`);
      row(
        'Gatehouse: 500 admits, each pass checked',
        mine,
        `= ${(rate(mine) * 500 * 1000).toFixed(0)} events/s (target ≥ 30,000)`,
      );
    },
  );

  // Notifications on: the host department's robot and a school webhook take every admit, so each
  // admit writes two outbox rows in the sync's own transaction (server/notifications/record.ts).
  // Alternated with the same admits while both channels are switched off: the cost of telling.
  const now = Date.now();
  const channel = t.sqlite.prepare(
    `insert into notification_channels (kind, name, department_id, settings, secret, events, rate_per_minute, created_at, updated_at)
     values (?, ?, ?, '{}', 'gcm1.x', ?, 600, ?, ?)`,
  );
  channel.run('wecom', 'bench robot', t.campus.departmentIds.cs, '[]', now, now);
  channel.run('webhook', 'bench webhook', null, '["visitor.admitted"]', now, now);
  const channels = t.sqlite.prepare('update notification_channels set active = ?');
  const telling: Alternate = async (pairs) => {
    const out = { bare: [] as number[], ours: [] as number[] };
    for (const _ of pairs) {
      channels.run(0);
      out.bare.push(await timed(t.app, '/api/v1/kiosk/events', ours.token, admits(ours.token, 500)));
      channels.run(1);
      out.ours.push(await timed(t.app, '/api/v1/kiosk/events', ours.token, admits(ours.token, 500)));
    }
    return out;
  };
  const outboxRows = () => (t.sqlite.prepare('select count(*) as n from notification_outbox').get() as { n: number }).n;
  const rowsBefore = outboxRows();
  await compare(
    'POST batches of 500 admits, each pass checked: notifications off (left) and on (right, 2 outbox rows per admit)',
    'in process (app.request)',
    telling,
    40,
    500,
    (base, mine) => {
      row('notifications off', base, `= ${(rate(base) * 500 * 1000).toFixed(0)} events/s`);
      row('notifications on', mine, `= ${(rate(mine) * 500 * 1000).toFixed(0)} events/s (the cost of telling)`);
      console.log(`outbox rows written: ${outboxRows() - rowsBefore} (expected ${(40 + 5) * 500 * 2})`);
    },
  );
  channels.run(0);

  // The server's throughput: 4 tablets at once from the client thread, each posting 10 batches
  // of 500 back to back, so the server always has the next batch waiting (20,000 events a round).
  const senders = devices.slice(22, 26);
  const throughput = async (url: (d: (typeof devices)[number]) => string) => {
    const { wallMs } = await client.concurrent(
      senders.map((d) =>
        Array.from({ length: 10 }, () => ({ url: url(d), token: d.token, body: batch(d.token, 500) })),
      ),
    );
    return (senders.length * 10 * 500 * 1000) / wallMs;
  };
  const bareRates: number[] = [];
  const ourRates: number[] = [];
  for (let round = 0; round < 3; round++) {
    bareRates.push(await throughput(() => `${bareHttp.url}/events`));
    ourRates.push(await throughput(() => `${ourHttp.url}/api/v1/kiosk/events`));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const rates = (xs: number[]) => `${xs.map((x) => x.toFixed(0)).join(', ')} events/s, median ${median(xs).toFixed(0)}`;
  console.log('\nServer throughput over HTTP: 4 tablets at once, 10 batches of 500 each, synchronous=FULL (3 rounds)');
  console.log(`baseline: bare Hono + same insert            ${rates(bareRates)}`);
  console.log(`Gatehouse: POST /api/v1/kiosk/events         ${rates(ourRates)} (target ≥ 30,000)`);
  bareHttp.server.close();

  // 20 tablets, each with 500 queued events, sync at once.
  const url = `${ourHttp.url}/api/v1/kiosk/events`;
  const tablets = devices.slice(2, 22);
  const count = () => (t.sqlite.prepare('select count(*) as n from gate_events').get() as { n: number }).n;
  const before = count();
  const drain = await client.concurrent(tablets.map((d) => [{ url, token: d.token, body: batch(d.token, 500) }]));
  console.log(
    `\n20 tablets × 500 queued events at once over HTTP: ${drain.wallMs.toFixed(0)} ms, ${drain.acknowledged} acknowledged, ${count() - before} rows stored (expected 10000)`,
  );

  // One tablet back after an 8-hour outage: 5,000 events, drained in batches of 500 as the kiosk does.
  const backlog = await client.post(
    url,
    tablets[0]!.token,
    Array.from({ length: 10 }, () => batch(tablets[0]!.token, 500)),
  );
  console.log(
    `one tablet's 5,000-event backlog over HTTP in batches of 500: ${backlog.reduce((a, b) => a + b, 0).toFixed(0)} ms (target ≤ 5,000 ms)`,
  );
  await client.close();
  ourHttp.server.close();
  t.cleanup();
}

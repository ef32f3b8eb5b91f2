import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { signInOver } from '../helpers/http';
import { refuseAt, temps } from '../helpers/office';
import { startWebhookReceiver } from '../helpers/receivers';
import { startServer, type RunningServer } from '../helpers/server';

const ADMIN_PASSWORD = 'admin-password-for-tests';
const PENDING = 200;

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-notify-crash-'));
const databasePath = join(dir, 'gatehouse.db');
let server: RunningServer | undefined;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>> | undefined;
afterAll(async () => {
  await server?.cleanup();
  await receiver?.close();
  rmSync(dir, { recursive: true, force: true });
});

const outbox = () => {
  const db = new Database(databasePath, { readonly: true });
  try {
    return db.prepare('select message_id as id, status from notification_outbox').all() as {
      id: string;
      status: string;
    }[];
  } finally {
    db.close();
  }
};

describe('the outbox across a crash', () => {
  it('kill -9 with 200 notifications pending: after the restart every one is delivered, none twice by id', async () => {
    receiver = await startWebhookReceiver();
    receiver.slow(40); // a slow receiver: most of the 200 are still waiting when the server dies
    server = await startServer({ dir, databasePath });
    const admin = await signInOver(server.url, 'admin', ADMIN_PASSWORD);
    const campus = (await admin('POST', '/api/v1/campuses', { name: '测试校区', timezone: 'Asia/Shanghai' })).json;
    const gate = (await admin('POST', '/api/v1/gates', { campusId: campus.id, code: 'north', name: '北门' })).json;
    const channel = await admin('POST', '/api/v1/notifications/channels', {
      kind: 'webhook',
      name: '校园安防平台',
      url: receiver.url,
      events: ['gate.fever'],
    });
    expect(channel.status).toBe(201);
    receiver.trust(channel.json.secret);
    const { code } = (await admin('POST', '/api/v1/devices/enrollments', { gateId: gate.id })).json;
    const tablet = (await (
      await fetch(`${server.url}/api/v1/kiosk/enroll`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code, name: '北门平板' }),
      })
    ).json()) as { token: string };

    // One sync of 200 fever refusals: acknowledged only after the commit that also wrote the outbox.
    const events = Array.from({ length: PENDING }, (_, i) =>
      refuseAt(i + 1, '09:00', ['fever'], { temperatures: temps([[38.6, '09:00']]) }),
    );
    const res = await fetch(`${server.url}/api/v1/kiosk/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tablet.token}` },
      body: JSON.stringify({ events }),
    });
    expect(((await res.json()) as { acked: string[] }).acked).toHaveLength(PENDING);
    await expect.poll(() => receiver!.deliveries.length, { timeout: 20_000, interval: 20 }).toBeGreaterThanOrEqual(10);
    await server.stop('SIGKILL');

    const atCrash = outbox();
    expect(atCrash).toHaveLength(PENDING);
    const pending = atCrash.filter((d) => d.status === 'pending').length;
    expect(pending).toBeGreaterThan(100);
    const beforeRestart = receiver.deliveries.length;

    receiver.slow(0);
    server = await startServer({ dir, databasePath });
    await expect.poll(() => receiver!.unique().size, { timeout: 60_000, interval: 100 }).toBe(PENDING);
    await expect.poll(() => outbox().every((d) => d.status === 'sent'), { timeout: 10_000 }).toBe(true);

    const ids = new Set(outbox().map((d) => d.id));
    expect(receiver.unique()).toEqual(ids);
    // At least once on the wire: only a message in flight at the kill (one per channel) may come twice,
    // with the same id, which the receiver drops.
    const twice = receiver.deliveries.length - receiver.unique().size;
    expect(twice).toBeLessThanOrEqual(1);
    expect(receiver.deliveries.every((d) => d.verified)).toBe(true);
    console.log(
      `kill -9 with ${pending} of ${PENDING} pending (${beforeRestart} received before); after restart all ${PENDING} delivered, ${twice} sent twice by id`,
    );
  });
});

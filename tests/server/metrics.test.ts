import { describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app';
import { enrollDevice, quickRefusalEvent } from '../helpers/kiosk';

const TOKEN = 'metrics-token-for-the-tests-0123456789';

/** The text format, read back: every sample line `name{labels} value`, with its HELP and TYPE. */
function samples(text: string) {
  const lines = text.trimEnd().split('\n');
  const out = new Map<string, number>();
  for (const l of lines) {
    if (l.startsWith('#')) {
      expect(l).toMatch(/^# (HELP|TYPE) [a-z_]+ .+$/);
      continue;
    }
    const m = /^([a-z_]+(?:\{[^}]*\})?) (-?[\d.e+]+)$/.exec(l);
    expect(m, l).not.toBeNull();
    out.set(m![1]!, Number(m![2]));
  }
  return out;
}

describe('GET /metrics', () => {
  it('answers 404 until METRICS_TOKEN is set, then 401 without the token', async () => {
    const off = createTestApp();
    expect((await off.request('GET', '/metrics')).status).toBe(404);
    const on = createTestApp({ env: { METRICS_TOKEN: TOKEN } });
    const none = await on.request('GET', '/metrics');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await on.request('GET', '/metrics', { bearer: 'wrong' })).status).toBe(401);
    // A signed-in office session is not the monitoring token.
    expect((await on.request('GET', '/metrics', { cookie: await on.signIn('office') })).status).toBe(401);
  });

  it('counts requests, a tablet’s ingest and its outbox backlog, and the database size, in the Prometheus text format', async () => {
    const t = createTestApp({ env: { METRICS_TOKEN: TOKEN } });
    await t.request('GET', '/healthz');
    await t.request('GET', '/api/v1/nothing-here');
    const res = await t.request('GET', '/metrics', { bearer: TOKEN });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const m = samples(res.text);
    expect(m.get('gatehouse_http_requests_total{method="GET",status="2xx"}')).toBeGreaterThanOrEqual(1);
    expect(m.get('gatehouse_http_requests_total{method="GET",status="4xx"}')).toBeGreaterThanOrEqual(1);
    expect(m.get('gatehouse_http_request_duration_seconds_count')).toBe(
      m.get('gatehouse_http_request_duration_seconds_bucket{le="+Inf"}'),
    );
    expect(m.get('gatehouse_database_bytes')).toBeGreaterThan(4096);
    expect(m.get('gatehouse_stream_clients')).toBe(0);
    expect(m.get('gatehouse_ingest_events_total{result="stored"}')).toBe(0);
    expect(m.get('gatehouse_notifications_pending')).toBe(0);
    // Nothing personal: no names, phones or ID numbers, only ids, gate codes and numbers.
    expect(res.text).not.toMatch(/[\u4e00-\u9fff]/);
  });

  it('follows each tablet: its outbox backlog and storage as reported, and what its syncs stored or rejected', async () => {
    const t = createTestApp({ env: { METRICS_TOKEN: TOKEN } });
    const { token, deviceId } = await enrollDevice(t, t.campus.gateIds.north);
    await t.request('GET', '/api/v1/kiosk/snapshot', {
      bearer: token,
      headers: { 'x-outbox-pending': '7', 'x-storage': 'evictable' },
    });
    await t.request('POST', '/api/v1/kiosk/events', {
      bearer: token,
      body: { events: [quickRefusalEvent(1, 'courier', t.clock.now().toISOString()), { id: 'not-an-event' }] },
    });
    const m = samples((await t.request('GET', '/metrics', { bearer: TOKEN })).text);
    const tablet = `{device="${deviceId}",gate="north"}`;
    expect(m.get(`gatehouse_tablet_outbox_pending${tablet}`)).toBe(7);
    expect(m.get(`gatehouse_tablet_storage_evictable${tablet}`)).toBe(1);
    expect(m.get(`gatehouse_tablet_last_seen_timestamp_seconds${tablet}`)).toBe(t.clock.now().getTime() / 1000);
    expect(m.get('gatehouse_ingest_batches_total')).toBe(1);
    expect(m.get('gatehouse_ingest_events_total{result="stored"}')).toBe(1);
    expect(m.get('gatehouse_ingest_events_total{result="rejected"}')).toBe(1);
  });
});

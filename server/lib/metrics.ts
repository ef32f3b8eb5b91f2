import type Database from 'better-sqlite3';
import type { Events } from '../events';

/**
 * What a campus's monitoring (Prometheus, or anything reading its text format) scrapes from
 * `GET /metrics`: counters kept in the process since start, and gauges read from the database at
 * scrape time. No personal data: tablets by id and gate, nothing about people.
 */
export interface Metrics {
  request(method: string, status: number, seconds: number): void;
  streamOpened(): void;
  streamClosed(): void;
  render(sqlite: Database.Database): string;
}

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const;
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/** Label values escaped as the text format asks (backslash, quote, newline). */
const label = (v: string | number) => String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export function createMetrics(events: Events): Metrics {
  const requests = new Map<string, number>();
  const durations = { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 };
  const ingest = { stored: 0, rejected: 0, batches: 0 };
  let streams = 0;
  events.onCommitted((e) => {
    if (e.type !== 'gate_events.synced') return;
    ingest.batches += 1;
    ingest.stored += e.events.length;
    ingest.rejected += e.rejected;
  });
  return {
    request(method, status, seconds) {
      // A client's made-up method must not grow the label set without bound.
      const key = `${METHODS.has(method) ? method : 'OTHER'} ${Math.floor(status / 100)}xx`;
      requests.set(key, (requests.get(key) ?? 0) + 1);
      BUCKETS.forEach((b, i) => {
        if (seconds <= b) durations.buckets[i]! += 1;
      });
      durations.sum += seconds;
      durations.count += 1;
    },
    streamOpened: () => void (streams += 1),
    streamClosed: () => void (streams = Math.max(0, streams - 1)),
    render(sqlite) {
      const out: string[] = [];
      const metric = (name: string, type: string, help: string, lines: string[]) =>
        out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);

      metric(
        'gatehouse_http_requests_total',
        'counter',
        'HTTP requests answered, by method and status class',
        [...requests].map(([k, n]) => {
          const [method, status] = k.split(' ');
          return `gatehouse_http_requests_total{method="${method}",status="${status}"} ${n}`;
        }),
      );
      metric('gatehouse_http_request_duration_seconds', 'histogram', 'Time to answer a request', [
        ...BUCKETS.map((b, i) => `gatehouse_http_request_duration_seconds_bucket{le="${b}"} ${durations.buckets[i]}`),
        `gatehouse_http_request_duration_seconds_bucket{le="+Inf"} ${durations.count}`,
        `gatehouse_http_request_duration_seconds_sum ${durations.sum}`,
        `gatehouse_http_request_duration_seconds_count ${durations.count}`,
      ]);
      metric('gatehouse_ingest_batches_total', 'counter', 'Sync batches from gate tablets committed', [
        `gatehouse_ingest_batches_total ${ingest.batches}`,
      ]);
      metric('gatehouse_ingest_events_total', 'counter', 'Gate events from tablets, stored or rejected', [
        `gatehouse_ingest_events_total{result="stored"} ${ingest.stored}`,
        `gatehouse_ingest_events_total{result="rejected"} ${ingest.rejected}`,
      ]);
      metric('gatehouse_stream_clients', 'gauge', 'Live-wall event streams open now', [
        `gatehouse_stream_clients ${streams}`,
      ]);

      const tablets = sqlite
        .prepare(
          `select d.id, d.gate_id as gateId, g.code as gate, d.outbox_pending as pending, d.last_seen_at as lastSeen, d.storage
           from devices d join gates g on g.id = d.gate_id where d.revoked_at is null order by d.id`,
        )
        .all() as {
        id: number;
        gateId: number;
        gate: string;
        pending: number;
        lastSeen: number | null;
        storage: string | null;
      }[];
      const tab = (t: (typeof tablets)[number]) => `device="${t.id}",gate="${label(t.gate)}"`;
      metric(
        'gatehouse_tablet_outbox_pending',
        'gauge',
        'Decisions a tablet said it still held unsynced at its last contact',
        tablets.map((t) => `gatehouse_tablet_outbox_pending{${tab(t)}} ${t.pending}`),
      );
      metric(
        'gatehouse_tablet_last_seen_timestamp_seconds',
        'gauge',
        'When a tablet last reached the server (Unix time)',
        tablets
          .filter((t) => t.lastSeen !== null)
          .map((t) => `gatehouse_tablet_last_seen_timestamp_seconds{${tab(t)}} ${t.lastSeen! / 1000}`),
      );
      metric(
        'gatehouse_tablet_storage_evictable',
        'gauge',
        '1 when the browser may evict a tablet’s outbox (not installed as an app)',
        tablets
          .filter((t) => t.storage !== null)
          .map((t) => `gatehouse_tablet_storage_evictable{${tab(t)}} ${t.storage === 'evictable' ? 1 : 0}`),
      );

      const pages = sqlite.pragma('page_count', { simple: true }) as number;
      const pageSize = sqlite.pragma('page_size', { simple: true }) as number;
      const free = sqlite.pragma('freelist_count', { simple: true }) as number;
      metric('gatehouse_database_bytes', 'gauge', 'Size of the SQLite database (main file, pages in use and free)', [
        `gatehouse_database_bytes ${pages * pageSize}`,
      ]);
      metric('gatehouse_database_free_bytes', 'gauge', 'Free pages inside the database file', [
        `gatehouse_database_free_bytes ${free * pageSize}`,
      ]);
      const outbox = sqlite
        .prepare(`select count(*) from notification_outbox where status = 'pending'`)
        .pluck()
        .get() as number;
      metric('gatehouse_notifications_pending', 'gauge', 'Messages waiting in the notification outbox', [
        `gatehouse_notifications_pending ${outbox}`,
      ]);
      const mem = process.memoryUsage();
      metric('process_resident_memory_bytes', 'gauge', 'Resident memory of the server process', [
        `process_resident_memory_bytes ${mem.rss}`,
      ]);
      metric('process_uptime_seconds', 'gauge', 'Seconds since the server process started', [
        `process_uptime_seconds ${Math.round(process.uptime())}`,
      ]);
      return `${out.join('\n')}\n`;
    },
  };
}

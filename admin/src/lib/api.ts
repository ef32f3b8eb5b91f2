import { hc } from 'hono/client';
import type { AppType } from '../../../server/app';
import type { Wall } from '../../../server/live/wall';

export { ApiFailure, ok } from '../../../server/domain/api-result';
export type { Wall };

/** The admin app's one way to the server: pages call these, never fetch. */
export const api = hc<AppType>('/').api.v1;

export interface QueueEvent {
  requestId: number;
  action: string;
}

/**
 * Subscribes to the office's live stream (server-sent events; the browser reconnects by itself):
 * `wall` whenever the wall changes, `queue` whenever a request moves. Answers the function that
 * closes the stream.
 */
export function openLiveStream({
  onWall,
  onQueue,
  onConnection,
}: {
  onWall?: (w: Wall) => void;
  onQueue?: (e: QueueEvent) => void;
  onConnection?: (open: boolean) => void;
}): () => void {
  const source = new EventSource('/api/v1/live/stream');
  const data = <T>(e: Event) => JSON.parse((e as MessageEvent<string>).data) as T;
  if (onWall) source.addEventListener('wall', (e) => onWall(data<Wall>(e)));
  if (onQueue) source.addEventListener('queue', (e) => onQueue(data<QueueEvent>(e)));
  source.onopen = () => onConnection?.(true);
  source.onerror = () => onConnection?.(false);
  return () => source.close();
}

/** A download link for an export route: same filters as the table, as the server expects them. */
export function exportHref(
  path:
    | '/reports/daily/export'
    | '/tracing/passages/export'
    | '/tracing/co-presence/export'
    | '/requests/export'
    | `/requests/${number}/visitors/export`,
  query: Record<string, string | undefined>,
): string {
  const q = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => !!e[1]));
  return `/api/v1${path}?${q}`;
}

import { hc } from 'hono/client';
import type { AppType } from '../../../server/app';

export { ApiFailure, ok } from '../../../server/domain/api-result';

export const APP_VERSION = '0.1.0';

/**
 * The kiosk's one way to the server: pages call these, never fetch. Every call carries the
 * tablet's device credential, read when the call is made (it changes on enrollment and wipe),
 * its build, its outbox size and whether its storage is persistent (the office's lists show them).
 */
export function createApi(
  token: () => string | null,
  outboxPending: () => number = () => 0,
  /** Where the server is and how to reach it: the page's origin in the browser; a unit test's own. */
  {
    baseUrl = '/',
    fetch,
    now = () => Date.now(),
    storage = () => null,
  }: {
    baseUrl?: string;
    fetch?: typeof globalThis.fetch;
    now?: () => number;
    /** Whether the browser granted persistent storage (the office's tablet list warns when it did not). */
    storage?: () => 'persisted' | 'evictable' | null;
  } = {},
) {
  return hc<AppType>(baseUrl, {
    ...(fetch ? { fetch } : {}),
    headers: (): Record<string, string> => {
      const tk = token();
      // The tablet's clock, so the office sees each tablet's skew (and its events' times can be judged).
      const common = {
        'x-app-version': APP_VERSION,
        'x-outbox-pending': String(outboxPending()),
        'x-device-time': String(now()),
        ...(storage() ? { 'x-storage': storage()! } : {}),
      };
      return tk ? { ...common, authorization: `Bearer ${tk}` } : common;
    },
  }).api.v1;
}
export type KioskApi = ReturnType<typeof createApi>;

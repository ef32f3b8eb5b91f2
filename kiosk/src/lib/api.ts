import { hc } from 'hono/client';
import type { AppType } from '../../../server/app';

export { ApiFailure, ok } from '../../../server/domain/api-result';

export const APP_VERSION = '0.1.0';

/**
 * The kiosk's one way to the server: pages call these, never fetch. Every call carries the
 * tablet's device credential, read when the call is made (it changes on enrollment and wipe),
 * its build and its outbox size (the office's live wall shows both).
 */
export function createApi(token: () => string | null, outboxPending: () => number = () => 0) {
  return hc<AppType>('/', {
    headers: (): Record<string, string> => {
      const tk = token();
      // The tablet's clock, so the office sees each tablet's skew (and its events' times can be judged).
      const common = {
        'x-app-version': APP_VERSION,
        'x-outbox-pending': String(outboxPending()),
        'x-device-time': String(Date.now()),
      };
      return tk ? { ...common, authorization: `Bearer ${tk}` } : common;
    },
  }).api.v1;
}

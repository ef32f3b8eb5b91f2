import { hc } from 'hono/client';
import type { AppType } from '../../../server/app';

export { ApiFailure, ok } from '../../../server/domain/api-result';

export const APP_VERSION = '0.1.0';

/**
 * The kiosk's one way to the server: pages call these, never fetch. Every call carries the
 * tablet's device credential, read when the call is made (it changes on enrollment and wipe).
 */
export function createApi(token: () => string | null) {
  return hc<AppType>('/', {
    headers: (): Record<string, string> => {
      const tk = token();
      return tk ? { authorization: `Bearer ${tk}`, 'x-app-version': APP_VERSION } : { 'x-app-version': APP_VERSION };
    },
  }).api.v1;
}
export type Api = ReturnType<typeof createApi>;

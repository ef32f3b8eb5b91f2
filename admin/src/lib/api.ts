import { hc } from 'hono/client';
import type { AppType } from '../../../server/app';

export { ApiFailure, ok } from '../../../server/domain/api-result';

/** The admin app's one way to the server: pages call these, never fetch. */
export const api = hc<AppType>('/').api.v1;

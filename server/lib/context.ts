import type { Metrics } from './metrics';
import type { Config } from '../env';
import type { Db } from '../db/open';
import type { Role, devices } from '../db/schema';
import type { TokenScope } from '../domain/roles';
import type { Clock } from './clock';
import type { Logger } from './logger';
import type { Events } from '../events';
import type { RateLimiter } from './rate-limit';

/** Everything a handler may use, injected by createApp: no module-level singletons. */
export interface Deps {
  db: Db;
  clock: Clock;
  config: Config;
  logger: Logger;
  loginLimiter: RateLimiter;
  /** Sign-ins per account, successful ones too (LOGIN_ACCOUNT_LIMIT a minute). */
  accountLimiter: RateLimiter;
  /** Requests to the visitors' public pages per address (VISIT_RATE_LIMIT a minute). */
  visitLimiter: RateLimiter;
  /** Key of the keyed ID-number hash (lib/secrets.ts): the key file's key, kept out of the database. */
  idHashKey: Buffer;
  /**
   * Keys derived from it (lib/secrets.ts deriveKey): filing fingerprints, wrapping of signing keys and
   * notification secrets, the members' live codes (tablets receive this one: they check every member).
   */
  keys: {
    idempotency: Buffer;
    signingKeyWrap: Buffer;
    notificationSecrets: Buffer;
    memberCodes: Buffer;
    nameLookup: Buffer;
  };
  /** The after-commit seam: handlers state what happened; the live wall (and notifications) follow (events.ts). */
  events: Events;
  /** Counters and gauges for GET /metrics (lib/metrics.ts). */
  metrics: Metrics;
  /** Where links in messages point: PUBLIC_ORIGIN, else this server's address (main.ts, once listening). */
  publicOrigin: () => string;
}

/** Who is calling: a signed-in user (cookie) or a bearer token (integration or kiosk device). */
export interface Principal {
  kind: 'user' | 'token';
  role: Role;
  /** The user, for people; null for tokens. */
  userId: number | null;
  tokenId: number | null;
  label: string;
  departmentId: number | null;
  gateIds: number[];
  sessionId: string | null;
  /**
   * An integration token's scopes: it reaches only routes that name one of them, whatever its
   * role. Null for people and gate tablets, whom their role governs.
   */
  scopes: readonly TokenScope[] | null;
  /** The enrolled gate tablet behind a bearer token, found in the same lookup; null otherwise. */
  device: typeof devices.$inferSelect | null;
}

export type AppEnv = {
  Variables: {
    deps: Deps;
    principal: Principal | null;
    requestId: string;
  };
};

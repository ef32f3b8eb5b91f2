import { leaveRoutes, memberRoutes } from './members/routes';
import { memberPageRoutes } from './members/page-routes';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { matchedRoutes } from 'hono/route';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { requestId } from 'hono/request-id';
import { randomBytes } from 'node:crypto';
import { deriveKey } from './lib/secrets';
import { errorContract, openApiDocument } from './openapi';
import { alertRoutes } from './alerts/routes';
import { auditRoutes } from './audit/routes';
import { deviceRoutes } from './devices/routes';
import { kioskRoutes } from './kiosk/routes';
import { blockListRoutes } from './blocklist/routes';
import { passRoutes } from './passes/routes';
import { regionRoutes } from './regions/routes';
import { requestRoutes } from './requests/routes';
import { reviewRoutes } from './review/routes';
import { riskAreaRoutes } from './risk-areas/routes';
import { ruleRoutes } from './rules/routes';
import { authRoutes } from './auth/routes';
import { campusRoutes } from './campuses/routes';
import { departmentRoutes } from './departments/routes';
import { gateRoutes } from './gates/routes';
import { tlsRoutes } from './tls/routes';
import { createMetrics } from './lib/metrics';
import { compressJson } from './middleware/compress-json';
import { sameSecret } from './lib/crypto';
import { healthRoutes } from './health/routes';
import { ApiError, type ErrorBody } from './lib/errors';
import { systemClock, type Clock } from './lib/clock';
import { createLogger, type Logger } from './lib/logger';
import { createEvents, type Events } from './events';
import { liveRoutes } from './live/routes';
import { reportRoutes } from './reports/routes';
import { tracingRoutes } from './tracing/routes';
import { presenceRoutes } from './presence/routes';
import { visitorRoutes } from './retention/routes';
import { createRateLimiter } from './lib/rate-limit';
import { authenticate } from './middleware/auth';
import { bodyLimit } from './middleware/body-limit';
import { securityHeaders } from './middleware/security-headers';
import { originGuard } from './middleware/origin-guard';
import { spaRoutes, visitPageRoutes } from './static';
import { tokenRoutes } from './tokens/routes';
import { userRoutes } from './users/routes';
import { notificationRoutes } from './notifications/routes';
import { invitationRoutes } from './invitations/routes';
import { visitRoutes } from './visit/routes';
import { recordNotifications } from './notifications/record';
import { publicOrigin } from './notifications/deliver';
import { loadConfig, type Config } from './env';
import type { AppEnv, Deps } from './lib/context';
import type { Db } from './db/open';
import pkg from '../package.json' with { type: 'json' };
import { projectRoot } from './lib/paths';

export const ROOT_DIR = projectRoot();

export interface AppOptions {
  db: Db;
  clock?: Clock;
  config?: Config;
  logger?: Logger;
  /** Serve the built kiosk and admin apps (the real server does; API tests need not). */
  serveFrontends?: boolean;
  /** main.ts passes the persistent key (lib/secrets.ts); tests may let it default to a random one. */
  idHashKey?: Buffer;
  /** The after-commit seam; a test may pass its own to watch what handlers say happened. */
  events?: Events;
  /** Where links in notifications point (PUBLIC_ORIGIN, else main.ts gives the listening address). */
  origin?: () => string;
  /**
   * Tests: answer an error whose status or code the OpenAPI document does not list for its
   * operation as a 500 `undocumented_error` naming what is missing (server/openapi.ts errorContract).
   */
  checkErrorContract?: boolean;
}

const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

/** The API, all under /api/v1; chained so that AppType carries every route to hono/client. */
function apiRoutes() {
  return new OpenAPIHono<AppEnv>()
    .route('/auth', authRoutes)
    .route('/users', userRoutes)
    .route('/campuses', campusRoutes)
    .route('/gates', gateRoutes)
    .route('/departments', departmentRoutes)
    .route('/tokens', tokenRoutes)
    .route('/audit', auditRoutes)
    .route('/requests', requestRoutes)
    .route('/review', reviewRoutes)
    .route('/passes', passRoutes)
    .route('/rules', ruleRoutes)
    .route('/risk-areas', riskAreaRoutes)
    .route('/blocklist', blockListRoutes)
    .route('/regions', regionRoutes)
    .route('/devices', deviceRoutes)
    .route('/kiosk', kioskRoutes)
    .route('/alerts', alertRoutes)
    .route('/live', liveRoutes)
    .route('/reports', reportRoutes)
    .route('/tracing', tracingRoutes)
    .route('/presence', presenceRoutes)
    .route('/visitors', visitorRoutes)
    .route('/notifications', notificationRoutes)
    .route('/invitations', invitationRoutes)
    .route('/visit', visitRoutes)
    .route('/members', memberRoutes)
    .route('/leaves', leaveRoutes)
    .route('/me', memberPageRoutes)
    .route('/tls', tlsRoutes);
}

/** Builds the whole application. No side effects: no listening, no migrations, no timers. */
export function createApp({
  db,
  clock = systemClock,
  config = loadConfig({}),
  logger = createLogger(config.LOG_LEVEL),
  serveFrontends = false,
  idHashKey = randomBytes(32),
  events = createEvents(logger),
  checkErrorContract = false,
  origin = () => publicOrigin(config),
}: AppOptions) {
  const deps: Deps = {
    db,
    clock,
    config,
    logger,
    loginLimiter: createRateLimiter({
      limit: config.LOGIN_RATE_LIMIT,
      windowMs: config.LOGIN_RATE_WINDOW_SECONDS * 1000,
    }),
    accountLimiter: createRateLimiter({ limit: config.LOGIN_ACCOUNT_LIMIT, windowMs: 60_000 }),
    visitLimiter: createRateLimiter({ limit: config.VISIT_RATE_LIMIT, windowMs: 60_000 }),
    idHashKey,
    keys: {
      idempotency: deriveKey(idHashKey, 'idempotency'),
      signingKeyWrap: deriveKey(idHashKey, 'signing-key-wrap'),
      notificationSecrets: deriveKey(idHashKey, 'notification-secrets'),
      memberCodes: deriveKey(idHashKey, 'member-codes'),
      nameLookup: deriveKey(idHashKey, 'name-lookup'),
    },
    events,
    metrics: createMetrics(events),
    publicOrigin: origin,
  };
  // Notifications are written to the outbox in the transaction of the change that causes them.
  events.onRecorded((tx, e) => recordNotifications(tx, e, clock.now(), db.$client));
  const app = new OpenAPIHono<AppEnv>();

  app.use('*', requestId());
  app.use('*', async (c, next) => {
    c.set('deps', deps);
    c.set('principal', null);
    const start = performance.now();
    await next();
    // Paths only, never query strings: tracing queries carry names.
    const who = c.get('principal');
    deps.metrics.request(c.req.method, c.res.status, (performance.now() - start) / 1000);
    logger.info('request', {
      id: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - start) * 10) / 10,
      who: who ? `${who.kind}:${who.label}` : null,
    });
  });
  app.use('*', securityHeaders());
  app.use('/api/*', bodyLimit(config.BODY_LIMIT_BYTES));
  app.use(
    '/api/v1/*',
    originGuard({
      allowedOrigins: config.PUBLIC_ORIGIN ? [new URL(config.PUBLIC_ORIGIN).origin] : [],
      trustProxy: config.TRUST_PROXY,
      multipartPaths: [/\/import$/],
    }),
  );
  app.use('/api/v1/*', authenticate());
  // API answers over 1 KB go gzipped to a client that asks: the tablet's snapshot (30,000 members:
  // docs/benchmarks.md), lists and exports. Not the live wall's stream.
  app.use('/api/*', compressJson(1024));

  const routes = app.route('/', healthRoutes).route('/api/v1', apiRoutes());

  // Built once, on first request: the routes do not change while the app runs.
  let doc: ReturnType<typeof openApiDocument> | null = null;
  // For the campus's monitoring, outside the JSON API (Prometheus text format), behind METRICS_TOKEN.
  app.get('/metrics', (c) => {
    const token = config.METRICS_TOKEN;
    if (!token) throw new ApiError(404, 'metrics_disabled', 'Set METRICS_TOKEN to serve /metrics');
    const given = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1] ?? '';
    if (!sameSecret(given, token)) {
      c.header('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new ApiError(401, 'metrics_token_required', 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>');
    }
    return c.body(deps.metrics.render(db.$client), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
  });
  app.get('/api/openapi.json', (c) => c.json((doc ??= openApiDocument(app, pkg.version))));

  if (serveFrontends) {
    // Built files are served as the build compressed them, brotli or gzip (static.ts).
    app.route('/kiosk', spaRoutes('kiosk', ROOT_DIR));
    app.route('/admin', spaRoutes('admin', ROOT_DIR));
    // The visitor's own page: its own entry of the admin build, at a short public path.
    app.route('/v', visitPageRoutes(ROOT_DIR));
    // The member's own page (credential, leave, check-in): the same small entry, its own path and scope.
    app.route('/m', visitPageRoutes(ROOT_DIR));
    // Pass links sent before the visitor's page had its own path.
    app.get('/pass/:link{[A-Za-z0-9_-]{20,64}}', (c) => c.redirect(`/v/${c.req.param('link')}`, 301));
    app.get('/', (c) => c.redirect('/admin/', 302));
  }

  let contract: ReturnType<typeof errorContract> | null = null;
  /** An error answer, held to the document when the app checks its contract. */
  const answer = (c: Context<AppEnv>, body: ErrorBody, status: ContentfulStatusCode) => {
    if (checkErrorContract) {
      const route = matchedRoutes(c).findLast((r) => r.method !== 'ALL');
      const path = route?.path.replace(/:(\w+)/g, '{$1}');
      const problem = path
        ? (contract ??= errorContract((doc ??= openApiDocument(app, pkg.version))))(
            c.req.method,
            path,
            status,
            body.error.code,
          )
        : null;
      if (problem) {
        logger.error('undocumented error answer', { problem });
        return c.json<ErrorBody>({ error: { code: 'undocumented_error', message: problem } }, 500);
      }
    }
    return c.json(body, status);
  };

  app.notFound((c) =>
    c.json<ErrorBody>({ error: { code: 'not_found', message: `No route for ${c.req.method} ${c.req.path}` } }, 404),
  );
  app.onError((err, c) => {
    if (err instanceof ApiError) {
      for (const [k, v] of Object.entries(err.headers ?? {})) c.header(k, v);
      return answer(c, err.body(), err.status);
    }
    if (err instanceof HTTPException && err.status < 500) {
      return answer(
        c,
        { error: { code: STATUS_CODES[err.status] ?? 'bad_request', message: err.message || 'Bad request' } },
        err.status,
      );
    }
    logger.error('unhandled error', {
      id: c.get('requestId'),
      path: c.req.path,
      err: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    });
    return answer(
      c,
      { error: { code: 'internal', message: 'Something went wrong on the server; it has been logged' } },
      500,
    );
  });

  return routes;
}

export type AppType = ReturnType<typeof createApp>;

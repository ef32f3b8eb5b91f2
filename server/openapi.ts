import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './lib/context';

/** Operations anyone may call: signing in, the visitor's own page, a tablet's enrollment, health. */
export const PUBLIC_OPERATIONS = new Set([
  'GET /healthz',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/logout',
  'GET /api/v1/visit/{token}',
  'POST /api/v1/visit/{token}/opened',
  'POST /api/v1/visit/{token}/declaration',
  'POST /api/v1/visit/{token}/erasure',
  'GET /api/v1/visit/{token}/regions',
  'GET /api/v1/me/{token}',
  'POST /api/v1/me/{token}/leaves',
  'POST /api/v1/me/{token}/leaves/{id}/cancel',
  'POST /api/v1/me/{token}/check-in',
  'GET /api/v1/me/{token}/regions',
  'POST /api/v1/kiosk/enroll',
]);

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** `POST /api/v1/review/{id}/approve` → `postReviewByIdApprove`: stable, unique, readable in generated clients. */
export function operationIdOf(method: string, path: string) {
  const words = path
    .replace(/^\/api\/v1\//, '/')
    .split('/')
    .filter(Boolean)
    .map((seg) => (seg.startsWith('{') ? `by-${seg.slice(1, -1)}` : seg))
    .flatMap((seg) => seg.split(/[-_.]/))
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1));
  return method + words.join('');
}

const ERROR = { $ref: '#/components/schemas/Error' };
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ERROR } } });

type Response = { description: string; content?: Record<string, { schema: unknown }>; 'x-error-codes'?: string[] };
type Operation = {
  operationId?: string;
  summary?: string;
  security?: Record<string, string[]>[];
  parameters?: unknown[];
  requestBody?: unknown;
  responses?: Record<string, Response>;
};

/**
 * The error `code` values an operation can answer besides the ones its route names
 * (lib/router.ts errorContent), from what every request passes through before its handler:
 * - every operation: 500 `internal`;
 * - with parameters or a body: 400 `validation_failed` (the zod hook);
 * - writes: 400 `bad_request` (malformed JSON, a bad Content-Length), 403 `cross_site_request` and
 *   415 `unsupported_media_type` (middleware/origin-guard.ts), 413 `payload_too_large` (body-limit.ts);
 * - signed-in operations: 401 `unauthenticated`, 403 `forbidden` (requireRole); where a bearer token
 *   is accepted, also 401 `token_expired` and 403 `scope_missing`.
 */
function sharedCodes(method: string, op: Operation, secured: boolean, bearer: boolean): Record<string, string[]> {
  const codes: Record<string, string[]> = { 500: ['internal'] };
  const add = (status: number, ...more: string[]) => (codes[status] = [...(codes[status] ?? []), ...more]);
  if (op.parameters?.length || op.requestBody) add(400, 'validation_failed');
  if (method !== 'get') {
    add(400, 'bad_request');
    add(403, 'cross_site_request');
    add(413, 'payload_too_large');
    add(415, 'unsupported_media_type');
  }
  if (secured) {
    add(401, 'unauthenticated');
    add(403, 'forbidden');
    if (bearer) {
      add(401, 'token_expired');
      add(403, 'scope_missing');
    }
  }
  return codes;
}

/** Where a route declares one of these statuses without naming codes, the code is the usual one. */
const USUAL_CODES: Record<string, string[]> = { 400: ['validation_failed'], 404: ['not_found'], 429: ['rate_limited'] };

const DESCRIPTIONS: Record<string, string> = {
  400: 'Invalid request',
  401: 'Not signed in',
  403: 'Not allowed',
  404: 'Not found',
  413: 'The body is larger than BODY_LIMIT_BYTES',
  415: 'The body is not JSON',
  500: 'An unexpected error, logged on the server (no details are given)',
};

/** The codes an error response lists (the enum written by openApiDocument). */
function listedCodes(res: Response | undefined): string[] {
  const schema = res?.content?.['application/json']?.schema as
    { allOf?: { properties?: { error?: { properties?: { code?: { enum?: string[] } } } } }[] } | undefined;
  return schema?.allOf?.[1]?.properties?.error?.properties?.code?.enum ?? [];
}

/**
 * The API's description, as outside tools read and fuzz it: every operation named, its security
 * stated (the session cookie or a bearer token; tablets' routes a device's bearer token; the
 * public ones none), and every error answer it can give with the `code` values each carries:
 * its route's own and those every request passes through (sharedCodes).
 */
export function openApiDocument(app: OpenAPIHono<AppEnv>, version: string) {
  const doc = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: { title: 'Gatehouse API', version, description: 'Gate and visitor check-in for closed campuses.' },
    servers: [
      {
        url: 'http://localhost:8787',
        description: 'A local server (npm start); a campus serves it at its own HTTPS origin',
      },
    ],
  });
  doc.components ??= {};
  doc.components.securitySchemes = {
    session: {
      type: 'apiKey',
      in: 'cookie',
      name: 'gh_session',
      description: 'The session cookie set by POST /api/v1/auth/login',
    },
    bearer: { type: 'http', scheme: 'bearer', description: 'An integration token (POST /api/v1/tokens)' },
    device: { type: 'http', scheme: 'bearer', description: 'A gate tablet’s device token (POST /api/v1/kiosk/enroll)' },
  };
  doc.security = [{ session: [] }, { bearer: [] }];
  const unnamed: string[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = (item as Record<string, Operation | undefined>)[method];
      if (!op) continue;
      const key = `${method.toUpperCase()} ${path}`;
      op.operationId ??= operationIdOf(method, path);
      op.summary ??= key;
      const device = path.startsWith('/api/v1/kiosk/');
      const secured = !PUBLIC_OPERATIONS.has(key);
      op.security = !secured ? [] : device ? [{ device: [] }] : [{ session: [] }, { bearer: [] }];
      op.responses ??= {};
      // Every error answer lists its codes: the ones shared by every route like it, and its own.
      const shared = sharedCodes(method, op, secured, secured && !device);
      for (const status of Object.keys(shared)) op.responses[status] ??= errorResponse(DESCRIPTIONS[status] ?? 'Error');
      for (const [status, res] of Object.entries(op.responses)) {
        // Error answers in the one error shape (GET /healthz's 503 is its own health body).
        if (
          Number(status) < 400 ||
          (res.content &&
            res.content['application/json']?.schema !== undefined &&
            JSON.stringify(res.content['application/json'].schema) !== JSON.stringify(ERROR))
        )
          continue;
        const own = res['x-error-codes'] ?? USUAL_CODES[status] ?? [];
        const codes = [...new Set([...(shared[status] ?? []), ...own])].sort();
        if (codes.length === 0) unnamed.push(`${key} ${status}`);
        delete res['x-error-codes'];
        res.content = {
          'application/json': {
            schema: { allOf: [ERROR, { properties: { error: { properties: { code: { enum: codes } } } } }] },
          },
        };
      }
    }
  }
  if (unnamed.length)
    throw new Error(`Error answers without their codes (lib/router.ts errorContent): ${unnamed.join('; ')}`);
  return doc;
}

/**
 * Holds the running app to its description: answers what is wrong when an error answer's status
 * or code is not listed for its operation, or null. Tests run every API call through it
 * (createApp `checkErrorContract`), so a new error code cannot ship undocumented.
 */
export function errorContract(doc: ReturnType<typeof openApiDocument>) {
  return (method: string, path: string, status: number, code: string): string | null => {
    const op = (doc.paths?.[path] as Record<string, Operation | undefined> | undefined)?.[method.toLowerCase()];
    if (!op) return null; // not an API operation: a static file, the document itself
    const res = op.responses?.[String(status)];
    if (!res) return `${method} ${path} answered ${status} (${code}), which its description does not list`;
    return listedCodes(res).includes(code)
      ? null
      : `${method} ${path} answered ${status} with code ${code}, which its description does not list`;
  };
}

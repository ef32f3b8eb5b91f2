import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './lib/context';

/** Operations anyone may call: signing in, the visitor's pass page, a tablet's enrollment, health. */
export const PUBLIC_OPERATIONS = new Set(['GET /healthz', 'POST /api/v1/auth/login', 'POST /api/v1/auth/logout', 'GET /api/v1/passes/view/{link}', 'POST /api/v1/kiosk/enroll']);

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

type Operation = { operationId?: string; summary?: string; security?: Record<string, string[]>[]; requestBody?: unknown; responses?: Record<string, unknown> };

/**
 * The API's description, as outside tools read and fuzz it: every operation named, its security
 * stated (the session cookie or a bearer token; tablets' routes a device's bearer token; the
 * public ones none) and the answers every route can give besides its own: 413 for an oversized
 * body (middleware/body-limit.ts) and the generic 500.
 */
export function openApiDocument(app: OpenAPIHono<AppEnv>, version: string) {
  const doc = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: { title: 'Gatehouse API', version, description: 'Gate and visitor check-in for closed campuses.' },
    servers: [{ url: 'http://localhost:8787', description: 'A local server (npm start); a campus serves it at its own HTTPS origin' }],
  });
  doc.components ??= {};
  doc.components.securitySchemes = {
    session: { type: 'apiKey', in: 'cookie', name: 'gh_session', description: 'The session cookie set by POST /api/v1/auth/login' },
    bearer: { type: 'http', scheme: 'bearer', description: 'An integration token (POST /api/v1/tokens)' },
    device: { type: 'http', scheme: 'bearer', description: 'A gate tablet’s device token (POST /api/v1/kiosk/enroll)' },
  };
  doc.security = [{ session: [] }, { bearer: [] }];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = (item as Record<string, Operation | undefined>)[method];
      if (!op) continue;
      const key = `${method.toUpperCase()} ${path}`;
      op.operationId ??= operationIdOf(method, path);
      op.summary ??= key;
      op.security = PUBLIC_OPERATIONS.has(key) ? [] : path.startsWith('/api/v1/kiosk/') ? [{ device: [] }] : [{ session: [] }, { bearer: [] }];
      op.responses ??= {};
      if (op.requestBody) op.responses['413'] ??= errorResponse('The body is larger than BODY_LIMIT_BYTES');
      op.responses['500'] ??= errorResponse('An unexpected error, logged on the server (no details are given)');
    }
  }
  return doc;
}

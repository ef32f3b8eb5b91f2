import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../server/domain/roles';
import { errorContract, openApiDocument } from '../../server/openapi';
import { createTestApp, type TestApp } from '../helpers/app';

type Schema = { allOf?: { properties?: { error?: { properties?: { code?: { enum?: string[] } } } } }[] };
type Param = { name: string; in: string };
type Op = {
  parameters?: Param[];
  requestBody?: unknown;
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
};
type Doc = { paths: Record<string, Record<string, Op>> };

let t: TestApp;
let doc: Doc;
const cookies = {} as Record<Role, string>;

beforeAll(async () => {
  t = createTestApp();
  for (const role of ROLES) cookies[role] = await t.signIn(role);
  doc = (await t.request('GET', '/api/openapi.json')).json as Doc;
});
afterAll(() => t.cleanup());

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, byMethod]) =>
    Object.entries(byMethod).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );

describe('the API description lists every error code', () => {
  it('names the codes of every error answer of every operation', () => {
    for (const { method, path, op } of operations()) {
      for (const [status, res] of Object.entries(op.responses)) {
        if (Number(status) < 400 || path === '/healthz') continue;
        const codes = res.content?.['application/json']?.schema.allOf?.[1]?.properties?.error?.properties?.code?.enum;
        expect(codes?.length, `${method} ${path} ${status}`).toBeGreaterThan(0);
      }
      expect(op.responses['500'], `${method} ${path}`).toBeDefined();
    }
  });

  it('holds an answer to its operation’s listed status and codes', () => {
    const check = errorContract(openApiDocument(t.app, 'test'));
    expect(check('PATCH', '/api/v1/users/{id}', 409, 'self_lockout')).toBeNull();
    expect(check('PATCH', '/api/v1/users/{id}', 409, 'not_pending')).toMatch(/does not list/);
    expect(check('GET', '/api/v1/gates', 409, 'already_exists')).toMatch(/does not list/);
    expect(check('POST', '/api/v1/tokens', 401, 'token_expired')).toBeNull();
    expect(check('POST', '/api/v1/kiosk/events', 403, 'not_a_device')).toBeNull();
    expect(check('GET', '/admin/x', 404, 'not_found')).toBeNull(); // not an API operation
  });
});

/**
 * What an outside fuzzer does first, done here against every operation as every role: wrong
 * types, malformed JSON, junk parameters. The test app answers an undocumented status or code
 * as a 500 (createApp `checkErrorContract`), so "below 500" means "a documented 4xx or a success".
 */
describe('every operation answers junk with a documented 4xx', () => {
  const JUNK = [
    '',
    'x',
    '-1',
    '0',
    '1.5',
    '99999999999999999999',
    '%00',
    'null',
    '[]',
    '2026-02-30',
    '9999-12-31',
    'ᴬ'.repeat(300),
  ];
  const BODIES: (string | undefined)[] = [
    undefined,
    '{',
    '[]',
    '"x"',
    'null',
    '{"a":1}',
    JSON.stringify({ name: 1, id: 'x', events: 'x', rules: [] }),
  ];

  it('for every role, every body and every parameter', async () => {
    let calls = 0;
    for (const { method, path, op } of operations()) {
      if (path === '/api/v1/live/stream') continue; // an endless stream; its guard is in the role matrix
      if (path === '/api/v1/auth/logout') continue; // would end the sessions the rest of the run needs
      for (const role of ROLES) {
        for (const junk of JUNK) {
          const concrete = path.replace(/\{\w+\}/g, encodeURIComponent(junk) || 'x');
          const query = (op.parameters ?? [])
            .filter((p) => p.in === 'query')
            .map((p) => `${p.name}=${encodeURIComponent(junk)}`)
            .join('&');
          const bodies = method === 'GET' ? [undefined] : BODIES;
          for (const body of bodies) {
            const res = await t.request(method, `${concrete}${query ? `?${query}` : ''}`, {
              cookie: cookies[role],
              ...(body === undefined ? {} : { body }),
            });
            calls++;
            expect(
              res.status,
              `${role} ${method} ${concrete}?${query} ${body ?? ''}: ${res.text.slice(0, 300)}`,
            ).toBeLessThan(500);
          }
        }
      }
    }
    expect(calls).toBeGreaterThan(5000);
    // Still signed in: the answers above were each role's, not a 401 after a lost session.
    for (const role of ROLES)
      expect((await t.request('GET', '/api/v1/auth/me', { cookie: cookies[role] })).status, role).toBe(200);
  }, 300_000);
});

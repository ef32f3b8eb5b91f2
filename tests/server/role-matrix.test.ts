import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, TOKEN_SCOPES, type Role, type TokenScope } from '../../server/domain/roles';
import { createTestApp, type TestApp } from '../helpers/app';

const ALL = ROLES;
const ADMIN: Role[] = ['admin'];
const OFFICE_ADMIN: Role[] = ['admin', 'office'];
const OFFICE: Role[] = ['office'];
const FILER: Role[] = ['filer'];
const FILER_OFFICE: Role[] = ['filer', 'office'];
const PUBLIC = 'public' as const;
/** Only an enrolled gate tablet's token; every signed-in person, a guard included, is refused. */
const DEVICE = 'device' as const;

/**
 * Who may call what. Written by hand, not derived from the routes: the test fails when a route
 * is added without a line here, and when a route lets in a role this table does not.
 */
const MATRIX: Record<string, Role[] | typeof PUBLIC | typeof DEVICE> = {
  'GET /healthz': PUBLIC,
  'POST /api/v1/auth/login': PUBLIC,
  'POST /api/v1/auth/logout': PUBLIC,
  'GET /api/v1/auth/me': [...ALL],
  'POST /api/v1/auth/password': [...ALL],
  'PATCH /api/v1/auth/me': [...ALL],
  'GET /api/v1/users': OFFICE_ADMIN,
  'POST /api/v1/users': ADMIN,
  'PATCH /api/v1/users/{id}': ADMIN,
  'GET /api/v1/campuses': [...ALL],
  'POST /api/v1/campuses': ADMIN,
  'PATCH /api/v1/campuses/{id}': ADMIN,
  'GET /api/v1/gates': [...ALL],
  'POST /api/v1/gates': ADMIN,
  'PATCH /api/v1/gates/{id}': ADMIN,
  'GET /api/v1/departments': [...ALL],
  'POST /api/v1/departments': ADMIN,
  'PATCH /api/v1/departments/{id}': ADMIN,
  'GET /api/v1/tokens': ADMIN,
  'POST /api/v1/tokens': ADMIN,
  'DELETE /api/v1/tokens/{id}': ADMIN,
  'GET /api/v1/audit': OFFICE_ADMIN,
  'POST /api/v1/requests': FILER,
  'GET /api/v1/requests': FILER_OFFICE,
  'GET /api/v1/requests/{id}': FILER_OFFICE,
  'PUT /api/v1/requests/{id}': FILER,
  'POST /api/v1/requests/{id}/cancel': FILER_OFFICE,
  'POST /api/v1/requests/import': FILER,
  'GET /api/v1/requests/import/template': FILER,
  'GET /api/v1/requests/export': FILER_OFFICE,
  'GET /api/v1/requests/{id}/visitors/export': FILER_OFFICE,
  'GET /api/v1/review/queue': OFFICE,
  'POST /api/v1/review/{id}/approve': FILER_OFFICE,
  'POST /api/v1/review/approve-bulk': OFFICE,
  'POST /api/v1/review/{id}/reject': FILER_OFFICE,
  'POST /api/v1/review/emergency': OFFICE,
  'GET /api/v1/visit/{token}': PUBLIC,
  'POST /api/v1/visit/{token}/opened': PUBLIC,
  'POST /api/v1/visit/{token}/declaration': PUBLIC,
  'POST /api/v1/visit/{token}/erasure': PUBLIC,
  'GET /api/v1/visit/{token}/regions': PUBLIC,
  'GET /api/v1/me/{token}': PUBLIC,
  'POST /api/v1/me/{token}/leaves': PUBLIC,
  'POST /api/v1/me/{token}/leaves/{id}/cancel': PUBLIC,
  'POST /api/v1/me/{token}/check-in': PUBLIC,
  'GET /api/v1/me/{token}/regions': PUBLIC,
  'POST /api/v1/members/import': OFFICE,
  'GET /api/v1/members/template': OFFICE,
  'GET /api/v1/members': ['office', 'approver'],
  'GET /api/v1/members/summary': ['office', 'approver'],
  'POST /api/v1/members/{id}/reissue': OFFICE,
  'POST /api/v1/members/{id}/link': OFFICE,
  'POST /api/v1/members/{id}/deactivate': OFFICE,
  'POST /api/v1/members/{id}/exit-permit': OFFICE,
  'GET /api/v1/leaves': ['office', 'approver'],
  'POST /api/v1/leaves/{id}/decision': ['office', 'approver'],
  'POST /api/v1/leaves/{id}/clear': OFFICE,
  'POST /api/v1/invitations/{id}/remind': FILER,
  'POST /api/v1/invitations/{id}/reissue': FILER,
  'GET /api/v1/passes/keys': ['guard', 'office', 'admin'],
  'POST /api/v1/passes/{id}/revoke': FILER_OFFICE,
  'POST /api/v1/passes/keys': ['admin'],
  'GET /api/v1/rules': [...ALL],
  'GET /api/v1/rules/history': OFFICE_ADMIN,
  'POST /api/v1/rules/preview': OFFICE,
  'POST /api/v1/rules/level/preview': OFFICE,
  'PUT /api/v1/rules/level': OFFICE,
  'PUT /api/v1/rules': OFFICE,
  'GET /api/v1/rules/commitment': [...ALL],
  'PUT /api/v1/rules/commitment': OFFICE,
  'GET /api/v1/risk-areas': [...ALL],
  'POST /api/v1/risk-areas/preview': OFFICE,
  'POST /api/v1/risk-areas': OFFICE,
  'DELETE /api/v1/risk-areas/{id}': OFFICE,
  'GET /api/v1/blocklist': OFFICE,
  'POST /api/v1/blocklist': OFFICE,
  'DELETE /api/v1/blocklist/{id}': OFFICE,
  'GET /api/v1/regions': [...ALL],
  'POST /api/v1/devices/enrollments': OFFICE_ADMIN,
  'GET /api/v1/devices': OFFICE_ADMIN,
  'GET /api/v1/tls': OFFICE_ADMIN,
  'GET /api/v1/tls/campus-ca.crt': OFFICE_ADMIN,
  'POST /api/v1/devices/{id}/revoke': OFFICE_ADMIN,
  'POST /api/v1/devices/{id}/resync': OFFICE_ADMIN,
  'POST /api/v1/kiosk/enroll': PUBLIC,
  'GET /api/v1/kiosk/snapshot': DEVICE,
  'POST /api/v1/kiosk/shift': DEVICE,
  'POST /api/v1/kiosk/events': DEVICE,
  'POST /api/v1/kiosk/emergency': DEVICE,
  'GET /api/v1/alerts': OFFICE,
  'POST /api/v1/risk-areas/import': OFFICE,
  'POST /api/v1/alerts/ack': OFFICE,
  'POST /api/v1/alerts/ack-bulk': OFFICE,
  'GET /api/v1/live/wall': OFFICE,
  'GET /api/v1/live/stream': OFFICE,
  'GET /api/v1/reports/daily': OFFICE,
  'GET /api/v1/reports/daily/export': OFFICE,
  'GET /api/v1/reports/today': OFFICE,
  'GET /api/v1/reports/trend': OFFICE,
  'GET /api/v1/reports/daily/{id}': OFFICE,
  'POST /api/v1/reports/daily/{id}/sign-off': OFFICE,
  'POST /api/v1/reports/daily/{id}/reopen': OFFICE,
  'GET /api/v1/tracing/passages': OFFICE,
  'GET /api/v1/tracing/co-presence': OFFICE,
  'GET /api/v1/tracing/visitors': OFFICE,
  'GET /api/v1/tracing/passages/export': OFFICE,
  'GET /api/v1/tracing/co-presence/export': OFFICE,
  'GET /api/v1/presence': OFFICE,
  'POST /api/v1/visitors/{id}/erase': OFFICE,
  'GET /api/v1/kiosk/emergency/{id}': DEVICE,
  'GET /api/v1/notifications/channels': OFFICE_ADMIN,
  'PATCH /api/v1/devices/{id}': OFFICE_ADMIN,
  'POST /api/v1/notifications/channels': OFFICE_ADMIN,
  'PATCH /api/v1/notifications/channels/{id}': OFFICE_ADMIN,
  'POST /api/v1/notifications/channels/{id}/rotate-secret': OFFICE_ADMIN,
  'POST /api/v1/notifications/channels/{id}/test': OFFICE_ADMIN,
  'GET /api/v1/notifications/routing': OFFICE_ADMIN,
  'PUT /api/v1/notifications/routing': OFFICE_ADMIN,
  'GET /api/v1/notifications/deliveries': OFFICE_ADMIN,
  'POST /api/v1/notifications/deliveries/{id}/resend': OFFICE_ADMIN,
};

/**
 * What an integration token reaches, by scope, also by hand: every other route refuses a token
 * with `scope_missing`, whatever its scopes.
 */
const SCOPED: Record<string, TokenScope> = {
  // (GET /api/v1/auth/me answers any token: an integrator checks its own scopes there.)
  'POST /api/v1/requests': 'requests:file',
  'GET /api/v1/requests': 'requests:file',
  'GET /api/v1/requests/{id}': 'requests:file',
  'PUT /api/v1/requests/{id}': 'requests:file',
  'POST /api/v1/requests/{id}/cancel': 'requests:file',
  'POST /api/v1/requests/import': 'requests:file',
  'GET /api/v1/requests/import/template': 'requests:file',
  'GET /api/v1/requests/export': 'requests:file',
  'GET /api/v1/requests/{id}/visitors/export': 'requests:file',
  'POST /api/v1/invitations/{id}/remind': 'requests:file',
  'POST /api/v1/invitations/{id}/reissue': 'requests:file',
  'GET /api/v1/reports/daily': 'reports:read',
  'GET /api/v1/reports/daily/export': 'reports:read',
  'GET /api/v1/reports/today': 'reports:read',
  'GET /api/v1/reports/trend': 'reports:read',
  'GET /api/v1/reports/daily/{id}': 'reports:read',
  'GET /api/v1/live/wall': 'events:read',
  'GET /api/v1/live/stream': 'events:read',
  'GET /api/v1/alerts': 'events:read',
};

let t: TestApp;
const cookies = {} as Record<Role, string>;

beforeAll(async () => {
  t = createTestApp();
  for (const role of ROLES) cookies[role] = await t.signIn(role);
});
afterAll(() => t.cleanup());

describe('role matrix', () => {
  it('lists every route of the OpenAPI document, and no other', async () => {
    const doc = (await t.request('GET', '/api/openapi.json')).json as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(Object.keys(MATRIX).sort());
  });

  it('names every operation once and states its security as the matrix has it: none, a device token, or a session or bearer token', async () => {
    type Op = {
      operationId: string;
      summary: string;
      security: Record<string, string[]>[];
      responses: Record<string, unknown>;
    };
    const doc = (await t.request('GET', '/api/openapi.json')).json as { paths: Record<string, Record<string, Op>> };
    const ops = Object.entries(doc.paths).flatMap(([path, byMethod]) =>
      Object.entries(byMethod).map(([m, op]) => ({ key: `${m.toUpperCase()} ${path}`, op })),
    );
    expect(new Set(ops.map((o) => o.op.operationId)).size).toBe(ops.length);
    for (const { key, op } of ops) {
      expect(op.summary, key).toBeTruthy();
      expect(op.responses['500'], key).toBeDefined();
      const schemes = op.security.flatMap((s) => Object.keys(s)).sort();
      const expected = MATRIX[key] === PUBLIC ? [] : MATRIX[key] === DEVICE ? ['device'] : ['bearer', 'session'];
      expect(schemes, key).toEqual(expected);
    }
  });

  const gated = Object.entries(MATRIX).filter((e): e is [string, Role[]] => Array.isArray(e[1]));
  const deviceOnly = Object.entries(MATRIX)
    .filter((e) => e[1] === DEVICE)
    .map(([k]) => k);
  /** Event streams never end: their status is read and the stream is cancelled. */
  const STREAMS = new Set(['GET /api/v1/live/stream']);
  // Route guards run before validation, so an empty body is enough to learn the guard's answer.
  const call = async (key: string, cookie?: string, bearer?: string) => {
    const [method, path] = key.split(' ') as [string, string];
    if (STREAMS.has(key)) {
      const res = await t.app.request(`http://localhost${path}`, {
        headers: { ...(cookie ? { cookie } : {}), ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      });
      if (res.status !== 200) return { status: res.status, json: await res.json() };
      await res.body?.cancel();
      return { status: res.status, json: null };
    }
    return t.request(method, path.replace('{id}', '999'), {
      cookie,
      bearer,
      ...(method === 'GET' || method === 'DELETE' ? {} : { body: {} }),
    });
  };

  it.each(deviceOnly)('%s answers only an enrolled tablet', async (key) => {
    expect((await call(key)).status).toBe(401);
    for (const role of ROLES) expect((await call(key, cookies[role])).status, role).toBe(403);
    const code = (
      await t.request('POST', '/api/v1/devices/enrollments', {
        cookie: cookies.office,
        body: { gateId: t.campus.gateIds.north },
      })
    ).json.code;
    const { token } = (await t.request('POST', '/api/v1/kiosk/enroll', { body: { code } })).json;
    const res = await call(key, undefined, token);
    expect([401, 403]).not.toContain(res.status);
    expect(res.status).toBeLessThan(500);
  });

  it.each(gated)('%s refuses anonymous callers with 401', async (key) => {
    const res = await call(key);
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('unauthenticated');
  });

  for (const role of ROLES) {
    it.each(gated)(`%s answers role ${role} as the matrix says`, async (key, allowed) => {
      const res = await call(key, cookies[role]);
      if (allowed.includes(role)) {
        expect([401, 403]).not.toContain(res.status);
        expect(res.status).toBeLessThan(500);
      } else {
        expect(res.status).toBe(403);
        expect(res.json.error.code).toBe('forbidden');
      }
    });
  }

  for (const scope of TOKEN_SCOPES) {
    it(`lets a token with only ${scope} reach the routes of that scope and no other`, async () => {
      const made = await t.request('POST', '/api/v1/tokens', {
        cookie: cookies.admin,
        body: {
          name: scope,
          scopes: [scope],
          departmentId: scope === 'requests:file' ? t.campus.departmentIds.cs : null,
          expiresInDays: 30,
        },
      });
      expect(made.status).toBe(201);
      for (const [key] of gated) {
        const res = await call(key, undefined, made.json.token);
        if (SCOPED[key] === scope || key === 'GET /api/v1/auth/me') {
          expect([401, 403], key).not.toContain(res.status);
          expect(res.status, key).toBeLessThan(500);
        } else {
          expect(res.status, key).toBe(403);
          expect(res.json.error.code, key).toBe('scope_missing');
        }
      }
      for (const key of deviceOnly) expect((await call(key, undefined, made.json.token)).status, key).toBe(403);
    });
  }
});

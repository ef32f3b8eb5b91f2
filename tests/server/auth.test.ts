import { afterEach, describe, expect, it } from 'vitest';
import { auditLog } from '../../server/db/schema';
import { ok } from '../../server/domain/api-result';
import { createTestApp, type TestApp } from '../helpers/app';
import { TEST_PASSWORD } from '../helpers/builders';

let t: TestApp;
afterEach(() => t?.cleanup());

describe('POST /api/v1/auth/login', () => {
  it('signs in and sets an HttpOnly, SameSite=Strict session cookie', async () => {
    t = createTestApp();
    const res = await t.request('POST', '/api/v1/auth/login', {
      body: { username: 'office1', password: TEST_PASSWORD },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ username: 'office1', role: 'office' });
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^gh_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).not.toMatch(/Secure/i);
  });

  it('marks the cookie Secure when served over HTTPS', async () => {
    t = createTestApp({ env: { PUBLIC_ORIGIN: 'https://gate.example.edu' } });
    const res = await t.request('POST', '/api/v1/auth/login', {
      body: { username: 'office1', password: TEST_PASSWORD },
    });
    expect(res.headers.get('set-cookie')).toMatch(/Secure/i);
  });

  it('refuses a wrong password and an unknown user with the same code', async () => {
    t = createTestApp();
    const wrong = await t.request('POST', '/api/v1/auth/login', {
      body: { username: 'office1', password: 'nope-nope-nope' },
    });
    const unknown = await t.request('POST', '/api/v1/auth/login', {
      body: { username: 'ghost', password: 'nope-nope-nope' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.json.error.code).toBe('invalid_credentials');
    expect(unknown.json.error.code).toBe('invalid_credentials');
  });

  it('rate-limits per client address with 429 and Retry-After', async () => {
    t = createTestApp({ env: { LOGIN_RATE_LIMIT: '3', LOGIN_RATE_WINDOW_SECONDS: '60' } });
    for (let i = 0; i < 3; i++) {
      expect(
        (await t.request('POST', '/api/v1/auth/login', { body: { username: 'office1', password: 'wrong-wrong' } }))
          .status,
      ).toBe(401);
    }
    const limited = await t.request('POST', '/api/v1/auth/login', {
      body: { username: 'office1', password: TEST_PASSWORD },
    });
    expect(limited.status).toBe(429);
    expect(limited.json.error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    t.clock.advance(61_000);
    expect(
      (await t.request('POST', '/api/v1/auth/login', { body: { username: 'office1', password: TEST_PASSWORD } }))
        .status,
    ).toBe(200);
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY is set', async () => {
    t = createTestApp({ env: { LOGIN_RATE_LIMIT: '1' } });
    const attempt = (xff: string) =>
      t.request('POST', '/api/v1/auth/login', {
        body: { username: 'x1', password: 'wrong-wrong' },
        headers: { 'x-forwarded-for': xff },
      });
    expect((await attempt('10.0.0.1')).status).toBe(401);
    expect((await attempt('10.0.0.2')).status).toBe(429); // same socket address: the header changed nothing
    t.cleanup();
    t = createTestApp({ env: { LOGIN_RATE_LIMIT: '1', TRUST_PROXY: 'true' } });
    expect((await attempt('10.0.0.1')).status).toBe(401);
    expect((await attempt('10.0.0.2')).status).toBe(401); // a different client behind the proxy
    expect((await attempt('10.0.0.1')).status).toBe(429);
  });

  it('writes an audit entry for each sign-in', async () => {
    t = createTestApp();
    await t.signIn('guard');
    const rows = t.db
      .select()
      .from(auditLog)
      .all()
      .filter((r) => r.action === 'auth.login');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.entityId).toBe(String(t.users.guard.id));
  });
});

describe('sessions', () => {
  it('ends after the idle timeout', async () => {
    t = createTestApp({ env: { SESSION_IDLE_MINUTES: '30' } });
    const cookie = await t.signIn('office');
    t.clock.advance(29 * 60_000);
    expect((await t.request('GET', '/api/v1/auth/me', { cookie })).status).toBe(200);
    t.clock.advance(29 * 60_000); // active 29 min ago: still alive
    expect((await t.request('GET', '/api/v1/auth/me', { cookie })).status).toBe(200);
    t.clock.advance(31 * 60_000);
    expect((await t.request('GET', '/api/v1/auth/me', { cookie })).status).toBe(401);
  });

  it('ends at the absolute timeout even when active', async () => {
    t = createTestApp({ env: { SESSION_IDLE_MINUTES: '60', SESSION_MAX_HOURS: '2' } });
    const cookie = await t.signIn('office');
    for (let i = 0; i < 4; i++) {
      t.clock.advance(29 * 60_000);
      expect((await t.request('GET', '/api/v1/auth/me', { cookie })).status).toBe(200);
    }
    t.clock.advance(5 * 60_000);
    expect((await t.request('GET', '/api/v1/auth/me', { cookie })).status).toBe(401);
  });

  it('logout takes effect on the next request', async () => {
    t = createTestApp();
    const cookie = await t.signIn('office');
    expect((await t.request('POST', '/api/v1/auth/logout', { cookie })).status).toBe(204);
    expect((await t.request('GET', '/api/v1/auth/me', { cookie })).status).toBe(401);
  });

  it('disabling an account takes effect on its next request', async () => {
    t = createTestApp();
    const office = await t.signIn('office');
    const admin = await t.signIn('admin');
    const res = await t.request('PATCH', `/api/v1/users/${t.users.office.id}`, {
      cookie: admin,
      body: { disabled: true },
    });
    expect(res.status).toBe(200);
    expect((await t.request('GET', '/api/v1/auth/me', { cookie: office })).status).toBe(401);
    const again = await t.request('POST', '/api/v1/auth/login', {
      body: { username: 'office1', password: TEST_PASSWORD },
    });
    expect(again.json.error.code).toBe('invalid_credentials');
  });

  it('changing my password ends my other sessions but keeps this one', async () => {
    t = createTestApp();
    const here = await t.signIn('filer');
    const elsewhere = await t.signIn('filer');
    const res = await t.request('POST', '/api/v1/auth/password', {
      cookie: here,
      body: { currentPassword: TEST_PASSWORD, newPassword: 'a-brand-new-password' },
    });
    expect(res.status).toBe(204);
    expect((await t.request('GET', '/api/v1/auth/me', { cookie: here })).status).toBe(200);
    expect((await t.request('GET', '/api/v1/auth/me', { cookie: elsewhere })).status).toBe(401);
    await t.signIn({ username: 'filer1', password: 'a-brand-new-password' });
  });
});

describe('cross-site request protection', () => {
  it('refuses a cookie write without an Origin header', async () => {
    t = createTestApp();
    const cookie = await t.signIn('admin');
    const res = await t.request('POST', '/api/v1/departments', {
      cookie,
      body: { code: 'x', name: 'X' },
      headers: { origin: '' },
    });
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('cross_site_request');
  });

  it('refuses a cookie write from another origin', async () => {
    t = createTestApp();
    const cookie = await t.signIn('admin');
    const res = await t.request('POST', '/api/v1/departments', {
      cookie,
      body: { code: 'x', name: 'X' },
      headers: { origin: 'https://evil.example' },
    });
    expect(res.status).toBe(403);
  });

  it('refuses a form-encoded write (what a cross-site form can send) with 415', async () => {
    t = createTestApp();
    const cookie = await t.signIn('admin');
    const res = await t.request('POST', '/api/v1/departments', {
      cookie,
      body: 'code=x&name=X',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(415);
  });

  it('accepts a same-origin JSON write and a PUBLIC_ORIGIN write', async () => {
    t = createTestApp({ env: { PUBLIC_ORIGIN: 'https://gate.example.edu' } });
    const cookie = await t.signIn('admin');
    expect((await t.request('POST', '/api/v1/departments', { cookie, body: { code: 'a', name: 'A' } })).status).toBe(
      201,
    );
    expect(
      (
        await t.request('POST', '/api/v1/departments', {
          cookie,
          body: { code: 'b', name: 'B' },
          headers: { origin: 'https://gate.example.edu' },
        })
      ).status,
    ).toBe(201);
  });
});

describe('bearer tokens', () => {
  it('act as a department filer until revoked, through the same middleware', async () => {
    t = createTestApp();
    const admin = await t.signIn('admin');
    const created = await t.request('POST', '/api/v1/tokens', {
      cookie: admin,
      body: {
        name: 'OA system',
        scopes: ['requests:file'],
        departmentId: t.campus.departmentIds.cs,
        expiresInDays: 90,
      },
    });
    expect(created.status).toBe(201);
    const token = created.json.token as string;
    const me = await t.request('GET', '/api/v1/auth/me', { bearer: token });
    expect(me.json).toMatchObject({ kind: 'token', role: 'filer', departmentId: t.campus.departmentIds.cs });
    // the token is stored only as a hash
    expect(t.sqlite.prepare('select count(*) n from api_tokens where token_hash = ?').get(token)).toEqual({ n: 0 });
    expect((await t.request('DELETE', `/api/v1/tokens/${created.json.id}`, { cookie: admin })).status).toBe(200);
    const after = await t.request('GET', '/api/v1/auth/me', { bearer: token });
    expect(after.status).toBe(401);
  });

  it('carry scopes and an expiry, shown when made and listed without the secret; an expired token is refused with its own code', async () => {
    t = createTestApp();
    const admin = t.client({ cookie: await t.signIn('admin') });
    const made = await ok(
      admin.tokens.$post({
        json: { name: '报表系统', scopes: ['reports:read'], departmentId: null, expiresInDays: 30 },
      }),
    );
    expect(made).toMatchObject({
      kind: 'integration',
      scopes: ['reports:read'],
      departmentId: null,
      status: 'active',
      expiresAt: '2026-12-20T02:00:00.000Z',
    });
    expect(made.token).toMatch(/^ghi_/);
    const listed = (await ok(admin.tokens.$get())).find((tk) => tk.id === made.id);
    expect(listed).toEqual({ ...made, token: undefined });
    expect(JSON.stringify(await ok(admin.tokens.$get()))).not.toContain(made.token);

    const reports = t.client({ bearer: made.token });
    expect((await reports.reports.today.$get()).status).toBe(200);
    t.clock.set('2026-12-20T02:00:00Z');
    const expired = await reports.reports.today.$get();
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ error: { code: 'token_expired' } });
    expect(
      (await ok(t.client({ cookie: await t.signIn('admin') }).tokens.$get())).find((tk) => tk.id === made.id)?.status,
    ).toBe('expired');
  });

  it('refuses a token without scopes, a filing token without its department, a department on a token that does not file, and a lifetime over a year', async () => {
    t = createTestApp();
    const admin = await t.signIn('admin');
    const make = (body: Record<string, unknown>) =>
      t.request('POST', '/api/v1/tokens', { cookie: admin, body: { name: 'x', expiresInDays: 30, ...body } });
    const cases: [Record<string, unknown>, string, string][] = [
      [{ scopes: [], departmentId: null }, 'scopes', 'too_small'],
      [{ scopes: ['requests:file'], departmentId: null }, 'departmentId', 'department_required'],
      [{ scopes: ['reports:read'], departmentId: t.campus.departmentIds.cs }, 'departmentId', 'department_not_allowed'],
      [{ scopes: ['reports:read'], departmentId: null, expiresInDays: 367 }, 'expiresInDays', 'too_big'],
      [{ scopes: ['reports:read', 'reports:read'], departmentId: null }, 'scopes', 'custom'],
      [{ scopes: ['admin'], departmentId: null }, 'scopes', 'invalid_value'],
      [{ scopes: ['requests:file'], departmentId: 999 }, 'departmentId', 'unknown_department'],
    ];
    for (const [body, path, code] of cases) {
      const res = await make(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.issues[0], JSON.stringify(body)).toMatchObject({
        path: expect.arrayContaining([path]),
        code,
      });
    }
  });

  it('keeps a token made before scopes existed filing for its department, with no expiry shown as such', async () => {
    t = createTestApp();
    const admin = t.client({ cookie: await t.signIn('admin') });
    const made = await ok(
      admin.tokens.$post({
        json: { name: 'OA', scopes: ['requests:file'], departmentId: t.campus.departmentIds.cs, expiresInDays: 30 },
      }),
    );
    // As migration 0010 leaves an older token: its scopes filled in, no expiry.
    t.sqlite.prepare('update api_tokens set expires_at = null where id = ?').run(made.id);
    t.clock.set('2027-06-01T02:00:00Z');
    expect((await t.client({ bearer: made.token }).requests.$get({ query: {} })).status).toBe(200);
    expect(
      (await ok(t.client({ cookie: await t.signIn('admin') }).tokens.$get())).find((tk) => tk.id === made.id),
    ).toMatchObject({ expiresAt: null, status: 'active' });
  });

  it('refuses a malformed Authorization header', async () => {
    t = createTestApp();
    const res = await t.request('GET', '/api/v1/auth/me', { headers: { authorization: 'Basic abc' } });
    expect(res.status).toBe(401);
  });
});

describe('login rate limit', () => {
  it('does not count successful sign-ins (an office behind one NAT address)', async () => {
    t = createTestApp({ env: { LOGIN_RATE_LIMIT: '2' } });
    for (let i = 0; i < 5; i++) await t.signIn('office');
  });
});

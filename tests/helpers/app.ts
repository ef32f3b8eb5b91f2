import { randomBytes } from 'node:crypto';
import { testClient } from 'hono/testing';
import { deriveKey } from '../../server/lib/secrets';
import { createApp } from '../../server/app';
import { createEvents } from '../../server/events';
import { loadConfig } from '../../server/env';
import { fixedClock } from '../../server/lib/clock';
import { silentLogger } from '../../server/lib/logger';
import { ROLES, type Role } from '../../server/domain/roles';
import { createTestDb } from './db';
import { ensureSigningKey } from '../../server/passes/keys';
import { ensureRulesAndTexts } from '../../server/rules/store';
import { createUser, seedCampus, TEST_PASSWORD } from './builders';

export const ORIGIN = 'http://localhost';

export interface RequestOptions {
  body?: unknown;
  cookie?: string;
  bearer?: string;
  headers?: Record<string, string>;
}

/**
 * The real app over a real, freshly migrated SQLite file, with a clock the test moves.
 * Seeds a campus and one user per role. Requests go through app.request: real HTTP semantics,
 * no socket.
 */
export function createTestApp({
  env = {},
  now = '2026-11-20T02:00:00Z',
}: { env?: Record<string, string>; now?: string } = {}) {
  const testDb = createTestDb();
  const clock = fixedClock(now);
  // The clock stands still, so a limiter's window never ends: the per-account limit is tested on its own.
  const config = loadConfig({ LOG_LEVEL: 'silent', LOGIN_ACCOUNT_LIMIT: '10000', VISIT_RATE_LIMIT: '10000', ...env });
  // The key file's key, as main.ts would load it: the tests may read a derived key from it.
  const idHashKey = randomBytes(32);
  const events = createEvents(silentLogger);
  const app = createApp({
    db: testDb.db,
    clock,
    config,
    logger: silentLogger,
    idHashKey,
    events,
    checkErrorContract: true,
  });
  ensureRulesAndTexts(testDb.db, 'Asia/Shanghai');
  ensureSigningKey(testDb.db, clock.now(), deriveKey(idHashKey, 'signing-key-wrap'));
  const campus = seedCampus(testDb.db);
  const users = Object.fromEntries(ROLES.map((r) => [r, createUser(testDb.db, campus, r)])) as Record<
    Role,
    ReturnType<typeof createUser>
  >;

  async function request(method: string, path: string, opts: RequestOptions = {}) {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.body !== undefined) headers['content-type'] ??= 'application/json';
    if (opts.cookie) {
      headers.cookie = opts.cookie;
      headers.origin ??= ORIGIN; // what a browser sends with a same-origin write
    }
    if (opts.bearer) headers.authorization = `Bearer ${opts.bearer}`;
    const body =
      opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    const res = await app.request(`${ORIGIN}${path}`, { method, headers, body });
    const text = await res.text();
    let json: any = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { status: res.status, headers: res.headers, json, text };
  }

  /** Signs in through the login route; answers the Cookie header value to send. */
  async function signIn(role: Role | { username: string; password?: string }) {
    const username = typeof role === 'string' ? users[role].username : role.username;
    const password = typeof role === 'string' ? TEST_PASSWORD : (role.password ?? TEST_PASSWORD);
    const res = await request('POST', '/api/v1/auth/login', { body: { username, password } });
    if (res.status !== 200) throw new Error(`sign-in as ${username} failed: ${res.status} ${res.text}`);
    const setCookie = res.headers.get('set-cookie') ?? '';
    return setCookie.split(';')[0]!;
  }

  /**
   * Hono's typed client over the same app, for ordinary calls: a route whose types are lost or
   * changed breaks the test that calls it at type-check time, not only at run time.
   */
  function client(auth: { cookie?: string; bearer?: string } = {}) {
    const headers: Record<string, string> = {};
    if (auth.cookie) Object.assign(headers, { cookie: auth.cookie, origin: ORIGIN });
    if (auth.bearer) headers.authorization = `Bearer ${auth.bearer}`;
    return testClient(app, undefined, undefined, { headers }).api.v1;
  }

  return { ...testDb, app, clock, config, campus, users, request, signIn, client, idHashKey, events };
}

export type TestApp = ReturnType<typeof createTestApp>;

import { Hono } from 'hono';
import { rmSync } from 'node:fs';
import { createApp } from '../server/app';
import { loadConfig } from '../server/env';
import { silentLogger } from '../server/lib/logger';
import { createTestDb } from '../tests/helpers/db';
import { createUser, seedCampus, TEST_PASSWORD } from '../tests/helpers/builders';
import { row, timeEach } from './lib';

/**
 * The cost of our middleware stack (request id, logging, security headers, body limit, origin
 * guard, session lookup, role guard, validation) on an authenticated read, against a baseline
 * measured in the same run: a bare Hono route doing the same session lookup in SQLite.
 */
export async function benchApi(n = 5000) {
  const t = createTestDb();
  const campus = seedCampus(t.db);
  createUser(t.db, campus, 'office');
  const app = createApp({ db: t.db, config: loadConfig({ LOG_LEVEL: 'silent' }), logger: silentLogger });
  const login = await app.request('http://localhost/api/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'office1', password: TEST_PASSWORD }),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;

  const bare = new Hono();
  const lookup = t.sqlite.prepare(
    'select u.id, u.username, u.role from sessions s join users u on u.id = s.user_id where s.id = ?',
  );
  const sessionId = (t.sqlite.prepare('select id from sessions limit 1').get() as { id: string }).id;
  bare.get('/me', (c) => c.json(lookup.get(sessionId)));

  for (let i = 0; i < 200; i++) {
    await bare.request('http://localhost/me');
    await app.request('http://localhost/api/v1/auth/me', { headers: { cookie } });
  }
  const base = await timeEach(n, () => bare.request('http://localhost/me'));
  const ours = await timeEach(n, () => app.request('http://localhost/api/v1/auth/me', { headers: { cookie } }));
  console.log('\nGET /api/v1/auth/me, in process (app.request), synchronous=FULL');
  row('baseline: bare Hono + same SQLite lookup', base);
  row('Gatehouse: full middleware stack', ours);
  const ratio = base.length / base.reduce((s, x) => s + x, 0) / (ours.length / ours.reduce((s, x) => s + x, 0));
  console.log(`throughput ratio Gatehouse / baseline: ${(1 / ratio).toFixed(2)}×`);
  t.cleanup();
  rmSync(t.dir, { recursive: true, force: true });
}

import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app';
import { seedDemo, seedDemoMembers, DEMO_USERS } from '../../server/demo/seed';
import { loadConfig } from '../../server/env';
import { silentLogger } from '../../server/lib/logger';
import { ensureSigningKey } from '../../server/passes/keys';
import { ensureRulesAndTexts } from '../../server/rules/store';
import { createTestDb } from '../helpers/db';

let t: ReturnType<typeof createTestDb>;
afterEach(() => t?.cleanup());

describe('seedDemo', () => {
  it('seeds a campus with three gates, a dozen departments, one login per role and a visit for today', async () => {
    t = createTestDb();
    ensureRulesAndTexts(t.db, 'Asia/Shanghai');
    const signingKeyWrap = randomBytes(32);
    ensureSigningKey(t.db, new Date(), signingKeyWrap);
    const lines: string[] = [];
    const first = seedDemo(t.db, loadConfig({}), (l) => lines.push(l), { signingKeyWrap });
    // A second start seeds nothing twice.
    expect(seedDemo(t.db, loadConfig({}), () => undefined, { signingKeyWrap })).toBe(first);
    const app = createApp({ db: t.db, config: loadConfig({ LOG_LEVEL: 'silent' }), logger: silentLogger });
    for (const u of DEMO_USERS) {
      const res = await app.request('http://localhost/api/v1/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: u.username, password: u.password }),
      });
      expect(res.status, u.username).toBe(200);
    }
    expect(t.sqlite.prepare('select count(*) n from gates').get()).toEqual({ n: 3 });
    expect(t.sqlite.prepare('select count(*) n from departments').get()).toEqual({ n: 12 });
    expect(t.sqlite.prepare('select count(*) n from passes').get()).toEqual({ n: 1 });
    expect(first).toMatch(/^\/v\/[A-Za-z0-9_-]{20,}$/);
    // Campus members: a student's page to try, once.
    const student = seedDemoMembers(t.db, new Date(), randomBytes(32));
    expect(student).toMatch(/^\/m\/[A-Za-z0-9_-]{20,}$/);
    expect(seedDemoMembers(t.db, new Date(), randomBytes(32))).toBe(student);
    expect(t.sqlite.prepare('select count(*) n from members').get()).toEqual({ n: 3 });
    expect(lines.join('\n')).toContain('office');
  });

  it('expects a visitor on the day the demo starts, not only on the day its database was made', () => {
    t = createTestDb();
    ensureRulesAndTexts(t.db, 'Asia/Shanghai');
    const signingKeyWrap = randomBytes(32);
    ensureSigningKey(t.db, new Date('2026-11-20T02:00:00Z'), signingKeyWrap);
    const made = seedDemo(t.db, loadConfig({}), () => undefined, {
      signingKeyWrap,
      now: new Date('2026-11-20T02:00:00Z'),
    });
    const later = seedDemo(t.db, loadConfig({}), () => undefined, {
      signingKeyWrap,
      now: new Date('2026-11-27T02:00:00Z'),
    });
    expect(later).not.toBe(made);
    expect(
      t.sqlite.prepare("select visit_date_from d from visit_requests where filed_by_label = 'demo' order by id").all(),
    ).toEqual([{ d: '2026-11-20' }, { d: '2026-11-27' }]);
  });
});

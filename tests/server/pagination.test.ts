import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app';
import { requestInput, residentId, visitorInput } from '../helpers/filing';

let t: TestApp;
afterEach(() => t?.cleanup());

type Page = { items: Record<string, unknown>[]; nextCursor: string | null };

/** A campus with a few of everything that grows: requests, a queue, rule versions, blocks, reports, audit. */
async function world() {
  t = createTestApp();
  const filer = await t.signIn('filer');
  const office = await t.signIn('office');
  // A school system told of each filing: the delivery log grows with them.
  const hook = await t.request('POST', '/api/v1/notifications/channels', {
    cookie: office,
    body: {
      kind: 'webhook',
      name: '校务系统',
      url: 'https://hooks.example.edu.cn/gatehouse',
      events: ['request.filed'],
    },
  });
  expect(hook.status).toBe(201);
  for (let i = 1; i <= 5; i++) {
    const res = await t.request('POST', '/api/v1/requests', {
      cookie: filer,
      body: requestInput(t.campus.gateIds.north, { purpose: `来访 ${i}`, visitors: [visitorInput({}, i)] }),
    });
    expect(res.status).toBe(201);
  }
  const rules = (await t.request('GET', '/api/v1/rules', { cookie: office })).json.rules;
  for (const feverThresholdC of [37.4, 37.5, 37.3]) {
    expect(
      (
        await t.request('PUT', '/api/v1/rules', {
          cookie: office,
          body: { rules: { ...rules, feverThresholdC }, reason: `体温 ${feverThresholdC}` },
        })
      ).status,
    ).toBe(200);
  }
  for (let i = 20; i < 24; i++) {
    expect(
      (
        await t.request('POST', '/api/v1/blocklist', {
          cookie: office,
          body: { idType: 'resident_id', idNumber: residentId(i), reason: '冒用证件' },
        })
      ).status,
    ).toBe(201);
  }
  // Campus members and their leaves.
  const member = t.sqlite.prepare(
    "insert into members (number, name, type, resident, link_token, created_at, updated_at) values (?, ?, 'student', 1, ?, 0, 0)",
  );
  const leave = t.sqlite.prepare(
    "insert into leaves (member_id, from_at, to_at, destination, reason, status, filed_at) values (?, 0, 1, '410105', '回家', 'pending', 0)",
  );
  for (let i = 1; i <= 5; i++) {
    const id = member.run(`2023${i}`, `学生${i}`, `member-link-token-${i}-xxxxxxxxxx`).lastInsertRowid;
    leave.run(id);
  }
  t.clock.set('2026-11-24T02:00:00Z');
  return { cookie: await t.signIn('office') };
}

/** Every list that grows, with what identifies one of its items. */
const LISTS: [path: string, key: (item: Record<string, unknown>) => unknown][] = [
  ['/api/v1/requests', (r) => r.id],
  ['/api/v1/review/queue', (r) => r.id],
  ['/api/v1/audit', (r) => r.id],
  ['/api/v1/notifications/deliveries', (r) => r.id],
  ['/api/v1/rules/history', (r) => r.version],
  ['/api/v1/blocklist', (r) => r.id],
  ['/api/v1/members', (r) => r.id],
  ['/api/v1/leaves?status=all', (r) => r.id],
  ['/api/v1/reports/daily?from=2026-11-20&to=2026-11-23', (r) => `${String(r.day)}:${String(r.scope)}`],
];

describe('one pagination convention for every list that grows', () => {
  it('walks each list a page at a time to exactly the whole list, in the same order', async () => {
    const { cookie } = await world();
    for (const [path, key] of LISTS) {
      const sep = path.includes('?') ? '&' : '?';
      const whole = (await t.request('GET', `${path}${sep}limit=500`, { cookie })).json as Page;
      expect(whole.nextCursor, path).toBeNull();
      expect(whole.items.length, path).toBeGreaterThanOrEqual(3);
      const walked: unknown[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await t.request(
          'GET',
          `${path}${sep}limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          { cookie },
        );
        expect(res.status, path).toBe(200);
        const page = res.json as Page;
        expect(page.items.length, path).toBeLessThanOrEqual(2);
        walked.push(...page.items.map(key));
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 100);
      expect(walked, path).toEqual(whole.items.map(key));
      expect(pages, path).toBe(Math.ceil(whole.items.length / 2));
    }
  });

  it('refuses a cursor it did not give out with a field error, never a 500', async () => {
    const { cookie } = await world();
    const made = [
      'x',
      Buffer.from('[1,2,3]').toString('base64url'),
      Buffer.from('{"id":1}').toString('base64url'),
      Buffer.from('["a"]').toString('base64url'),
      '%%%',
    ];
    for (const [path] of LISTS) {
      const sep = path.includes('?') ? '&' : '?';
      for (const cursor of made) {
        const res = await t.request('GET', `${path}${sep}cursor=${encodeURIComponent(cursor)}`, { cookie });
        expect(res.status, `${path} ${cursor}`).toBe(400);
        expect(res.json.error.issues[0]).toMatchObject({ path: ['cursor'], code: 'invalid_cursor' });
      }
    }
  });

  it('says so in the API description: every paged list takes limit and cursor and answers items and nextCursor; no other paging', async () => {
    t = createTestApp();
    type Param = { name: string; in: string };
    type Op = {
      parameters?: Param[];
      responses: Record<string, { content?: Record<string, { schema: { properties?: Record<string, unknown> } }> }>;
    };
    const doc = (await t.request('GET', '/api/openapi.json')).json as { paths: Record<string, Record<string, Op>> };
    const paged: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const names = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
        expect(names, `${method} ${path}`).not.toContain('page');
        expect(names, `${method} ${path}`).not.toContain('pageSize');
        expect(names, `${method} ${path}`).not.toContain('offset');
        if (!names.includes('cursor')) continue;
        paged.push(path);
        expect(names, path).toContain('limit');
        expect(Object.keys(op.responses['200']?.content?.['application/json']?.schema.properties ?? {}), path).toEqual(
          expect.arrayContaining(['items', 'nextCursor']),
        );
      }
    }
    expect(paged.sort()).toEqual(LISTS.map(([p]) => p.split('?')[0]).sort());
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { boundedJson } from '../../server/lib/bounded-json';
import { csvField, spreadsheetSafe } from '../../server/lib/csv';
import { createTestApp, type TestApp } from '../helpers/app';
import { TEST_PASSWORD } from '../helpers/builders';
import { requestInput, visitorInput } from '../helpers/filing';
import { decisionEvent, enrollDevice } from '../helpers/kiosk';

let t: TestApp;
afterEach(() => t?.cleanup());

const codesOf = (res: { json: { error: { issues?: { code: string }[] } } }) =>
  (res.json.error.issues ?? []).map((i) => i.code);

describe('inputs that once reached a 500 get a clear 4xx', () => {
  it('rules with a time zone that is not an IANA zone, saved or previewed', async () => {
    t = createTestApp();
    const office = await t.signIn('office');
    const rules = (await t.request('GET', '/api/v1/rules', { cookie: office })).json.rules;
    for (const timezone of ['Mars/Olympus', 'Asia/Shanghai; drop', '+08:00', '']) {
      for (const path of ['/api/v1/rules', '/api/v1/rules/preview']) {
        const res = await t.request(path.endsWith('preview') ? 'POST' : 'PUT', path, {
          cookie: office,
          body: { rules: { ...rules, timezone }, reason: '时区测试' },
        });
        expect(res.status, `${path} ${timezone}`).toBe(400);
        expect(res.json.error.code).toBe('validation_failed');
      }
    }
  });

  it('a batch with an item nested 10,000 deep: that item is rejected, the valid events of the batch are stored', async () => {
    t = createTestApp();
    const { token } = await enrollDevice(t, t.campus.gateIds.north);
    // Built as text: JSON.stringify itself overflows on values this deep.
    const deepObject = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    const deepArray = `${'['.repeat(10_000)}1${']'.repeat(10_000)}`;
    const [a, b] = [
      decisionEvent(1, { verdict: 'refuse', reasons: ['courier'] }),
      decisionEvent(3, { verdict: 'refuse', reasons: ['courier'] }),
    ];
    const inner = JSON.stringify({ ...decisionEvent(2), input: { pass: 'DEEP' } }).replace('"DEEP"', deepObject);
    const body = `{"events":[${JSON.stringify(a)},${deepArray},${inner},${JSON.stringify(b)}]}`;
    const res = await t.request('POST', '/api/v1/kiosk/events', { bearer: token, body });
    expect(res.status).toBe(200);
    expect(res.json.acked).toEqual([a.id, b.id]);
    expect(res.json.rejected).toHaveLength(2);
    const stored = t.sqlite.prepare('select length(raw) n from gate_event_rejections').all() as { n: number }[];
    expect(stored.every((r) => r.n <= 2048)).toBe(true);
  });

  it('dates before 2000 or after 2099 in filings and report queries, and visits past the furthest filing day (30 days)', async () => {
    t = createTestApp();
    const filer = await t.signIn('filer');
    const office = await t.signIn('office');
    for (const day of ['0999-01-01', '0000-01-01', '9999-12-31']) {
      const res = await t.request('POST', '/api/v1/requests', {
        cookie: filer,
        body: requestInput(t.campus.gateIds.north, { visitDateFrom: day }),
      });
      expect(res.status, day).toBe(400);
      expect(codesOf(res), day).toContain('date_out_of_range');
      const report = await t.request('GET', `/api/v1/reports/daily?from=${day}&to=2026-11-20`, { cookie: office });
      expect(report.status, day).toBe(400);
    }
    const tooFar = await t.request('POST', '/api/v1/requests', {
      cookie: filer,
      body: requestInput(t.campus.gateIds.north, { visitDateFrom: '2026-12-21' }),
    });
    expect(codesOf(tooFar)).toEqual(['too_far_ahead']);
    expect(
      (
        await t.request('POST', '/api/v1/requests', {
          cookie: filer,
          body: requestInput(t.campus.gateIds.north, { visitDateFrom: '2026-12-20' }),
        })
      ).status,
    ).toBe(201);
    const tracing = await t.request(
      'GET',
      `/api/v1/tracing/passages?from=0999-01-01T00:00:00Z&to=0999-01-02T00:00:00Z&reason=${encodeURIComponent('协查测试')}`,
      { cookie: office },
    );
    expect(tracing.status).toBe(400);
  });

  it('the office’s emergency lane with an unknown department or gate', async () => {
    t = createTestApp();
    const office = await t.signIn('office');
    const body = {
      departmentId: 9999,
      gateId: t.campus.gateIds.north,
      visitorName: '王五',
      visitorPhone: '13700001111',
      purpose: '送检样品',
      reason: '急需',
    };
    const dept = await t.request('POST', '/api/v1/review/emergency', { cookie: office, body });
    expect([dept.status, dept.json.error.issues[0].code]).toEqual([400, 'unknown_department']);
    const gate = await t.request('POST', '/api/v1/review/emergency', {
      cookie: office,
      body: { ...body, departmentId: t.campus.departmentIds.cs, gateId: 9999 },
    });
    expect([gate.status, gate.json.error.issues[0].code]).toEqual([400, 'unknown_gate']);
  });

  it('names with control characters, text-direction overrides or nothing visible are refused; names are stored NFC', async () => {
    t = createTestApp();
    const filer = await t.signIn('filer');
    for (const name of ['张\u0000三', '张三\u202e', 'Ann\u2066a', '\u200b\u200b', '\u3164', '\u200d\u00ad']) {
      const res = await t.request('POST', '/api/v1/requests', {
        cookie: filer,
        body: requestInput(t.campus.gateIds.north, { visitors: [visitorInput({ name })] }),
      });
      expect(res.status, JSON.stringify(name)).toBe(400);
      expect(codesOf(res)[0], JSON.stringify(name)).toMatch(/^(control_characters|invisible_only)$/);
      expect(res.json.error.issues[0].messageZh, JSON.stringify(name)).toBeTruthy();
    }
    const decomposed = 'Jose\u0301';
    const ok = await t.request('POST', '/api/v1/requests', {
      cookie: filer,
      body: requestInput(t.campus.gateIds.north, { visitors: [visitorInput({ name: decomposed })] }),
    });
    expect(ok.status).toBe(201);
    expect(ok.json.visitors[0].name).toBe('José');
    const admin = await t.signIn('admin');
    expect(
      (
        await t.request('POST', '/api/v1/gates', {
          cookie: admin,
          body: { campusId: t.campus.campusId, code: 'west', name: '西门\u0007' },
        })
      ).status,
    ).toBe(400);
  });
});

describe('a PATCH changes only the fields it names', () => {
  const cases: {
    path: (t: TestApp) => string;
    field: string;
    value: unknown;
    unchanged: Record<string, unknown>;
    setup?: (t: TestApp, admin: string) => Promise<void>;
  }[] = [
    {
      path: (t) => `/api/v1/gates/${t.campus.gateIds.north}`,
      field: 'nameEn',
      value: 'North Gate (main)',
      unchanged: { active: false, name: '北门' },
      setup: async (t, admin) =>
        void (await t.request('PATCH', `/api/v1/gates/${t.campus.gateIds.north}`, {
          cookie: admin,
          body: { active: false },
        })),
    },
    {
      path: (t) => `/api/v1/gates/${t.campus.gateIds.north}`,
      field: 'name',
      value: '北大门',
      unchanged: { active: false },
      setup: async (t, admin) =>
        void (await t.request('PATCH', `/api/v1/gates/${t.campus.gateIds.north}`, {
          cookie: admin,
          body: { active: false },
        })),
    },
    {
      path: (t) => `/api/v1/departments/${t.campus.departmentIds.cs}`,
      field: 'nameEn',
      value: 'School of Computing',
      unchanged: { requiresDeptApproval: true, active: true },
      setup: async (t, admin) =>
        void (await t.request('PATCH', `/api/v1/departments/${t.campus.departmentIds.cs}`, {
          cookie: admin,
          body: { requiresDeptApproval: true },
        })),
    },
    {
      path: (t) => `/api/v1/departments/${t.campus.departmentIds.cs}`,
      field: 'name',
      value: '计算机科学学院',
      unchanged: { active: false },
      setup: async (t, admin) =>
        void (await t.request('PATCH', `/api/v1/departments/${t.campus.departmentIds.cs}`, {
          cookie: admin,
          body: { active: false },
        })),
    },
    {
      path: (t) => `/api/v1/campuses/${t.campus.campusId}`,
      field: 'name',
      value: '主校区',
      unchanged: { nameEn: 'Main Campus', timezone: 'Asia/Urumqi' },
      setup: async (t, admin) =>
        void (await t.request('PATCH', `/api/v1/campuses/${t.campus.campusId}`, {
          cookie: admin,
          body: { nameEn: 'Main Campus', timezone: 'Asia/Urumqi' },
        })),
    },
    {
      path: (t) => `/api/v1/users/${t.users.filer.id}`,
      field: 'displayName',
      value: '李老师（新）',
      unchanged: { deptApprover: true, disabled: false },
      setup: async (t, admin) =>
        void (await t.request('PATCH', `/api/v1/users/${t.users.filer.id}`, {
          cookie: admin,
          body: { deptApprover: true },
        })),
    },
  ];
  it.each(cases.map((c, i) => [`${i}: ${c.field}`, c] as const))('%s', async (_, c) => {
    t = createTestApp();
    const admin = await t.signIn('admin');
    await c.setup?.(t, admin);
    const res = await t.request('PATCH', c.path(t), { cookie: admin, body: { [c.field]: c.value } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ [c.field]: c.value, ...c.unchanged });
  });
});

describe('exports and stored rejections', () => {
  it('neutralise cells a spreadsheet would run as a formula, in CSV and XLSX alike', () => {
    for (const s of ['=HYPERLINK("http://x","y")', '+86 138', '-1+2', '@SUM(A1)', '\t=1'])
      expect(String(spreadsheetSafe(s)).startsWith("'")).toBe(true);
    expect(spreadsheetSafe(-3)).toBe(-3);
    expect(spreadsheetSafe('张三')).toBe('张三');
    expect(csvField('=1+1')).toBe("'=1+1");
  });

  it('keep what a client sent only to a bounded depth and length', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 50_000; i++) deep = [deep];
    const text = boundedJson(deep);
    expect(text.length).toBeLessThanOrEqual(2048);
    expect(text).toContain('…');
    expect(JSON.parse(boundedJson({ a: [1, 'b', null, true], c: { d: 2 } }))).toEqual({
      a: [1, 'b', null, true],
      c: { d: 2 },
    });
  });
});

describe('passwords', () => {
  it('are refused when only spaces or the username, when created, reset or changed', async () => {
    t = createTestApp();
    const admin = await t.signIn('admin');
    const blank = await t.request('POST', '/api/v1/users', {
      cookie: admin,
      body: { username: 'zhangsan', displayName: '张三', role: 'office', password: '            ' },
    });
    expect(codesOf(blank)).toEqual(['password_blank']);
    const same = await t.request('POST', '/api/v1/users', {
      cookie: admin,
      body: { username: 'zhangsan01', displayName: '张三', role: 'office', password: 'ZhangSan01' },
    });
    expect(codesOf(same)).toEqual(['password_is_username']);
    const created = await t.request('POST', '/api/v1/users', {
      cookie: admin,
      body: { username: 'securitydesk', displayName: '值班室', role: 'office', password: 'a-good-long-password' },
    });
    const reset = await t.request('PATCH', `/api/v1/users/${created.json.id}`, {
      cookie: admin,
      body: { password: 'SecurityDesk' },
    });
    expect(codesOf(reset)).toEqual(['password_is_username']);
    const office = await t.signIn('office');
    const change = await t.request('POST', '/api/v1/auth/password', {
      cookie: office,
      body: { currentPassword: TEST_PASSWORD, newPassword: ' '.repeat(12) },
    });
    expect([change.status, ...codesOf(change)]).toEqual([400, 'password_blank']);
  });

  it('limits sign-ins per account, successful ones too', async () => {
    t = createTestApp({ env: { LOGIN_ACCOUNT_LIMIT: '3' } });
    for (let i = 0; i < 3; i++) await t.signIn('office');
    const res = await t.request('POST', '/api/v1/auth/login', {
      body: { username: t.users.office.username, password: TEST_PASSWORD },
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    await t.signIn('filer'); // another account is not affected
    t.clock.advance(61_000);
    await t.signIn('office');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app';

let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = createTestApp({ env: { BODY_LIMIT_BYTES: '2048' } });
  admin = await t.signIn('admin');
});
afterAll(() => t.cleanup());

const expectErrorShape = (json: any, code: string) => {
  expect(json).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
};

describe('the one error shape', () => {
  it('answers an unknown API route with JSON 404', async () => {
    const res = await t.request('GET', '/api/v1/does-not-exist');
    expect(res.status).toBe(404);
    expectErrorShape(res.json, 'not_found');
  });

  it('answers malformed JSON with 400', async () => {
    const res = await t.request('POST', '/api/v1/departments', { cookie: admin, body: '{"code": ' });
    expect(res.status).toBe(400);
    expectErrorShape(res.json, 'bad_request');
  });

  it('answers a wrong content type with 415', async () => {
    const res = await t.request('POST', '/api/v1/auth/login', {
      body: 'username=a',
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(415);
    expectErrorShape(res.json, 'unsupported_media_type');
  });

  it('answers an oversize body with 413', async () => {
    const res = await t.request('POST', '/api/v1/departments', {
      cookie: admin,
      body: { code: 'x', name: 'y'.repeat(5000) },
    });
    expect(res.status).toBe(413);
    expectErrorShape(res.json, 'payload_too_large');
  });

  it('answers 413 both from a declared length and from a body that streams without one', async () => {
    const big = JSON.stringify({ code: 'x', name: 'y'.repeat(5000) });
    const declared = await t.app.request('http://localhost/api/v1/departments', {
      method: 'POST',
      headers: { cookie: admin, 'content-type': 'application/json', 'content-length': String(big.length) },
      body: big,
    });
    expect(declared.status).toBe(413);
    const chunks = new TextEncoder().encode(big);
    const streamed = await t.app.request('http://localhost/api/v1/departments', {
      method: 'POST',
      headers: { cookie: admin, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body: new ReadableStream({
        pull: (c) => (c.enqueue(chunks.slice(0, 1000)), c.enqueue(chunks.slice(1000)), c.close()),
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expectErrorShape(await streamed.json(), 'payload_too_large');
    // A length that is not a number of bytes is not believed (hono's bodyLimit would parseInt it to 1).
    const garbled = await t.app.request('http://localhost/api/v1/departments', {
      method: 'POST',
      headers: { cookie: admin, 'content-type': 'application/json', 'content-length': '1e2' },
      body: big,
    });
    expect(garbled.status).toBe(400);
    expectErrorShape(await garbled.json(), 'bad_request');
    // Under the limit with its length declared, the body is read as usual.
    const small = JSON.stringify({ code: 'ok-413', name: '小部门' });
    const fine = await t.app.request('http://localhost/api/v1/departments', {
      method: 'POST',
      headers: {
        cookie: admin,
        origin: 'http://localhost',
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(small)),
      },
      body: small,
    });
    expect(fine.status).toBe(201);
  });

  it('answers invalid fields with 400 and one issue per field path', async () => {
    const res = await t.request('POST', '/api/v1/gates', {
      cookie: admin,
      body: { campusId: 'one', code: 'bad code!', name: '' },
    });
    expect(res.status).toBe(400);
    expectErrorShape(res.json, 'validation_failed');
    const paths = res.json.error.issues.map((i: { path: string[] }) => i.path.join('.')).sort();
    expect(paths).toEqual(['campusId', 'code', 'name']);
  });

  it('answers a bad path parameter with 400, not 500', async () => {
    const res = await t.request('PATCH', '/api/v1/gates/abc', { cookie: admin, body: {} });
    expect(res.status).toBe(400);
    expectErrorShape(res.json, 'validation_failed');
  });

  it('answers a missing record with 404 and a unique clash with 409', async () => {
    expect((await t.request('PATCH', '/api/v1/gates/9999', { cookie: admin, body: { name: 'x' } })).status).toBe(404);
    const clash = await t.request('POST', '/api/v1/gates', {
      cookie: admin,
      body: { campusId: t.campus.campusId, code: 'north', name: '又一个北门' },
    });
    expect(clash.status).toBe(409);
    expectErrorShape(clash.json, 'already_exists');
  });

  it('never answers 500 to a spray of odd inputs', async () => {
    const bodies = [
      'null',
      '[]',
      '"x"',
      '1',
      '{"__proto__":{"a":1}}',
      '{"code":null}',
      '\u0000',
      `{"name":"${'好'.repeat(300)}"}`,
    ];
    for (const path of [
      '/api/v1/gates',
      '/api/v1/departments',
      '/api/v1/users',
      '/api/v1/campuses',
      '/api/v1/tokens',
      '/api/v1/auth/login',
    ]) {
      for (const body of bodies) {
        const res = await t.request('POST', path, { cookie: admin, body });
        expect(res.status, `${path} ${body}`).toBeLessThan(500);
        expect(res.json?.error?.code, `${path} ${body}`).toEqual(expect.any(String));
      }
    }
  });

  it('answers the API with the OWASP REST headers: never cached, never framed, never sniffed', async () => {
    for (const res of [
      await t.request('GET', '/api/v1/auth/me', { cookie: admin }),
      await t.request('GET', '/api/v1/does-not-exist'),
    ]) {
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-request-id')).toBeTruthy();
      expect(res.headers.get('permissions-policy')).toBeNull(); // a page's header, not an API answer's
    }
  });

  it('sends security headers: CSP without inline scripts, camera for our own origin only', async () => {
    const res = await t.request('GET', '/healthz');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(res.headers.get('permissions-policy')).toContain('camera=(self)');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });
});

describe('GET /healthz', () => {
  it('reports status, version, database and schema version', async () => {
    const res = await t.request('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      status: 'ok',
      database: 'ok',
      version: expect.any(String),
      schemaVersion: expect.any(Number),
    });
    expect(res.json.schemaVersion).toBeGreaterThan(0);
  });
});

describe('GET /api/openapi.json', () => {
  it('is an OpenAPI 3 document with the shared Error schema', async () => {
    const res = await t.request('GET', '/api/openapi.json');
    expect(res.json.openapi).toMatch(/^3\./);
    expect(res.json.components.schemas.Error).toBeDefined();
    expect(Object.keys(res.json.paths).length).toBeGreaterThan(10);
  });
});

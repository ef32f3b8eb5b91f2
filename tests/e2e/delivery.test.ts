import { get as httpGet } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, PASSWORD } from '../helpers/gate';
import { signInOver } from '../helpers/http';
import { startServer, type RunningServer } from '../helpers/server';

/**
 * What a gate tablet downloads before it is enrolled, and how: the kiosk's first load is its shell,
 * enrollment and PIN screens, with the camera scanner (html5-qrcode) a chunk of its own fetched once the
 * shift starts (and cached by the service worker at install, so an offline start still scans); every
 * built text file goes pre-compressed, brotli or gzip as the browser accepts; API answers over 1 KB go
 * gzipped, the live wall's stream never.
 */
let server: RunningServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.cleanup();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers });
/** The bytes on the wire (fetch would decode them): node:http asks for one encoding and reads it raw. */
function wire(path: string, encoding: 'br' | 'gzip' | 'identity', headers: Record<string, string> = {}) {
  return new Promise<{ res: { status: number; headers: Headers }; bytes: Buffer }>((resolve, reject) => {
    httpGet(`${server.url}${path}`, { headers: { 'accept-encoding': encoding, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, String(v));
        resolve({ res: { status: res.statusCode ?? 0, headers: h }, bytes: Buffer.concat(chunks) });
      });
    }).on('error', reject);
  });
}

describe('delivery of the front ends', () => {
  it('the kiosk’s first load is at most 60 KB compressed, the camera scanner loaded apart and cached for offline', async () => {
    const html = await (await get('/kiosk/')).text();
    const first = [...html.matchAll(/(?:src|href)="(\/kiosk\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
    expect(first.some((p) => p.endsWith('.js'))).toBe(true);
    let total = Buffer.byteLength(html);
    for (const path of first) total += (await wire(path, 'br')).bytes.length;
    expect(total).toBeLessThanOrEqual(60 * 1024);
    // The scanner is not in the first load, and the build's manifest (which the service worker caches
    // at install) names it.
    expect(html).not.toMatch(/camera-/);
    const manifest = (await (await get('/kiosk/asset-manifest.json')).json()) as Record<string, { file: string }>;
    const camera = Object.values(manifest).find((c) => c.file.includes('camera-'));
    expect(camera).toBeDefined();
    const chunk = await wire(`/kiosk/${camera!.file}`, 'br');
    expect(chunk.res.status).toBe(200);
    expect(brotliDecompressSync(chunk.bytes).toString()).toContain('html5-qrcode');
  });

  it('serves built files pre-compressed as the browser accepts, the same bytes underneath, keyed on Accept-Encoding', async () => {
    const html = await (await get('/admin/')).text();
    const script = /src="(\/admin\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const plain = await wire(script, 'identity');
    const br = await wire(script, 'br');
    const gz = await wire(script, 'gzip');
    expect(plain.res.headers.get('content-encoding')).toBeNull();
    expect(br.res.headers.get('content-encoding')).toBe('br');
    expect(gz.res.headers.get('content-encoding')).toBe('gzip');
    for (const r of [plain, br, gz]) expect(r.res.headers.get('vary')).toMatch(/accept-encoding/i);
    expect(brotliDecompressSync(br.bytes).equals(plain.bytes)).toBe(true);
    expect(gunzipSync(gz.bytes).equals(plain.bytes)).toBe(true);
    expect(br.bytes.length).toBeLessThan(gz.bytes.length);
    expect(br.res.headers.get('cache-control')).toMatch(/immutable/);
  });

  it('gzips API answers over 1 KB for a client that asks, not small ones, and never the live wall’s stream', async () => {
    const big = await wire('/api/openapi.json', 'gzip');
    expect(big.res.headers.get('content-encoding')).toBe('gzip');
    expect(JSON.parse(gunzipSync(big.bytes).toString())).toHaveProperty('openapi');
    const small = await wire('/healthz', 'gzip');
    expect(small.res.headers.get('content-encoding')).toBeNull();
    expect(JSON.parse(small.bytes.toString())).toHaveProperty('status', 'ok');
    expect((await wire('/api/openapi.json', 'identity')).res.headers.get('content-encoding')).toBeNull();

    // The live wall is the office's.
    const admin = await signInOver(server.url, 'admin', ADMIN_PASSWORD);
    await admin('POST', '/api/v1/users', {
      username: 'office',
      displayName: '王老师',
      role: 'office',
      password: PASSWORD,
    });
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ username: 'office', password: PASSWORD }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const stream = await new Promise<import('node:http').IncomingMessage>((resolve, reject) =>
      httpGet(`${server.url}/api/v1/live/stream`, { headers: { cookie, 'accept-encoding': 'gzip' } }, resolve).on(
        'error',
        reject,
      ),
    );
    expect(stream.statusCode).toBe(200);
    expect(stream.headers['content-encoding']).toBeUndefined();
    stream.destroy();
  });
});

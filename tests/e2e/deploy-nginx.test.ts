import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../server/app';
import { ADMIN_PASSWORD, issuePass, PASSWORD, setupGateWorld, type GateWorld } from '../helpers/gate';
import { freePort, startServer, type RunningServer } from '../helpers/server';

/**
 * deploy/nginx/gatehouse.conf, as shipped, run by Debian's nginx in front of the real server: TLS
 * termination with a campus certificate, the forwarded headers the app believes with TRUST_PROXY, the
 * live wall's event stream passed on as it happens, the request size limit, plain HTTP redirected, and
 * the public site's allow-list refusing everything but the visitors' and members' pages from outside.
 * Only the names, ports and file paths are rewritten for the test.
 */

const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx';
const LAN = 'gate.campus.test';
const PUBLIC = 'visit.campus.test';
const work = mkdtempSync(join(tmpdir(), 'gatehouse-nginx-'));
let server: RunningServer;
let nginx: ChildProcess;
let w: GateWorld;
let ca: string;
let httpsPort: number;
let httpPort: number;

/** One request through nginx as a browser at `name` makes it (SNI and Host), trusting the campus CA. */
function over(
  name: string,
  path: string,
  { method = 'GET', body, headers = {} }: { method?: string; body?: string; headers?: Record<string, string> } = {},
) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; text: string }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: httpsPort,
        servername: name,
        ca,
        method,
        path,
        headers: { host: `${name}:${httpsPort}`, ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += String(d)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Signs in through nginx on the LAN name, as the office's browser does; answers the response. */
const signInLan = (username: string, password: string) =>
  over(LAN, '/api/v1/auth/login', {
    method: 'POST',
    body: JSON.stringify({ username, password }),
    headers: { 'content-type': 'application/json', origin: `https://${LAN}:${httpsPort}` },
  });

beforeAll(async () => {
  // One campus certificate for both names (a real campus has a public one for the internet name).
  execFileSync(
    process.execPath,
    ['--import', 'tsx', 'server/cli/campus-cert.ts', join(work, 'tls'), LAN, PUBLIC, '--campus', 'Test'],
    { cwd: ROOT_DIR },
  );
  copyFileSync(join(work, 'tls', 'server.crt'), join(work, 'tls', 'public.crt'));
  copyFileSync(join(work, 'tls', 'server.key'), join(work, 'tls', 'public.key'));
  ca = readFileSync(join(work, 'tls', 'campus-ca.crt'), 'utf8');

  httpsPort = await freePort();
  httpPort = await freePort();
  // The app as the file's header says to run it: loopback only, believing this proxy, public links.
  server = await startServer({
    dir: join(work, 'app'),
    env: { TRUST_PROXY: 'true', PUBLIC_ORIGIN: `https://${PUBLIC}:${httpsPort}` },
  });
  w = await setupGateWorld(server);

  const shipped = readFileSync(join(ROOT_DIR, 'deploy', 'nginx', 'gatehouse.conf'), 'utf8');
  const site = shipped
    .replaceAll('server 127.0.0.1:8787;', `server 127.0.0.1:${server.port};`)
    .replaceAll(/^\s*listen \[::\]:.*$/gm, '')
    .replaceAll('listen 80;', `listen 127.0.0.1:${httpPort};`)
    .replaceAll('listen 443 ssl;', `listen 127.0.0.1:${httpsPort} ssl;`)
    .replaceAll('/etc/gatehouse/tls/', `${join(work, 'tls')}/`)
    .replaceAll('/etc/nginx/gatehouse-proxy.conf', join(ROOT_DIR, 'deploy', 'nginx', 'gatehouse-proxy.conf'))
    .replaceAll('gate.campus.lan', LAN)
    .replaceAll('visit.example.edu', PUBLIC)
    // 308 to the test's HTTPS port rather than 443.
    .replace('return 308 https://$host$request_uri;', `return 308 https://$host:${httpsPort}$request_uri;`);
  writeFileSync(join(work, 'site.conf'), site);
  const temp = (n: string) => join(work, n);
  writeFileSync(
    join(work, 'nginx.conf'),
    `daemon off;
worker_processes 1;
${process.getuid?.() === 0 ? 'user root;' : ''}
pid ${temp('nginx.pid')};
error_log ${temp('error.log')} warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${temp('body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};
  include ${join(work, 'site.conf')};
}
`,
  );
  execFileSync(NGINX, ['-t', '-c', join(work, 'nginx.conf'), '-p', work], { stdio: 'pipe' });
  nginx = spawn(NGINX, ['-c', join(work, 'nginx.conf'), '-p', work], { stdio: 'ignore' });
  // Up when it answers.
  for (let i = 0; i < 100; i++) {
    try {
      if ((await over(LAN, '/healthz')).status === 200) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nginx did not come up:\n${readFileSync(temp('error.log'), 'utf8')}`);
}, 60_000);

afterAll(async () => {
  nginx?.kill('SIGQUIT');
  await server?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

describe('behind nginx (deploy/nginx/gatehouse.conf)', () => {
  it('the campus LAN site serves the office over HTTPS: Secure cookies and same-origin writes through X-Forwarded-Proto', async () => {
    const origin = `https://${LAN}:${httpsPort}`;
    const login = await signInLan('admin', ADMIN_PASSWORD);
    expect(login.status).toBe(200);
    const setCookie = login.headers['set-cookie']?.[0] ?? '';
    expect(setCookie).toMatch(/;\s*Secure/i);
    const cookie = setCookie.split(';')[0]!;
    // A write from the LAN page: the app sees http:// from nginx, the browser's Origin says https://.
    const made = await over(LAN, '/api/v1/departments', {
      method: 'POST',
      body: JSON.stringify({ code: 'proxied', name: '经代理新建' }),
      headers: { 'content-type': 'application/json', origin, cookie },
    });
    expect(made.status).toBe(201);
    // A forged Origin still fails.
    const forged = await over(LAN, '/api/v1/departments', {
      method: 'POST',
      body: JSON.stringify({ code: 'forged', name: '跨站' }),
      headers: { 'content-type': 'application/json', origin: 'https://evil.example', cookie },
    });
    expect(forged.status).toBe(403);
  });

  it('passes the live wall’s event stream through as events happen, not when a buffer fills', async () => {
    const login = await signInLan('office', PASSWORD);
    const cookie = login.headers['set-cookie']![0]!.split(';')[0]!;
    let seen = '';
    const req = request({
      host: '127.0.0.1',
      port: httpsPort,
      servername: LAN,
      ca,
      path: '/api/v1/live/stream',
      headers: { host: `${LAN}:${httpsPort}`, cookie, accept: 'text/event-stream' },
    });
    req.on('response', (res) => res.on('data', (d) => (seen += String(d))));
    req.end();
    try {
      await expect.poll(() => seen, { timeout: 10_000 }).toContain('event: wall');
      // A filing's approval is a queue event: it must arrive while the stream stays open.
      await issuePass(w);
      await expect.poll(() => seen, { timeout: 10_000 }).toContain('event: queue');
    } finally {
      req.destroy();
    }
  });

  it('refuses a body over the limit at the proxy, and redirects plain HTTP to HTTPS', async () => {
    const big = await over(LAN, '/api/v1/auth/login', {
      method: 'POST',
      body: 'x'.repeat(3 * 1024 * 1024),
      headers: { 'content-type': 'application/json', origin: `https://${LAN}:${httpsPort}` },
    });
    expect(big.status).toBe(413);
    // fetch() will not send another Host: node:http will, as a tablet typing the LAN name does.
    const plain = await new Promise<IncomingMessage>((resolve, reject) =>
      httpGet({ host: '127.0.0.1', port: httpPort, path: '/kiosk/', headers: { host: LAN } }, resolve).on(
        'error',
        reject,
      ),
    );
    plain.resume();
    expect(plain.statusCode).toBe(308);
    expect(plain.headers.location).toBe(`https://${LAN}:${httpsPort}/kiosk/`);
  });

  it('the public site serves the visitor’s page and its API, and refuses everything else from outside', async () => {
    const pass = await issuePass(w);
    const token = pass.link.split('/').pop()!;
    const page = await over(PUBLIC, `/v/${token}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<div id="app">');
    const api = await over(PUBLIC, `/api/v1/visit/${token}`);
    expect(api.status).toBe(200);
    expect(JSON.parse(api.text)).toHaveProperty('pass');
    // Everything the page itself loads is on the allow-list.
    const assets = [...page.text.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThan(0);
    for (const a of assets) expect([a, (await over(PUBLIC, a)).status]).toEqual([a, 200]);
    expect((await over(PUBLIC, '/v/sw.js')).status).toBe(200);
    expect((await over(PUBLIC, `/pass/${token}`)).status).toBe(301);

    const refused = [
      '/',
      '/admin/',
      '/admin/devices',
      '/kiosk/',
      '/healthz',
      '/api/openapi.json',
      '/api/v1/auth/me',
      '/api/v1/kiosk/snapshot',
      '/api/v1/requests',
      '/api/v1/live/stream',
      '/api/v1/visitx',
      '/v1/visit/../../api/v1/auth/me',
    ];
    for (const path of refused) expect([path, (await over(PUBLIC, path)).status]).toEqual([path, 404]);
    const signIn = await over(PUBLIC, '/api/v1/auth/login', {
      method: 'POST',
      body: JSON.stringify({ username: 'office', password: PASSWORD }),
      headers: { 'content-type': 'application/json', origin: `https://${PUBLIC}:${httpsPort}` },
    });
    expect(signIn.status).toBe(404);
    // The same paths answer on the campus LAN name.
    expect((await over(LAN, '/admin/')).status).toBe(200);
    expect((await over(LAN, '/healthz')).status).toBe(200);
  });
});

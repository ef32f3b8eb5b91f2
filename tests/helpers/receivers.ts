import { createHmac, timingSafeEqual } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * Test receivers on 127.0.0.1 that keep each vendor's documented contract, so the senders are
 * held to the real protocol: WeCom's group robot, DingTalk's custom robot with its signature,
 * Feishu's custom bot with its signature, a Standard Webhooks endpoint that verifies signatures,
 * and an SMTP server with STARTTLS and authentication whose mail is parsed as a client would.
 * Each answers errors and rate limits as its vendor does, on command.
 */

type Answer = 'rate_limit' | 'server_error' | 'wrong_key';

async function listen(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

const close = (server: Server) =>
  new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => r());
  });

export interface RobotMessage {
  vendor: 'wecom' | 'dingtalk' | 'feishu';
  robot: string;
  text: string;
  body: Record<string, unknown>;
}

/**
 * The three group robots on one port. `robot(vendor, name, signSecret?)` registers a robot and
 * answers its webhook URL. A robot with a secret refuses a missing or wrong signature as its
 * vendor does. `force(answer)` makes the next request answer that error. The vendors' limits
 * (WeCom and DingTalk 20 a minute, Feishu 100 a minute and 5 a second) are enforced.
 */
export async function startRobots() {
  const robots = new Map<string, { vendor: RobotMessage['vendor']; secret: string | null; times: number[] }>();
  const received: RobotMessage[] = [];
  const forced: Answer[] = [];
  const limited = (r: { times: number[] }, perMinute: number, perSecond = Infinity) => {
    const now = Date.now();
    r.times = r.times.filter((t) => t > now - 60_000);
    const lastSecond = r.times.filter((t) => t > now - 1000).length;
    if (r.times.length >= perMinute || lastSecond >= perSecond) return true;
    r.times.push(now);
    return false;
  };
  const { server, url } = await listen((req, res, raw) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const next = forced.shift();
    if (next === 'server_error') return json(res, 502, { error: 'bad gateway' });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return json(res, 400, { errcode: 40001, errmsg: 'invalid json' });
    }
    if (u.pathname === '/cgi-bin/webhook/send') {
      const key = u.searchParams.get('key') ?? '';
      const r = robots.get(`wecom:${key}`);
      if (!r || next === 'wrong_key')
        return json(res, 200, { errcode: 93000, errmsg: 'invalid webhook url, hint: [1700000000_1_abc]' });
      if (next === 'rate_limit' || limited(r, 20))
        return json(res, 200, { errcode: 45009, errmsg: 'api freq out of limit' });
      const content = (body.text as { content?: string } | undefined)?.content ?? '';
      if (body.msgtype !== 'text' || !content)
        return json(res, 200, { errcode: 40008, errmsg: 'invalid message type' });
      if (Buffer.byteLength(content) > 2048)
        return json(res, 200, { errcode: 45002, errmsg: 'content size out of limit' });
      received.push({ vendor: 'wecom', robot: key, text: content, body });
      return json(res, 200, { errcode: 0, errmsg: 'ok' });
    }
    if (u.pathname === '/robot/send') {
      const token = u.searchParams.get('access_token') ?? '';
      const r = robots.get(`dingtalk:${token}`);
      if (!r || next === 'wrong_key') return json(res, 200, { errcode: 300001, errmsg: 'token is not exist' });
      if (r.secret) {
        const ts = Number(u.searchParams.get('timestamp'));
        const sign = u.searchParams.get('sign') ?? '';
        const expected = createHmac('sha256', r.secret).update(`${ts}\n${r.secret}`).digest('base64');
        if (!ts || Math.abs(Date.now() - ts) > 3_600_000 || sign !== expected)
          return json(res, 200, { errcode: 310000, errmsg: 'sign not match, more: [https://ding-doc.dingtalk.com]' });
      }
      if (next === 'rate_limit' || limited(r, 20))
        return json(res, 200, { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' });
      const content = (body.text as { content?: string } | undefined)?.content ?? '';
      received.push({ vendor: 'dingtalk', robot: token, text: content, body });
      return json(res, 200, { errcode: 0, errmsg: 'ok' });
    }
    const hook = /^\/open-apis\/bot\/v2\/hook\/([^/]+)$/.exec(u.pathname)?.[1];
    if (hook) {
      const r = robots.get(`feishu:${hook}`);
      if (!r || next === 'wrong_key')
        return json(res, 200, { code: 19001, data: {}, msg: 'param invalid: incoming webhook access token invalid' });
      if (r.secret) {
        const ts = Number(body.timestamp);
        const expected = createHmac('sha256', `${ts}\n${r.secret}`).update('').digest('base64');
        if (!ts || Math.abs(Date.now() / 1000 - ts) > 3600 || body.sign !== expected)
          return json(res, 200, {
            code: 19021,
            data: {},
            msg: 'sign match fail or timestamp is not within one hour from current time',
          });
      }
      if (next === 'rate_limit' || limited(r, 100, 5))
        return json(res, 200, { code: 9499, data: {}, msg: 'too many request' });
      const text = (body.content as { text?: string } | undefined)?.text ?? '';
      received.push({ vendor: 'feishu', robot: hook, text, body });
      return json(res, 200, { code: 0, data: {}, msg: 'success' });
    }
    json(res, 404, { errcode: 404, errmsg: 'not found' });
  });
  return {
    received,
    robot(vendor: RobotMessage['vendor'], name: string, secret: string | null = null) {
      robots.set(`${vendor}:${name}`, { vendor, secret, times: [] });
      return vendor === 'wecom'
        ? `${url}/cgi-bin/webhook/send?key=${name}`
        : vendor === 'dingtalk'
          ? `${url}/robot/send?access_token=${name}`
          : `${url}/open-apis/bot/v2/hook/${name}`;
    },
    force(...answers: Answer[]) {
      forced.push(...answers);
    },
    close: () => close(server),
  };
}

export interface WebhookDelivery {
  id: string;
  timestamp: number;
  body: Record<string, unknown>;
  verified: boolean;
}

/** Verifies a Standard Webhooks signature header against any of the secrets, as a receiver library does. */
export function verifyStandardWebhook(secrets: string[], id: string, timestamp: string, body: string, header: string) {
  const signed = `${id}.${timestamp}.${body}`;
  const given = header.split(' ').flatMap((s) => (s.startsWith('v1,') ? [Buffer.from(s.slice(3), 'base64')] : []));
  return secrets.some((secret) => {
    const expected = createHmac('sha256', Buffer.from(secret.replace(/^whsec_/, ''), 'base64'))
      .update(signed)
      .digest();
    return given.some((g) => g.length === expected.length && timingSafeEqual(g, expected));
  });
}

/**
 * A school system's webhook endpoint: verifies the signature with the secrets it is told, refuses
 * a stale timestamp (5 minutes, as the convention advises), and de-duplicates by `webhook-id`.
 * `fail(n)` answers the next n requests 503; `slow(ms)` delays each answer.
 */
export async function startWebhookReceiver() {
  const secrets: string[] = [];
  const deliveries: WebhookDelivery[] = [];
  let failures = 0;
  let delayMs = 0;
  let status429 = 0;
  const { server, url } = await listen((req, res, raw) => {
    const id = String(req.headers['webhook-id'] ?? '');
    const ts = String(req.headers['webhook-timestamp'] ?? '');
    const verified =
      Math.abs(Date.now() / 1000 - Number(ts)) < 300 &&
      verifyStandardWebhook(secrets, id, ts, raw, String(req.headers['webhook-signature'] ?? ''));
    const answer = () => {
      if (status429 > 0) {
        status429 -= 1;
        return json(res, 429, { error: 'slow down' }, { 'retry-after': '1' });
      }
      if (failures > 0) {
        failures -= 1;
        return json(res, 503, { error: 'unavailable' });
      }
      if (!verified) return json(res, 401, { error: 'bad signature' });
      deliveries.push({ id, timestamp: Number(ts), body: JSON.parse(raw) as Record<string, unknown>, verified });
      json(res, 204, {});
    };
    if (delayMs) setTimeout(answer, delayMs);
    else answer();
  });
  return {
    url: `${url}/hooks/gatehouse`,
    deliveries,
    /** The ids received, each once (what a de-duplicating receiver keeps). */
    unique: () => new Set(deliveries.map((d) => d.id)),
    trust(secret: string) {
      secrets.push(secret);
    },
    forget(secret: string) {
      secrets.splice(secrets.indexOf(secret), 1);
    },
    fail(n: number) {
      failures = n;
    },
    rateLimit(n: number) {
      status429 = n;
    },
    slow(ms: number) {
      delayMs = ms;
    },
    close: () => close(server),
  };
}

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
  event: string;
  secured: boolean;
  user: string | null;
}

/**
 * An SMTP server on 127.0.0.1 with STARTTLS (a certificate made for this run, given to the channel
 * as its campus CA) and PLAIN/LOGIN authentication; every mail is parsed with mailparser.
 * `reject(address)` refuses that recipient with a 550, as a real server does for an unknown mailbox.
 */
export async function startSmtp({ user = 'gatehouse', password = 'smtp-pass-123' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-smtp-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  const mails: ReceivedMail[] = [];
  const rejected = new Set<string>();
  const server = new SMTPServer({
    secure: false,
    key: readFileSync(join(dir, 'key.pem')),
    cert,
    authMethods: ['PLAIN', 'LOGIN'],
    // Credentials only over TLS, as a campus mail server insists.
    allowInsecureAuth: false,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === user && auth.password === password) cb(null, { user: auth.username });
      else cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, cb) {
      if (rejected.has(address.address.toLowerCase()))
        cb(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
      else cb();
    },
    onData(stream, session, cb) {
      simpleParser(stream)
        .then((m) => {
          mails.push({
            from: m.from?.text ?? '',
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: m.subject ?? '',
            text: m.text ?? '',
            html: typeof m.html === 'string' ? m.html : '',
            messageId: m.messageId ?? '',
            event: String(m.headers.get('x-gatehouse-event') ?? ''),
            secured: session.secure,
            user: typeof session.user === 'string' ? session.user : null,
          });
          cb();
        })
        .catch((err: Error) => cb(err));
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    cert,
    user,
    password,
    mails,
    reject(address: string) {
      rejected.add(address.toLowerCase());
    },
    /** The channel settings that reach this server. */
    channel: (over: Record<string, unknown> = {}) => ({
      kind: 'smtp' as const,
      name: '校园邮件',
      host: '127.0.0.1',
      port,
      security: 'starttls' as const,
      username: user,
      password,
      from: 'Gatehouse 门禁 <gatehouse@example.edu.cn>',
      tlsCa: cert,
      ...over,
    }),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

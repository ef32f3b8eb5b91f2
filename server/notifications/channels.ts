import { createHmac, randomBytes } from 'node:crypto';
import { createTransport, type Transporter } from 'nodemailer';
import { asHtml, asText, type Rendered } from './messages';
import type { ChannelKind } from '../db/schema';
import type { Lang } from '../domain/i18n';

/**
 * The channels' wire protocols, each as its vendor documents it:
 * - e-mail over SMTP (nodemailer): implicit TLS, STARTTLS (required) or plain on a trusted LAN;
 * - WeCom group robot: POST `{msgtype:'text'}` to the robot's webhook URL (the key is in it);
 *   answers `{errcode, errmsg}` with 45009 for its limit of 20 messages a minute, 93000 for a wrong key;
 * - DingTalk custom robot: `timestamp` (ms) and `sign` = Base64(HMAC-SHA256(secret, `timestamp\nsecret`)),
 *   URL-encoded, in the query; 130101/410100 for its 20 a minute, 310000 for a bad signature, 300001 for a
 *   wrong token;
 * - Feishu custom bot: `timestamp` (s) and `sign` = Base64(HMAC-SHA256(key `timestamp\nsecret`, empty
 *   message)) in the body; `{code}` with 9499/11232 for its limits, 19021 for a bad signature;
 * - a generic webhook signed as Standard Webhooks says: `webhook-id`, `webhook-timestamp`,
 *   `webhook-signature: v1,<Base64 HMAC-SHA256(secret, id.timestamp.body)>` (several while a secret rotates).
 */

/** What each kind stores in the clear (`settings`) and wrapped (`secret`). */
export interface SmtpSettings {
  host: string;
  port: number;
  security: 'tls' | 'starttls' | 'none';
  username: string | null;
  from: string;
  /** A campus CA that signed the mail server's certificate (PEM), when it is not a public one. */
  tlsCa: string | null;
}
export interface RobotSettings {
  /** What the office sees of the robot's URL: its host and the key's last characters. */
  hint: string;
}
export interface WebhookSettings {
  url: string;
}
export interface ChannelSecret {
  password?: string;
  /** A robot's full webhook URL: it carries the robot's key or token. */
  url?: string;
  signSecret?: string;
  /** A webhook's `whsec_…` secret. */
  webhookSecret?: string;
}

export interface Channel {
  id: number;
  kind: ChannelKind;
  name: string;
  settings: SmtpSettings | RobotSettings | WebhookSettings;
  secret: ChannelSecret;
  /** A rotated-out webhook secret still in use until its time runs out. */
  previousSecret: ChannelSecret | null;
  locale: Lang;
  /** Kept for SMTP: the open connection pool, rebuilt when the channel changes. */
  updatedAt: number;
}

/** The vendors' own limits (messages a minute, per robot); mail and webhooks are the campus's own. */
export const DEFAULT_RATE: Record<ChannelKind, number> = {
  smtp: 600,
  wecom: 20,
  dingtalk: 20,
  feishu: 100,
  webhook: 600,
};

/** What one try came to, with the channel's own answer for the delivery log. */
export interface SendResult {
  outcome: 'sent' | 'retry' | 'rate_limited' | 'failed';
  /** The status and body (or SMTP reply) as the channel gave them, cut short. */
  answer: string;
  retryAfterMs?: number;
}

export interface Message {
  /** Stable across retries: receivers de-duplicate on it. */
  messageId: string;
  event: string;
  rendered: Rendered;
  lang: Lang;
  /** The e-mail address (mail only). */
  to: string;
  /** The structured notification (webhooks only). */
  data: { type: string; timestamp: string; data: unknown };
}

const TIMEOUT_MS = 10_000;
const cut = (s: string, n = 500) => (s.length > n ? `${s.slice(0, n)}…` : s);
const RATE_PAUSE_MS = 60_000;

/** A new Standard Webhooks secret: `whsec_` and 32 random bytes in Base64. */
export const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

/** `v1,<signature>` of the Standard Webhooks convention for one secret. */
export function standardWebhookSignature(secret: string, id: string, timestamp: number, body: string) {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** DingTalk's `sign`: Base64 HMAC-SHA256 keyed with the secret over `timestamp\nsecret` (URL-encoding is the caller's). */
export const dingTalkSign = (secret: string, timestampMs: number) =>
  createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');

/** Feishu's `sign`: Base64 HMAC-SHA256 keyed with `timestamp\nsecret` over an empty message. */
export const feishuSign = (secret: string, timestampS: number) =>
  createHmac('sha256', `${timestampS}\n${secret}`).update('').digest('base64');

/** WeCom counts bytes (2,048 for text): cut at a character boundary, never mid-way through one. */
function cutBytes(text: string, max: number) {
  if (Buffer.byteLength(text) <= max) return text;
  let out = '';
  for (const ch of text) {
    if (Buffer.byteLength(out + ch) > max - 3) break;
    out += ch;
  }
  return `${out}…`;
}

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Gatehouse-Notifications', ...headers },
    body,
    signal: AbortSignal.timeout(TIMEOUT_MS),
    redirect: 'manual',
  });
  const text = await res.text();
  let json: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') json = parsed as Record<string, unknown>;
  } catch {
    // Not JSON: an error page of a proxy; judged by the status alone.
  }
  const retryAfter = Number(res.headers.get('retry-after'));
  return {
    status: res.status,
    json,
    answer: cut(`${res.status} ${text}`),
    retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 3600) * 1000 : undefined,
  };
}

/** A robot's answer: the vendor's code decides, the HTTP status only when there is none. */
function judgeRobot(r: Awaited<ReturnType<typeof post>>, code: unknown, rateLimited: number[]): SendResult {
  if (r.status === 429)
    return { outcome: 'rate_limited', answer: r.answer, retryAfterMs: r.retryAfterMs ?? RATE_PAUSE_MS };
  if (r.status >= 500 || r.status === 408) return { outcome: 'retry', answer: r.answer };
  if (typeof code !== 'number') return { outcome: r.status < 300 ? 'retry' : 'failed', answer: r.answer };
  if (code === 0) return { outcome: 'sent', answer: r.answer };
  if (rateLimited.includes(code)) return { outcome: 'rate_limited', answer: r.answer, retryAfterMs: RATE_PAUSE_MS };
  // -1 is "system busy" at all three. Any other code (a wrong key or signature, a keyword or IP the
  // robot's security settings refuse) does not mend itself: the office fixes the channel and re-sends.
  if (code === -1) return { outcome: 'retry', answer: r.answer };
  return { outcome: 'failed', answer: r.answer };
}

async function sendWeCom(c: Channel, m: Message): Promise<SendResult> {
  const body = JSON.stringify({ msgtype: 'text', text: { content: cutBytes(asText(m.rendered), 2048) } });
  const r = await post(c.secret.url!, body);
  return judgeRobot(r, r.json?.errcode, [45009]);
}

async function sendDingTalk(c: Channel, m: Message): Promise<SendResult> {
  const url = new URL(c.secret.url!);
  if (c.secret.signSecret) {
    const ts = Date.now();
    url.searchParams.set('timestamp', String(ts));
    url.searchParams.set('sign', dingTalkSign(c.secret.signSecret, ts));
  }
  const body = JSON.stringify({ msgtype: 'text', text: { content: cutBytes(asText(m.rendered), 18_000) } });
  const r = await post(url.href, body);
  return judgeRobot(r, r.json?.errcode, [130101, 410100]);
}

async function sendFeishu(c: Channel, m: Message): Promise<SendResult> {
  const signed = c.secret.signSecret
    ? (() => {
        const ts = Math.floor(Date.now() / 1000);
        return { timestamp: String(ts), sign: feishuSign(c.secret.signSecret!, ts) };
      })()
    : {};
  const body = JSON.stringify({ ...signed, msg_type: 'text', content: { text: cutBytes(asText(m.rendered), 30_000) } });
  const r = await post(c.secret.url!, body);
  // The bot answers `code` (older bots: `StatusCode`).
  const code = r.json?.code ?? r.json?.StatusCode;
  return judgeRobot(r, code, [9499, 11232]);
}

async function sendWebhook(c: Channel, m: Message): Promise<SendResult> {
  const body = JSON.stringify(m.data);
  const ts = Math.floor(Date.now() / 1000);
  const signatures = [c.secret.webhookSecret, c.previousSecret?.webhookSecret]
    .filter((s): s is string => !!s)
    .map((s) => standardWebhookSignature(s, m.messageId, ts, body));
  const r = await post((c.settings as WebhookSettings).url, body, {
    'webhook-id': m.messageId,
    'webhook-timestamp': String(ts),
    'webhook-signature': signatures.join(' '),
  });
  if (r.status >= 200 && r.status < 300) return { outcome: 'sent', answer: r.answer };
  if (r.status === 429)
    return { outcome: 'rate_limited', answer: r.answer, retryAfterMs: r.retryAfterMs ?? RATE_PAUSE_MS };
  // 410 Gone: the receiver says the endpoint is no more; any other answer may mend (a deploy, a restart).
  if (r.status === 410) return { outcome: 'failed', answer: r.answer };
  return { outcome: 'retry', answer: r.answer };
}

/** One pooled SMTP connection per channel version: a burst of mail does not open a connection per message. */
const transports = new Map<number, { updatedAt: number; transport: Transporter }>();
function transportOf(c: Channel) {
  const cached = transports.get(c.id);
  if (cached?.updatedAt === c.updatedAt) return cached.transport;
  cached?.transport.close();
  const s = c.settings as SmtpSettings;
  const transport = createTransport({
    host: s.host,
    port: s.port,
    secure: s.security === 'tls',
    requireTLS: s.security === 'starttls',
    ignoreTLS: s.security === 'none',
    auth: s.username ? { user: s.username, pass: c.secret.password ?? '' } : undefined,
    tls: s.tlsCa ? { ca: s.tlsCa } : undefined,
    pool: true,
    maxConnections: 2,
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: 30_000,
  });
  transports.set(c.id, { updatedAt: c.updatedAt, transport });
  return transport;
}

/** Closes the open mail connections (shutdown, tests). */
export function closeTransports() {
  for (const t of transports.values()) t.transport.close();
  transports.clear();
}

async function sendMail(c: Channel, m: Message): Promise<SendResult> {
  const s = c.settings as SmtpSettings;
  const domain =
    s.from
      .split('@')
      .at(-1)
      ?.replace(/[<>\s]/g, '') || 'gatehouse.invalid';
  try {
    const info = (await transportOf(c).sendMail({
      from: s.from,
      to: m.to,
      subject: m.rendered.title,
      text: asText(m.rendered),
      html: asHtml(m.rendered, m.lang),
      messageId: `<${m.messageId}@${domain}>`,
      headers: { 'X-Gatehouse-Event': m.event },
    })) as { response?: string };
    return { outcome: 'sent', answer: cut(info.response ?? 'accepted') };
  } catch (err) {
    const e = err as Error & { code?: string; responseCode?: number; response?: string };
    const answer = cut(`${e.code ?? 'error'} ${e.response ?? e.message}`);
    // The server refused for good (a rejected address, bad credentials): retrying cannot help.
    if (e.code === 'EAUTH' || (e.responseCode !== undefined && e.responseCode >= 500))
      return { outcome: 'failed', answer };
    return { outcome: 'retry', answer };
  }
}

const SENDERS: Record<ChannelKind, (c: Channel, m: Message) => Promise<SendResult>> = {
  smtp: sendMail,
  wecom: sendWeCom,
  dingtalk: sendDingTalk,
  feishu: sendFeishu,
  webhook: sendWebhook,
};

/** Sends one message; a network failure or a timeout is a retry, never a throw. */
export async function sendOne(c: Channel, m: Message): Promise<SendResult> {
  try {
    return await SENDERS[c.kind](c, m);
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { outcome: 'retry', answer: cut(`${e.cause?.code ?? e.name}: ${e.message}`) };
  }
}

import { z } from '@hono/zod-openapi';
import { AUDIENCES, NOTIFICATION_EVENTS } from '../domain/notifications';
import { CHANNEL_KINDS, DELIVERY_STATUSES } from '../db/schema';
import { safeText } from '../lib/schemas';

const Locale = z.enum(['zh', 'en']);
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** A robot's own webhook URL, as the vendor's group settings show it: its key must be in it. */
const robotUrl = (kind: 'wecom' | 'dingtalk' | 'feishu') =>
  z
    .url()
    .max(500)
    .superRefine((raw, ctx) => {
      const u = new URL(raw);
      // The URL carries the robot's key: only over TLS, except to this machine (a test receiver).
      if (u.protocol !== 'https:' && !LOOPBACK.has(u.hostname))
        ctx.addIssue({ code: 'custom', message: 'must be an https:// URL', params: { code: 'https_required' } });
      const ok =
        kind === 'wecom'
          ? !!u.searchParams.get('key')
          : kind === 'dingtalk'
            ? !!u.searchParams.get('access_token')
            : /\/open-apis\/bot\/v2\/hook\/[^/]+$/.test(u.pathname);
      if (!ok)
        ctx.addIssue({
          code: 'custom',
          message:
            kind === 'wecom'
              ? 'must be the robot’s webhook URL with its key= parameter'
              : kind === 'dingtalk'
                ? 'must be the robot’s webhook URL with its access_token= parameter'
                : 'must be the bot’s webhook URL …/open-apis/bot/v2/hook/<id>',
          params: { code: 'not_a_robot_url' },
        });
    });

const SignSecret = z.string().trim().min(8).max(200);
const WebhookUrl = z
  .url()
  .max(500)
  .refine((u) => /^https?:$/.test(new URL(u).protocol), 'must be an http:// or https:// URL');
const Events = z.array(z.enum(NOTIFICATION_EVENTS)).min(1).max(NOTIFICATION_EVENTS.length);
const Common = {
  name: safeText(1, 80),
  departmentId: z
    .number()
    .int()
    .positive()
    .nullable()
    .default(null)
    .openapi({ description: 'A department’s robot or webhook (its requests and visitors); null: the office’s' }),
  locale: Locale.default('zh').openapi({ description: 'The language of what a robot or webhook is sent' }),
  ratePerMinute: z.number().int().min(1).max(6000).optional().openapi({
    description: 'Messages a minute at most; default the vendor’s limit (WeCom and DingTalk 20, Feishu 100)',
  }),
  active: z.boolean().default(true),
};
const TlsCa = z
  .string()
  .max(20_000)
  .regex(/-----BEGIN CERTIFICATE-----/, 'must be a PEM certificate')
  .openapi({ description: 'The campus CA that signed the mail server’s certificate (PEM), if not a public one' });
const SmtpFields = {
  host: z.string().trim().min(1).max(200),
  port: z.number().int().min(1).max(65535),
  security: z.enum(['tls', 'starttls', 'none']).openapi({
    description: 'tls: implicit TLS (465); starttls: STARTTLS required (587); none: a trusted LAN relay only',
  }),
  username: z.string().trim().min(1).max(200).nullable().default(null),
  password: z.string().min(1).max(500).nullable().default(null).openapi({ description: 'Write-only' }),
  from: z.string().trim().min(3).max(200).openapi({ example: 'Gatehouse 门禁 <gatehouse@example.edu.cn>' }),
  tlsCa: TlsCa.nullable().default(null),
};

export const ChannelInputSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('smtp'), ...Common, ...SmtpFields }),
    z.object({ kind: z.literal('wecom'), ...Common, webhookUrl: robotUrl('wecom') }),
    z.object({
      kind: z.literal('dingtalk'),
      ...Common,
      webhookUrl: robotUrl('dingtalk'),
      signSecret: SignSecret.nullable().default(null),
    }),
    z.object({
      kind: z.literal('feishu'),
      ...Common,
      webhookUrl: robotUrl('feishu'),
      signSecret: SignSecret.nullable().default(null),
    }),
    z.object({ kind: z.literal('webhook'), ...Common, url: WebhookUrl, events: Events }),
  ])
  .openapi('ChannelInput');
export type ChannelInput = z.infer<typeof ChannelInputSchema>;

/** A change to a channel: only what is named changes; a secret given replaces the stored one. */
export const ChannelPatchSchema = z
  .object({
    name: safeText(1, 80),
    departmentId: z.number().int().positive().nullable(),
    locale: Locale,
    ratePerMinute: z.number().int().min(1).max(6000),
    active: z.boolean(),
    host: SmtpFields.host,
    port: SmtpFields.port,
    security: SmtpFields.security,
    username: z.string().trim().min(1).max(200).nullable(),
    password: z.string().min(1).max(500).nullable(),
    from: SmtpFields.from,
    tlsCa: TlsCa.nullable(),
    webhookUrl: z.url().max(500),
    signSecret: SignSecret.nullable(),
    url: WebhookUrl,
    events: Events,
  })
  .partial()
  .openapi('ChannelPatch');
export type ChannelPatch = z.infer<typeof ChannelPatchSchema>;

/** Which fields of a patch belong to which kind (the others are the caller's mistake). */
export const KIND_FIELDS: Record<(typeof CHANNEL_KINDS)[number], readonly (keyof ChannelPatch)[]> = {
  smtp: ['host', 'port', 'security', 'username', 'password', 'from', 'tlsCa'],
  wecom: ['webhookUrl'],
  dingtalk: ['webhookUrl', 'signSecret'],
  feishu: ['webhookUrl', 'signSecret'],
  webhook: ['url', 'events'],
};
export { robotUrl };

export const ChannelViewSchema = z
  .object({
    id: z.number().int(),
    kind: z.enum(CHANNEL_KINDS),
    name: z.string(),
    departmentId: z.number().int().nullable(),
    locale: Locale,
    ratePerMinute: z.number().int(),
    active: z.boolean(),
    events: z.array(z.enum(NOTIFICATION_EVENTS)),
    settings: z
      .object({
        host: z.string().optional(),
        port: z.number().int().optional(),
        security: z.string().optional(),
        username: z.string().nullable().optional(),
        from: z.string().optional(),
        tlsCa: z.boolean().optional().openapi({ description: 'A campus CA is set' }),
        hint: z.string().optional().openapi({ description: 'A robot’s host and the last characters of its key' }),
        url: z.string().optional(),
      })
      .openapi({ description: 'What is not secret; secrets are never shown again' }),
    secretSet: z.boolean(),
    signed: z.boolean().openapi({ description: 'A robot with its signing secret (DingTalk, Feishu), or a webhook' }),
    previousSecretUntil: z
      .string()
      .nullable()
      .openapi({ description: 'A rotated webhook secret still signs beside the new one until then' }),
    deliveries: z.object({ pending: z.number().int(), sent: z.number().int(), dead: z.number().int() }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Channel');

export const CreatedChannelSchema = ChannelViewSchema.extend({
  secret: z
    .string()
    .nullable()
    .openapi({ description: 'A webhook’s new signing secret, shown this once; null for other kinds' }),
}).openapi('CreatedChannel');

export const TestResultSchema = z
  .object({
    outcome: z.enum(['sent', 'retry', 'rate_limited', 'failed']),
    answer: z.string().openapi({ description: 'The channel’s own answer: HTTP status and body, or the SMTP reply' }),
  })
  .openapi('ChannelTestResult');

export const RoutingSchema = z
  .object({
    events: z.array(
      z.object({
        event: z.enum(NOTIFICATION_EVENTS),
        allowed: z.array(z.enum(AUDIENCES)),
        defaults: z.array(z.enum(AUDIENCES)),
        campus: z
          .array(z.enum(AUDIENCES))
          .nullable()
          .openapi({ description: 'The office’s campus-wide choice; null: the defaults' }),
        departments: z.array(z.object({ departmentId: z.number().int(), audiences: z.array(z.enum(AUDIENCES)) })),
      }),
    ),
  })
  .openapi('NotificationRouting');

export const RoutingInputSchema = z
  .object({
    event: z.enum(NOTIFICATION_EVENTS),
    departmentId: z.number().int().positive().nullable().default(null),
    audiences: z
      .array(z.enum(AUDIENCES))
      .max(AUDIENCES.length)
      .nullable()
      .openapi({ description: 'Who receives it; null removes this choice (back to the campus row or the defaults)' }),
  })
  .openapi('NotificationRoutingInput');

export const DeliveryViewSchema = z
  .object({
    id: z.number().int(),
    messageId: z.string(),
    event: z.enum(NOTIFICATION_EVENTS),
    channelId: z.number().int(),
    channelName: z.string(),
    channelKind: z.enum(CHANNEL_KINDS),
    recipient: z.string().openapi({ description: 'The e-mail address, masked; empty for a robot or webhook' }),
    audience: z.string(),
    locale: Locale,
    title: z.string().openapi({ description: 'The message’s title as sent' }),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    lastError: z.string().nullable(),
    lastAnswer: z.string().nullable(),
    createdAt: z.string(),
    sentAt: z.string().nullable(),
  })
  .openapi('Delivery');

export const DeliveryQuerySchema = z.object({
  status: z.enum(DELIVERY_STATUSES).optional(),
  channelId: z.coerce.number().int().positive().optional(),
});

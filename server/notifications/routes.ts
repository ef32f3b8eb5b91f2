import { createRoute, z } from '@hono/zod-openapi';
import { EVENT_SPECS, NOTIFICATION_EVENTS } from '../domain/notifications';
import { recordAudit } from '../lib/audit';
import { ApiError, fieldError, notFound } from '../lib/errors';
import { createRouter, errorContent, guardResponses, inputGuardResponses, jsonBody, jsonContent } from '../lib/router';
import { decodeCursor, IdParamSchema, PageQuerySchema, pageFrom, pageOf } from '../lib/schemas';
import { principalOf, requireRole } from '../middleware/auth';
import { departmentById } from '../departments/store';
import { userById } from '../users/store';
import { DEFAULT_RATE, newWebhookSecret, type ChannelSecret } from './channels';
import { sendTestMessage } from './deliver';
import { renderMessage, type NotificationPayload } from './messages';
import {
  ChannelInputSchema,
  ChannelPatchSchema,
  ChannelViewSchema,
  CreatedChannelSchema,
  DeliveryQuerySchema,
  DeliveryViewSchema,
  KIND_FIELDS,
  robotUrl,
  RoutingInputSchema,
  RoutingSchema,
  TestResultSchema,
  type ChannelInput,
} from './schemas';
import {
  channelRowById,
  channelRows,
  deliveryById,
  deliveryCountsByChannel,
  deliveryPage,
  insertChannel,
  openChannel,
  recordAttempt,
  routingRows,
  sealSecret,
  setRouting,
  updateChannel,
  type ChannelRow,
  type DeliveryRow,
} from './store';
import type { Tx } from '../db/open';

/** How long a rotated-out webhook secret keeps signing beside the new one: a day for receivers to switch. */
const ROTATION_OVERLAP_MS = 24 * 3_600_000;

const noSuchChannel = { 404: errorContent('No such channel', 'not_found') };

/** What the office may see of a robot's URL: the host and the last four characters of its key. */
function robotHint(url: string) {
  const u = new URL(url);
  const key = u.searchParams.get('key') ?? u.searchParams.get('access_token') ?? u.pathname.split('/').at(-1) ?? '';
  return `${u.host} …${key.slice(-4)}`;
}

function view(row: ChannelRow, counts: Map<number, { pending: number; sent: number; dead: number }>) {
  const s = row.settings as Record<string, unknown>;
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    departmentId: row.departmentId,
    locale: row.locale,
    ratePerMinute: row.ratePerMinute,
    active: row.active,
    events: row.events as (typeof NOTIFICATION_EVENTS)[number][],
    settings:
      row.kind === 'smtp'
        ? {
            host: s.host as string,
            port: s.port as number,
            security: s.security as string,
            username: (s.username as string | null) ?? null,
            from: s.from as string,
            tlsCa: !!s.tlsCa,
          }
        : row.kind === 'webhook'
          ? { url: s.url as string }
          : { hint: s.hint as string },
    secretSet: true,
    signed: row.kind === 'webhook' || !!s.signed,
    previousSecretUntil: row.previousUntil?.toISOString() ?? null,
    deliveries: counts.get(row.id) ?? { pending: 0, sent: 0, dead: 0 },
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** A new channel's settings (in the clear) and secret (to be wrapped) from the office's input. */
function split(input: ChannelInput): { settings: Record<string, unknown>; secret: ChannelSecret; events: string[] } {
  switch (input.kind) {
    case 'smtp':
      return {
        settings: {
          host: input.host,
          port: input.port,
          security: input.security,
          username: input.username,
          from: input.from,
          tlsCa: input.tlsCa,
        },
        secret: input.password ? { password: input.password } : {},
        events: [],
      };
    case 'webhook':
      return { settings: { url: input.url }, secret: { webhookSecret: newWebhookSecret() }, events: input.events };
    case 'wecom':
      return {
        settings: { hint: robotHint(input.webhookUrl), signed: false },
        secret: { url: input.webhookUrl },
        events: [],
      };
    default:
      return {
        settings: { hint: robotHint(input.webhookUrl), signed: !!input.signSecret },
        secret: { url: input.webhookUrl, ...(input.signSecret ? { signSecret: input.signSecret } : {}) },
        events: [],
      };
  }
}

function assertDepartment(tx: Tx, departmentId: number | null | undefined) {
  if (departmentId && !departmentById(tx, departmentId))
    throw fieldError(['departmentId'], 'unknown_department', `No department ${departmentId}`);
}

/** Only one mail server: every person's e-mail goes through it. */
function assertOneMailServer(tx: Tx, kind: string, active: boolean, exceptId?: number) {
  if (kind !== 'smtp' || !active) return;
  if (channelRows(tx).some((c) => c.kind === 'smtp' && c.active && c.id !== exceptId))
    throw new ApiError(
      409,
      'mail_server_exists',
      'An active mail server is already set up; change or switch off that one',
    );
}

const maskAddress = (address: string) => {
  const [local = '', domain = ''] = address.split('@');
  return domain ? `${local.slice(0, 1)}***@${domain}` : '';
};

function deliveryView(d: DeliveryRow, channels: Map<number, ChannelRow>, origin: string) {
  const c = channels.get(d.channelId);
  return {
    id: d.id,
    messageId: d.messageId,
    event: d.event,
    channelId: d.channelId,
    channelName: c?.name ?? '',
    channelKind: c?.kind ?? 'webhook',
    recipient: maskAddress(d.address),
    audience: d.audience,
    locale: d.locale,
    title: renderMessage(d.event, d.payload as NotificationPayload, d.locale, origin).title,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
    lastError: d.lastError,
    lastAnswer: d.lastAnswer,
    createdAt: d.createdAt.toISOString(),
    sentAt: d.sentAt?.toISOString() ?? null,
  };
}

function routingView(tx: Tx) {
  const rows = routingRows(tx);
  return {
    events: NOTIFICATION_EVENTS.map((event) => ({
      event,
      allowed: [...EVENT_SPECS[event].allowed],
      defaults: [...EVENT_SPECS[event].defaults],
      campus: rows.find((r) => r.event === event && r.departmentId === null)?.audiences ?? null,
      departments: rows
        .filter((r) => r.event === event && r.departmentId !== null)
        .map((r) => ({ departmentId: r.departmentId!, audiences: r.audiences })),
    })),
  };
}

export const notificationRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/channels',
      tags: ['notifications'],
      summary: 'The notification channels (mail server, robots, webhooks), secrets never included',
      middleware: [requireRole('office', 'admin')] as const,
      responses: {
        200: jsonContent(
          z.object({
            items: z.array(ChannelViewSchema),
            origin: z.string().openapi({ description: 'Where links in messages point (PUBLIC_ORIGIN)' }),
            originSet: z
              .boolean()
              .openapi({ description: 'False: PUBLIC_ORIGIN is unset and links name this machine' }),
          }),
          'Channels',
        ),
        ...guardResponses,
      },
    }),
    (c) => {
      const { db, config } = c.get('deps');
      const counts = deliveryCountsByChannel(db);
      return c.json(
        {
          items: channelRows(db).map((r) => view(r, counts)),
          origin: c.get('deps').publicOrigin(),
          originSet: !!config.PUBLIC_ORIGIN,
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/channels',
      tags: ['notifications'],
      summary: 'Add a channel; a webhook’s signing secret is made here and shown this once',
      middleware: [requireRole('office', 'admin')] as const,
      request: jsonBody(ChannelInputSchema),
      responses: {
        201: jsonContent(CreatedChannelSchema, 'Added'),
        ...inputGuardResponses,
        409: errorContent('A second active mail server', 'mail_server_exists'),
      },
    }),
    (c) => {
      const { db, clock, keys } = c.get('deps');
      const p = principalOf(c);
      const input = c.req.valid('json');
      const now = clock.now();
      const { settings, secret, events } = split(input);
      const row = db.transaction((tx) => {
        assertDepartment(tx, input.departmentId);
        assertOneMailServer(tx, input.kind, input.active);
        const r = insertChannel(tx, {
          kind: input.kind,
          name: input.name,
          departmentId: input.departmentId,
          settings,
          secret: sealSecret(keys.notificationSecrets, secret),
          events,
          locale: input.locale,
          ratePerMinute: input.ratePerMinute ?? DEFAULT_RATE[input.kind],
          active: input.active,
          createdAt: now,
          updatedAt: now,
        });
        recordAudit(tx, now, p, c.get('requestId'), {
          action: 'notification_channel.add',
          entity: 'notification_channel',
          entityId: r.id,
          after: { kind: r.kind, name: r.name, departmentId: r.departmentId, events },
        });
        return r;
      });
      return c.json({ ...view(row, new Map()), secret: secret.webhookSecret ?? null }, 201);
    },
  )
  .openapi(
    createRoute({
      method: 'patch',
      path: '/channels/{id}',
      tags: ['notifications'],
      summary: 'Change a channel; a secret sent replaces the stored one (never shown again)',
      middleware: [requireRole('office', 'admin')] as const,
      request: { params: IdParamSchema, ...jsonBody(ChannelPatchSchema) },
      responses: {
        200: jsonContent(ChannelViewSchema, 'Changed'),
        ...inputGuardResponses,
        ...noSuchChannel,
        409: errorContent('A second active mail server', 'mail_server_exists'),
      },
    }),
    (c) => {
      const { db, clock, keys } = c.get('deps');
      const p = principalOf(c);
      const { id } = c.req.valid('param');
      const patch = c.req.valid('json');
      const now = clock.now();
      const row = db.transaction((tx) => {
        const before = channelRowById(tx, id);
        if (!before) throw notFound(`Channel ${id}`);
        const common = new Set(['name', 'departmentId', 'locale', 'ratePerMinute', 'active']);
        const foreign = Object.keys(patch).filter(
          (k) => !common.has(k) && !(KIND_FIELDS[before.kind] as readonly string[]).includes(k),
        );
        if (foreign.length)
          throw fieldError([foreign[0]!], 'not_for_this_kind', `A ${before.kind} channel has no ${foreign[0]}`);
        assertDepartment(tx, patch.departmentId);
        assertOneMailServer(tx, before.kind, patch.active ?? before.active, id);
        const secret = openChannel(before, keys.notificationSecrets, now).secret;
        const settings = { ...(before.settings as Record<string, unknown>) };
        for (const k of ['host', 'port', 'security', 'username', 'from', 'tlsCa', 'url'] as const)
          if (patch[k] !== undefined) settings[k] = patch[k];
        if (patch.password !== undefined) {
          if (patch.password === null) delete secret.password;
          else secret.password = patch.password;
        }
        if (patch.webhookUrl !== undefined) {
          const checked = robotUrl(before.kind as 'wecom' | 'dingtalk' | 'feishu').safeParse(patch.webhookUrl);
          if (!checked.success)
            throw fieldError(['webhookUrl'], 'not_a_robot_url', checked.error.issues[0]?.message ?? 'invalid');
          secret.url = patch.webhookUrl;
          settings.hint = robotHint(patch.webhookUrl);
        }
        if (patch.signSecret !== undefined) {
          if (patch.signSecret === null) delete secret.signSecret;
          else secret.signSecret = patch.signSecret;
          settings.signed = patch.signSecret !== null;
        }
        const r = updateChannel(tx, id, {
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.departmentId !== undefined ? { departmentId: patch.departmentId } : {}),
          ...(patch.locale !== undefined ? { locale: patch.locale } : {}),
          ...(patch.ratePerMinute !== undefined ? { ratePerMinute: patch.ratePerMinute } : {}),
          ...(patch.active !== undefined ? { active: patch.active } : {}),
          ...(patch.events !== undefined ? { events: patch.events } : {}),
          settings,
          secret: sealSecret(keys.notificationSecrets, secret),
          updatedAt: now,
        });
        recordAudit(tx, now, p, c.get('requestId'), {
          action: 'notification_channel.change',
          entity: 'notification_channel',
          entityId: id,
          // Which fields changed, never a secret's value.
          after: { fields: Object.keys(patch) },
        });
        return r;
      });
      return c.json(view(row, deliveryCountsByChannel(db)), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/channels/{id}/rotate-secret',
      tags: ['notifications'],
      summary: 'A webhook’s new signing secret, shown once; the old one signs beside it for 24 hours',
      middleware: [requireRole('office', 'admin')] as const,
      request: { params: IdParamSchema },
      responses: {
        200: jsonContent(z.object({ secret: z.string(), previousSecretUntil: z.string() }), 'Rotated'),
        ...inputGuardResponses,
        ...noSuchChannel,
        409: errorContent('Not a webhook', 'not_a_webhook'),
      },
    }),
    (c) => {
      const { db, clock, keys } = c.get('deps');
      const p = principalOf(c);
      const { id } = c.req.valid('param');
      const now = clock.now();
      const secret = newWebhookSecret();
      const until = new Date(now.getTime() + ROTATION_OVERLAP_MS);
      db.transaction((tx) => {
        const before = channelRowById(tx, id);
        if (!before) throw notFound(`Channel ${id}`);
        if (before.kind !== 'webhook')
          throw new ApiError(409, 'not_a_webhook', 'Only webhooks have a signing secret to rotate');
        updateChannel(tx, id, {
          previousSecret: before.secret,
          previousUntil: until,
          secret: sealSecret(keys.notificationSecrets, { webhookSecret: secret }),
          updatedAt: now,
        });
        recordAudit(tx, now, p, c.get('requestId'), {
          action: 'notification_channel.rotate_secret',
          entity: 'notification_channel',
          entityId: id,
        });
      });
      return c.json({ secret, previousSecretUntil: until.toISOString() }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/channels/{id}/test',
      tags: ['notifications'],
      summary: 'Send a test message now and report the channel’s own answer',
      middleware: [requireRole('office', 'admin')] as const,
      request: {
        params: IdParamSchema,
        ...jsonBody(
          z.object({
            to: z
              .email()
              .max(200)
              .optional()
              .openapi({ description: 'Mail only: the address to send to; default your own' }),
          }),
        ),
      },
      responses: {
        200: jsonContent(TestResultSchema, 'The channel’s answer'),
        ...inputGuardResponses,
        ...noSuchChannel,
      },
    }),
    async (c) => {
      const { db, clock, keys } = c.get('deps');
      const p = principalOf(c);
      const { id } = c.req.valid('param');
      const row = channelRowById(db, id);
      if (!row) throw notFound(`Channel ${id}`);
      const me = p.userId ? userById(db, p.userId) : undefined;
      const to = c.req.valid('json').to ?? me?.email ?? '';
      if (row.kind === 'smtp' && !to)
        throw fieldError(['to'], 'address_required', 'Give an address, or set your own e-mail address on your account');
      const now = clock.now();
      const result = await sendTestMessage(
        openChannel(row, keys.notificationSecrets, now),
        to,
        row.kind === 'smtp' ? (me?.locale ?? 'zh') : row.locale,
        c.get('deps').publicOrigin(),
        now,
      );
      return c.json({ outcome: result.outcome, answer: result.answer }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/routing',
      tags: ['notifications'],
      summary: 'Who is told of what: per kind of notification, campus-wide and per department',
      middleware: [requireRole('office', 'admin')] as const,
      responses: { 200: jsonContent(RoutingSchema, 'Routing'), ...guardResponses },
    }),
    (c) => c.json(routingView(c.get('deps').db), 200),
  )
  .openapi(
    createRoute({
      method: 'put',
      path: '/routing',
      tags: ['notifications'],
      summary: 'Choose who is told of one kind of notification, campus-wide or for one department',
      middleware: [requireRole('office', 'admin')] as const,
      request: jsonBody(RoutingInputSchema),
      responses: { 200: jsonContent(RoutingSchema, 'Routing'), ...inputGuardResponses },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const p = principalOf(c);
      const input = c.req.valid('json');
      const now = clock.now();
      const body = db.transaction((tx) => {
        assertDepartment(tx, input.departmentId);
        const allowed = EVENT_SPECS[input.event].allowed;
        const wrong = (input.audiences ?? []).findIndex((a) => !allowed.includes(a));
        if (wrong >= 0)
          throw fieldError(
            ['audiences', wrong],
            'audience_not_allowed',
            `${input.event} can go to ${allowed.join(', ')} only`,
          );
        setRouting(tx, input.event, input.departmentId, input.audiences && [...new Set(input.audiences)], now);
        recordAudit(tx, now, p, c.get('requestId'), {
          action: 'notification_routing.change',
          entity: 'notification_routing',
          entityId: `${input.event}:${input.departmentId ?? 'campus'}`,
          after: { audiences: input.audiences },
        });
        return routingView(tx);
      });
      return c.json(body, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/deliveries',
      tags: ['notifications'],
      summary: 'The delivery log, newest first: pending, sent and given up (dead letters)',
      middleware: [requireRole('office', 'admin')] as const,
      request: { query: PageQuerySchema.extend(DeliveryQuerySchema.shape) },
      responses: { 200: jsonContent(pageOf(DeliveryViewSchema), 'Deliveries'), ...inputGuardResponses },
    }),
    (c) => {
      const { db } = c.get('deps');
      const q = c.req.valid('query');
      const after = decodeCursor(q.cursor, z.tuple([z.number().int()]));
      const rows = deliveryPage(db, { status: q.status, channelId: q.channelId, before: after?.[0] }, q.limit + 1);
      const channels = new Map(channelRows(db).map((r) => [r.id, r]));
      const page = pageFrom(rows, q.limit, (r) => [r.id]);
      const origin = c.get('deps').publicOrigin();
      return c.json(
        { items: page.items.map((d) => deliveryView(d, channels, origin)), nextCursor: page.nextCursor },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/deliveries/{id}/resend',
      tags: ['notifications'],
      summary: 'Send a delivery again (a dead letter after the channel is mended, or a message someone lost)',
      middleware: [requireRole('office', 'admin')] as const,
      request: { params: IdParamSchema },
      responses: {
        200: jsonContent(DeliveryViewSchema, 'Queued again'),
        ...inputGuardResponses,
        404: errorContent('No such delivery', 'not_found'),
      },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const p = principalOf(c);
      const { id } = c.req.valid('param');
      const now = clock.now();
      const row = db.transaction((tx) => {
        if (!deliveryById(tx, id)) throw notFound(`Delivery ${id}`);
        recordAttempt(tx, id, { status: 'pending', attempts: 0, nextAttemptAt: now, lastError: null });
        recordAudit(tx, now, p, c.get('requestId'), {
          action: 'notification.resend',
          entity: 'notification_delivery',
          entityId: id,
        });
        return deliveryById(tx, id)!;
      });
      return c.json(
        deliveryView(row, new Map(channelRows(db).map((r) => [r.id, r])), c.get('deps').publicOrigin()),
        200,
      );
    },
  );

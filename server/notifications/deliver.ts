import { closeTransports, sendOne, type Channel, type Message, type SendResult } from './channels';
import { renderMessage, type NotificationPayload } from './messages';
import { watchNotifications } from './record';
import { channelRows, dueDeliveries, openChannel, recordAttempt, type DeliveryRow } from './store';
import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/logger';
import type { Events } from '../events';
import type { Db } from '../db/open';
import type { Lang } from '../domain/i18n';

/** Tries before a delivery is given up (dead letter): about three hours of backoff in all. */
export const MAX_ATTEMPTS = 10;
const BASE_DELAY_MS = 15_000;
const MAX_DELAY_MS = 3_600_000;
const BATCH = 100;
const WINDOW_MS = 60_000;

/** Exponential backoff with ±20 % jitter, so a hundred failures after an outage do not retry in step. */
export function backoffMs(attempt: number, random = Math.random) {
  const plain = Math.min(BASE_DELAY_MS * 2 ** (attempt - 1), MAX_DELAY_MS);
  return Math.round(plain * (0.8 + 0.4 * random()));
}

/** The server's own address for links in messages: PUBLIC_ORIGIN, else this machine. */
export const publicOrigin = (config: { PUBLIC_ORIGIN?: string | undefined; PORT: number }) =>
  config.PUBLIC_ORIGIN ?? `http://localhost:${config.PORT}`;

/** A delivery as its channel sends it: rendered in the recipient's language, links absolute. */
function messageOf(
  d: Pick<DeliveryRow, 'messageId' | 'address' | 'locale' | 'payload'> & { event: DeliveryRow['event'] | 'test' },
  origin: string,
): Message {
  const payload = d.payload as NotificationPayload;
  const rendered = renderMessage(d.event, payload, d.locale, origin);
  return {
    messageId: d.messageId,
    event: d.event,
    rendered,
    lang: d.locale,
    to: d.address,
    data: {
      type: d.event,
      timestamp: payload.at,
      data: { ...payload.values, link: rendered.link?.url ?? null, title: rendered.title, text: rendered.body },
    },
  };
}

/** Sends a test message through a channel at once (not through the outbox) and returns its own answer. */
export function sendTestMessage(channel: Channel, to: string, lang: Lang, origin: string, now: Date) {
  const payload: NotificationPayload = {
    variant: 'general',
    values: { channel: channel.name },
    link: '/admin/notifications',
    at: now.toISOString(),
  };
  return sendOne(
    channel,
    messageOf(
      { messageId: `test_${now.getTime().toString(36)}`, event: 'test', address: to, locale: lang, payload },
      origin,
    ),
  );
}

export interface NotifierOptions {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Unwraps the channels' secrets (lib/secrets.ts deriveKey 'notification-secrets'). */
  secretsKey: Buffer;
  /** Where links in messages point: PUBLIC_ORIGIN, or (main.ts) this server once it listens. */
  origin: string | (() => string);
  events?: Events;
  /** How often due retries are looked for; commits wake the sender at once anyway. */
  pollMs?: number;
  /** How often the time-based notices (overdue escort, silent tablet, unsigned reports) are checked. */
  watchMs?: number;
}

/**
 * The sender: delivers what the outbox holds after it is committed, oldest first, each channel at
 * no more than its messages a minute (a sliding window, as the vendors count), with backoff and
 * jitter on failure, and gives up after MAX_ATTEMPTS or at once on an answer that cannot mend (a
 * wrong key): the office sees those as dead letters and can re-send. A row is marked sent only
 * after the channel accepted it, so a crash in between sends it again with the same message id
 * (at least once; receivers de-duplicate).
 */
export function createNotifier({
  db,
  clock,
  logger,
  secretsKey,
  origin,
  events,
  pollMs = 1000,
  watchMs = 30_000,
}: NotifierOptions) {
  const sentAt = new Map<number, number[]>();
  const pausedUntil = new Map<number, number>();
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  /** When the channel may send next: now, or when its window frees a slot or its pause ends. */
  const slotAt = (channelId: number, rate: number, now: number) => {
    const recent = (sentAt.get(channelId) ?? []).filter((t) => t > now - WINDOW_MS);
    sentAt.set(channelId, recent);
    const pause = pausedUntil.get(channelId) ?? 0;
    const windowFree = recent.length < rate ? now : recent[recent.length - rate]! + WINDOW_MS;
    return Math.max(pause, windowFree);
  };

  const apply = (d: DeliveryRow, r: SendResult, now: Date) => {
    const attempts = d.attempts + 1;
    const error = r.outcome === 'sent' ? null : r.answer;
    switch (r.outcome) {
      case 'sent':
        recordAttempt(db, d.id, { status: 'sent', attempts, sentAt: now, lastAnswer: r.answer, lastError: null });
        break;
      case 'rate_limited': {
        // The channel said slow down: not the message's fault, so no attempt is counted.
        const until = now.getTime() + (r.retryAfterMs ?? WINDOW_MS);
        pausedUntil.set(d.channelId, until);
        recordAttempt(db, d.id, { nextAttemptAt: new Date(until), lastAnswer: r.answer, lastError: 'rate_limited' });
        break;
      }
      case 'failed':
        recordAttempt(db, d.id, { status: 'dead', attempts, lastAnswer: r.answer, lastError: error });
        break;
      case 'retry':
        recordAttempt(
          db,
          d.id,
          attempts >= MAX_ATTEMPTS
            ? { status: 'dead', attempts, lastAnswer: r.answer, lastError: error }
            : {
                attempts,
                nextAttemptAt: new Date(now.getTime() + backoffMs(attempts)),
                lastAnswer: r.answer,
                lastError: error,
              },
        );
    }
    if (r.outcome !== 'sent')
      logger.warn('notification not delivered', { id: d.id, channel: d.channelId, outcome: r.outcome, attempts });
  };

  /** One pass over what is due; channels send side by side, each in order. */
  async function round() {
    const now = clock.now();
    const due = dueDeliveries(db, now, BATCH);
    if (!due.length) return 0;
    const rows = new Map(channelRows(db).map((c) => [c.id, c]));
    const byChannel = new Map<number, DeliveryRow[]>();
    for (const d of due) byChannel.set(d.channelId, [...(byChannel.get(d.channelId) ?? []), d]);
    await Promise.all(
      [...byChannel].map(async ([channelId, ds]) => {
        const row = rows.get(channelId);
        if (!row?.active) {
          for (const d of ds) recordAttempt(db, d.id, { status: 'dead', lastError: 'channel_inactive' });
          return;
        }
        const channel = openChannel(row, secretsKey, now);
        for (const d of ds) {
          if (stopped) return;
          const at = clock.now();
          const slot = slotAt(channelId, row.ratePerMinute, at.getTime());
          if (slot > at.getTime()) {
            // Over the channel's limit: wait for a free slot, unsent and uncounted.
            recordAttempt(db, d.id, { nextAttemptAt: new Date(slot) });
            continue;
          }
          sentAt.get(channelId)!.push(at.getTime());
          apply(d, await sendOne(channel, messageOf(d, typeof origin === 'string' ? origin : origin())), clock.now());
        }
      }),
    );
    return due.length;
  }

  async function loop() {
    try {
      do {
        again = false;
        const n = await round();
        if (n === BATCH) again = true;
      } while (again && !stopped);
    } catch (err) {
      logger.error('notification sender failed', { err: err instanceof Error ? err.message : String(err) });
    } finally {
      running = null;
    }
  }

  const kick = () => {
    if (stopped) return;
    if (running) again = true;
    else running = loop();
  };

  const watch = () => {
    try {
      if (watchNotifications(db, clock.now())) kick();
    } catch (err) {
      logger.error('notification watch failed', { err: err instanceof Error ? err.message : String(err) });
    }
  };

  let timers: ReturnType<typeof setInterval>[] = [];
  let unsubscribe = () => {};
  return {
    kick,
    watch,
    /** Starts the timers and wakes on every commit that may have written to the outbox. */
    start() {
      timers = [setInterval(kick, pollMs), setInterval(watch, watchMs)];
      for (const t of timers) t.unref();
      if (events)
        unsubscribe = events.onCommitted((e) => {
          if (e.type === 'request.transition' || e.type === 'gate_events.synced') kick();
        });
      kick();
      watch();
    },
    /** Resolves when nothing due is left (tests; a graceful shutdown). */
    async drain() {
      for (;;) {
        kick();
        await running;
        if (!dueDeliveries(db, clock.now(), 1).length) return;
      }
    },
    async stop() {
      stopped = true;
      for (const t of timers) clearInterval(t);
      unsubscribe();
      await running;
      closeTransports();
    },
  };
}

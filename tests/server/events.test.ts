import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { ok } from '../../server/domain/api-result';
import { createEvents, type DomainEvent } from '../../server/events';
import { createLogger } from '../../server/lib/logger';
import { createTestApp, type TestApp } from '../helpers/app';
import { createTestDb } from '../helpers/db';
import { enrollDevice, quickRefusalEvent } from '../helpers/kiosk';

let t: TestApp | undefined;
let cleanup: (() => void) | undefined;
afterEach(() => {
  t?.cleanup();
  cleanup?.();
  t = undefined;
  cleanup = undefined;
});

const acked = (key: string): DomainEvent => ({ type: 'alert.acknowledged', key, userId: 1 });

describe('the after-commit seam (server/events.ts)', () => {
  it('tells after-commit subscribers only once the transaction commits, and never after a rollback', () => {
    const testDb = createTestDb();
    cleanup = testDb.cleanup;
    const events = createEvents(createLogger('silent'));
    const seen: string[] = [];
    events.onCommitted((e) => {
      // By now the change is in the database for anyone who reads it.
      const n = testDb.sqlite.prepare("select count(*) n from departments where code = 'x'").get() as { n: number };
      seen.push(`${e.type}:${n.n}`);
    });
    events.transact(testDb.db, (tx, happened) => {
      tx.run(sql`insert into departments (code, name, name_en) values ('x', 'X', 'X')`);
      happened(acked('a'));
      expect(seen).toEqual([]); // not yet: still inside the transaction
    });
    expect(seen).toEqual(['alert.acknowledged:1']);
    expect(() =>
      events.transact(testDb.db, (tx, happened) => {
        tx.run(sql`insert into departments (code, name, name_en) values ('y', 'Y', 'Y')`);
        happened(acked('b'));
        throw new Error('the write fails after saying what happened');
      }),
    ).toThrow();
    expect(seen).toEqual(['alert.acknowledged:1']);
  });

  it('lets an in-transaction recorder write beside the change: both commit, or neither', () => {
    const testDb = createTestDb();
    cleanup = testDb.cleanup;
    const events = createEvents(createLogger('silent'));
    events.onRecorded((tx, e) =>
      tx.run(
        sql`insert into departments (code, name, name_en) values (${`rec-${e.type === 'alert.acknowledged' ? e.key : ''}`}, 'R', 'R')`,
      ),
    );
    events.transact(testDb.db, (_tx, happened) => happened(acked('kept')));
    expect(() =>
      events.transact(testDb.db, (_tx, happened) => {
        happened(acked('lost'));
        throw new Error('rolled back');
      }),
    ).toThrow();
    const codes = testDb.sqlite.prepare("select code from departments where code like 'rec-%'").pluck().all();
    expect(codes).toEqual(['rec-kept']);
  });

  it('drops a subscriber that throws; the change and the other subscribers go on', () => {
    const testDb = createTestDb();
    cleanup = testDb.cleanup;
    const events = createEvents(createLogger('silent'));
    const seen: string[] = [];
    events.onCommitted(() => {
      throw new Error('broken subscriber');
    });
    events.onCommitted((e) => seen.push(e.type));
    expect(events.listenerCount).toBe(2);
    events.transact(testDb.db, (_tx, happened) => happened(acked('a')));
    events.transact(testDb.db, (_tx, happened) => happened(acked('b')));
    expect(seen).toEqual(['alert.acknowledged', 'alert.acknowledged']);
    expect(events.listenerCount).toBe(1);
  });
});

describe('what handlers say happened', () => {
  it('a sync states the events the gate stored, once; a retried batch of duplicates states nothing', async () => {
    t = createTestApp();
    const seen: DomainEvent[] = [];
    t.events.onCommitted((e) => seen.push(e));
    const tablet = await enrollDevice(t, t.campus.gateIds.north);
    const batch = [quickRefusalEvent(1, 'courier'), quickRefusalEvent(2, 'food_delivery')];
    const kiosk = t.client({ bearer: tablet.token }).kiosk;
    await ok(kiosk.events.$post({ json: { events: batch } }));
    await ok(kiosk.events.$post({ json: { events: batch } }));
    const synced = seen.filter((e) => e.type === 'gate_events.synced');
    expect(synced).toHaveLength(1);
    expect(synced[0]).toMatchObject({
      gateId: t.campus.gateIds.north,
      deviceId: tablet.deviceId,
      rejected: 0,
      events: [
        { id: batch[0]!.id, reasons: ['courier'] },
        { id: batch[1]!.id, reasons: ['food_delivery'] },
      ],
    });
    await ok(kiosk.snapshot.$get({ query: {} }));
    expect(seen.at(-1)).toEqual({
      type: 'device.contacted',
      gateId: t.campus.gateIds.north,
      deviceId: tablet.deviceId,
    });
  });

  it('acknowledging an alert states it once, by whom; a second acknowledgement changes nothing and states nothing', async () => {
    t = createTestApp();
    const seen: DomainEvent[] = [];
    t.events.onCommitted((e) => seen.push(e));
    const office = t.client({ cookie: await t.signIn('office') });
    await ok(office.alerts.ack.$post({ json: { key: 'fever:abc', note: null } }));
    await ok(office.alerts.ack.$post({ json: { key: 'fever:abc', note: 'again' } }));
    expect(seen).toEqual([{ type: 'alert.acknowledged', key: 'fever:abc', userId: t.users.office.id }]);
  });
});

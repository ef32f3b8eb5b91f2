import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app';
import { approvedRequest, decisionEvent, enrollDevice, quickRefusalEvent } from '../helpers/kiosk';
import { MemoryStorage, memoryOutbox, nodeKiosk } from '../helpers/kiosk-node';
import { visitorInput } from '../helpers/filing';

let t: TestApp;
afterEach(() => t?.cleanup());

/** The test app as the tablet's network: every call is a real request to the real app. */
const appFetch = (app: TestApp['app'], calls: string[] = []): typeof fetch =>
  (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    calls.push(`${init?.method ?? 'GET'} ${new URL(url).pathname}`);
    return app.request(url, init);
  }) as typeof fetch;

/** A network that delivers the request, lets the server commit, and loses the answer when `lose()` says so. */
const losingAnswers = (inner: typeof fetch, lose: () => boolean): typeof fetch =>
  (async (input: RequestInfo | URL, init?: RequestInit) => {
    const res = await inner(input, init);
    if (String(input instanceof Request ? input.url : input).endsWith('/kiosk/events') && lose())
      throw new TypeError('fetch failed');
    return res;
  }) as typeof fetch;

const down: typeof fetch = async () => {
  throw new TypeError('fetch failed');
};

/** A test app and an enrolled north tablet; the visits the tests file are for the 21st. */
async function tablet(now = '2026-11-21T01:00:00Z') {
  t = createTestApp({ now });
  return enrollDevice(t, t.campus.gateIds.north);
}

const storedRows = (deviceId: number) =>
  t.sqlite.prepare('select count(*) n, count(distinct id) d from gate_events where device_id = ?').get(deviceId);

describe('the kiosk’s drain (kiosk/src/lib/sync.ts)', () => {
  it('removes from the outbox only what the server answered for; a lost answer is sent again and counted once', async () => {
    const d = await tablet();
    let calls = 0;
    const k = nodeKiosk(
      d,
      losingAnswers(appFetch(t.app), () => ++calls === 1),
    );
    for (let i = 1; i <= 3; i++) await k.outbox.add(quickRefusalEvent(i, 'courier'), 0);
    await k.sync.drain();
    expect(k.outbox.events).toHaveLength(3); // committed on the server, but the tablet never heard
    expect(k.sync.online.value).toBe(false);
    await k.sync.drain({ force: true });
    expect(k.outbox.events).toHaveLength(0);
    expect(storedRows(d.deviceId)).toEqual({ n: 3, d: 3 });
    expect(k.sync.online.value).toBe(true);
    expect(k.sync.pending.value).toBe(0);
  });

  it('drops an event the server rejects with its id, keeps sending the rest, and never retries the rejected one', async () => {
    const d = await tablet();
    const calls: string[] = [];
    const k = nodeKiosk(d, appFetch(t.app, calls));
    await k.outbox.add(quickRefusalEvent(1, 'courier'), 0);
    await k.outbox.add({ ...quickRefusalEvent(2, 'courier'), verdict: 'maybe' }, 0);
    await k.outbox.add(quickRefusalEvent(3, 'courier'), 0);
    await k.sync.drain();
    expect(k.outbox.events).toEqual([]);
    expect(storedRows(d.deviceId)).toEqual({ n: 2, d: 2 });
    await k.sync.drain();
    expect(calls.filter((c) => c.endsWith('/kiosk/events'))).toHaveLength(1);
  });

  it('backs off after failures (1 s, 2 s, … at most a minute) unless forced, and resets once a drain succeeds', async () => {
    const d = await tablet();
    let clock = Date.parse('2026-11-21T01:00:00Z');
    let network: typeof fetch = down;
    const k = nodeKiosk(d, ((...a: Parameters<typeof fetch>) => network(...a)) as typeof fetch, { now: () => clock });
    await k.outbox.add(quickRefusalEvent(1, 'courier'), 0);
    await k.sync.drain();
    expect(k.sync.retryAt - clock).toBe(1000);
    await k.sync.drain({ force: true });
    expect(k.sync.retryAt - clock).toBe(2000);
    for (let i = 0; i < 10; i++) await k.sync.drain({ force: true });
    expect(k.sync.retryAt - clock).toBe(60_000);
    network = appFetch(t.app);
    clock += 59_000;
    await k.sync.drain(); // still waiting: nothing sent
    expect(k.outbox.events).toHaveLength(1);
    clock += 1_000;
    await k.sync.drain();
    expect(k.outbox.events).toHaveLength(0);
    expect(k.sync.retryAt).toBe(0);
  });

  it('runs one drain at a time: a call while one is under way joins it and sends nothing of its own', async () => {
    const d = await tablet();
    const calls: string[] = [];
    const k = nodeKiosk(d, appFetch(t.app, calls));
    for (let i = 1; i <= 5; i++) await k.outbox.add(quickRefusalEvent(i, 'courier'), 0);
    await Promise.all([k.sync.drain(), k.sync.drain({ force: true }), k.sync.drain()]);
    expect(calls.filter((c) => c.endsWith('/kiosk/events'))).toHaveLength(1);
    expect(storedRows(d.deviceId)).toEqual({ n: 5, d: 5 });
  });

  it('wipes on a 401: the server no longer knows the tablet', async () => {
    const d = await tablet();
    const k = nodeKiosk({ ...d, token: 'ghd_not-a-token' }, appFetch(t.app));
    await k.outbox.add(quickRefusalEvent(1, 'courier'), 0);
    await k.sync.drain();
    expect(k.revoked).toBe(1);
  });
});

describe('this tablet’s own admits, counted beside the snapshot (kiosk/src/lib/local-uses.ts)', () => {
  it('counts a single-use pass as used from the admit until the server’s snapshot counts it, across a reload', async () => {
    const d = await tablet('2026-11-20T02:00:00Z');
    const req = await approvedRequest(t, t.campus.gateIds.north, [visitorInput({}, 1)]);
    const passId = req.visitors[0].pass.id;
    t.clock.set('2026-11-21T01:30:00Z'); // 09:30 on the visit day
    const storage = new MemoryStorage();
    const outbox = memoryOutbox();
    const offline = nodeKiosk(d, down, { storage, outbox, now: () => t.clock.now().getTime() });
    // The first snapshot comes over a working network, then the link goes.
    await nodeKiosk(d, appFetch(t.app), { storage, now: () => t.clock.now().getTime() }).sync.refreshSnapshot();
    const k = nodeKiosk(d, down, { storage, outbox, now: () => t.clock.now().getTime() });
    expect(k.flow.entriesUsed(passId)).toBe(0);
    await k.flow.pickManually(passId);
    await k.flow.setHealthCode('green');
    await k.flow.confirmPaperCommitment(true); // the department filed this visitor: signed on paper here
    await k.flow.addTemperature(36.5, 'forehead_ir');
    expect(k.flow.entrant.value?.decision.verdict).toBe('admit');
    expect(k.flow.entriesUsed(passId)).toBe(1);
    void offline;

    // A reload before the outbox reached the server: the count survives in storage.
    const reloaded = nodeKiosk(d, appFetch(t.app), { storage, outbox, now: () => t.clock.now().getTime() });
    expect(reloaded.flow.entriesUsed(passId)).toBe(1);
    k.flow.next();
    await reloaded.flow.pickManually(passId);
    expect(reloaded.flow.entrant.value?.decision.reasons).toContain('pass_no_entries_left');

    // The drain is acknowledged and a fresh snapshot (requested after it) counts the admit: the tablet forgets its own.
    await reloaded.sync.drain({ force: true });
    expect(reloaded.uses.count(passId)).toBe(0);
    expect(reloaded.snapshot.value?.passes.find((p) => p.id === passId)?.entriesUsed).toBe(1);
    expect(reloaded.flow.entriesUsed(passId)).toBe(1);
  });
});

describe('the on-campus count in the tablet’s status bar', () => {
  it('is the office’s figure plus what this tablet did that no snapshot counts yet, across an offline reload', async () => {
    const d = await tablet('2026-11-20T02:00:00Z');
    const req = await approvedRequest(
      t,
      t.campus.gateIds.north,
      [1, 2, 3].map((i) => visitorInput({}, i)),
    );
    const [a, b, c] = req.visitors.map((v) => v.pass.id);
    t.clock.set('2026-11-21T01:30:00Z');
    const now = () => t.clock.now().getTime();
    const office = await t.signIn('office');
    const wall = async () => (await t.request('GET', '/api/v1/live/wall', { cookie: office })).json.onCampus as number;
    const count = (k: ReturnType<typeof nodeKiosk>) => (k.snapshot.value?.onCampus ?? 0) + k.uses.onCampusChange();
    // Someone came in at another tablet: the office counts them, and so does this tablet's snapshot.
    const other = await enrollDevice(t, t.campus.gateIds.north, office);
    await t.request('POST', '/api/v1/kiosk/events', {
      bearer: other.token,
      body: { events: [decisionEvent(1, { passId: c, at: '2026-11-21T01:00:00.000Z' })] },
    });
    const storage = new MemoryStorage();
    const outbox = memoryOutbox();
    await nodeKiosk(d, appFetch(t.app), { storage, outbox, now }).sync.refreshSnapshot();
    const k = nodeKiosk(d, down, { storage, outbox, now });
    expect(count(k)).toBe(1);
    for (const passId of [a!, b!]) {
      await k.flow.pickManually(passId);
      await k.flow.setHealthCode('green');
      await k.flow.confirmPaperCommitment(true);
      await k.flow.addTemperature(36.5, 'forehead_ir');
      k.flow.next();
    }
    k.flow.exitMode.value = true;
    await k.flow.pickManually(c!); // the one who came in elsewhere leaves here
    expect(count(k)).toBe(2);
    // Reloaded while still offline: nothing this tablet did is forgotten.
    expect(count(nodeKiosk(d, down, { storage, outbox, now }))).toBe(2);
    // Back online: after the drain and a fresh snapshot the tablet shows exactly the office's figure.
    const online = nodeKiosk(d, appFetch(t.app), { storage, outbox, now });
    await online.sync.drain({ force: true });
    await online.sync.refreshSnapshot();
    expect(online.uses.onCampusChange()).toBe(0);
    expect(await wall()).toBe(2);
    expect(count(online)).toBe(2);
  });
});

describe('the entrant flow (kiosk/src/lib/entrant.ts)', () => {
  it('records one decision per entrant, marks it recorded even if the screen changed it meanwhile, and ignores taps after', async () => {
    const d = await tablet('2026-11-20T02:00:00Z');
    const req = await approvedRequest(t, t.campus.gateIds.north, [visitorInput({}, 1)]);
    const passId = req.visitors[0].pass.id;
    t.clock.set('2026-11-21T01:30:00Z');
    const k = nodeKiosk(d, appFetch(t.app), { now: () => t.clock.now().getTime() });
    await k.sync.refreshSnapshot();
    await k.flow.pickManually(passId);
    await k.flow.setHealthCode('green');
    await k.flow.confirmPaperCommitment(true);
    expect(k.flow.entrant.value?.decision.verdict).toBe('incomplete');
    expect(k.outbox.events).toHaveLength(0);
    // The deciding tap, and while its write is under way the escort arrives on screen.
    const deciding = k.flow.addTemperature(36.6, 'forehead_ir');
    const escort = k.flow.escortArrived();
    const extraTap = k.flow.addTemperature(36.7, 'forehead_ir');
    await Promise.all([deciding, escort, extraTap]);
    const e = k.flow.entrant.value!;
    expect(e).toMatchObject({ escortArrived: true, decision: { verdict: 'admit' } });
    expect(e.recorded?.eventId).toEqual(expect.any(String));
    await k.sync.drain({ force: true });
    const after = t.sqlite.prepare("select id, verdict from gate_events where type = 'decision'").all();
    expect(after).toEqual([{ id: e.recorded!.eventId, verdict: 'admit' }]);
    await k.flow.setHealthCode('red'); // after the verdict: no second decision
    await k.sync.drain({ force: true });
    expect(t.sqlite.prepare("select count(*) n from gate_events where type = 'decision'").pluck().get()).toBe(1);
  });

  it('refuses a courier in one tap, recorded at once', async () => {
    const d = await tablet();
    const k = nodeKiosk(d, appFetch(t.app));
    await k.sync.refreshSnapshot();
    await k.flow.quickRefuse('courier');
    expect(k.flow.entrant.value).toMatchObject({
      decision: { verdict: 'refuse', reasons: ['courier'] },
      recorded: { eventId: expect.any(String) },
    });
  });
});

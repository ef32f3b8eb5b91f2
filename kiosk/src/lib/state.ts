import { computed, signal } from '@preact/signals';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import {
  decideAdmission,
  type AdmissionDecision,
  type AdmissionInput,
  type CodeColour,
  type GateEventType,
  type RecordedVerdict,
  type QuickRefusal,
  type TemperatureMethod,
  type TemperatureReading,
} from '../../../server/domain/admission';
import { isLang, translator, type Lang } from '../../../server/domain/i18n';
import { failureText } from '../../../server/domain/api-result';
import {
  fromBase64Url,
  hexToBytes,
  parsePassText,
  passStateVerdict,
  verifyPass,
  type PassRefusal,
} from '../../../server/domain/pass';
import { uuidv7 } from '../../../server/domain/ids';
import { mergeSnapshot, snapshotDigest } from '../../../server/domain/snapshot-sync';
import type { Snapshot } from '../../../server/kiosk/snapshot';
import { ApiFailure, APP_VERSION, createApi, ok } from './api';
import { verifierFor } from './health-code';
import { messages, type MessageKey } from './messages';
import { outbox } from './outbox';
import { verifyPin } from './pin';

export type SnapshotPass = Snapshot['passes'][number];
export interface Device {
  token: string;
  deviceId: number;
  gate: { id: number; name: string; nameEn: string };
}
export interface Guard {
  id: number;
  displayName: string;
}

export interface Entrant {
  startedAt: number;
  source: 'scan' | 'manual';
  passId: string | null;
  pass: { ok: true } | { ok: false; reason: PassRefusal };
  record: SnapshotPass | null;
  healthCode: AdmissionInput['healthCode'];
  healthCodeScanned: boolean;
  temperatures: TemperatureReading[];
  testConfirmed: boolean | null;
  idConfirmed: boolean | null;
  quickRefusal: QuickRefusal | null;
  decision: AdmissionDecision;
  /** Set once the decision is in the tablet's outbox (IndexedDB committed). */
  recorded: { eventId: string; at: number } | null;
  escortArrived: boolean;
}

const KEYS = {
  lang: 'gatehouse.kiosk.lang',
  device: 'gatehouse.kiosk.device',
  seq: 'gatehouse.kiosk.seq',
  snapshot: 'gatehouse.kiosk.snapshot',
  used: 'gatehouse.kiosk.used.v2',
  refreshes: 'gatehouse.kiosk.refreshes',
  shift: 'gatehouse.kiosk.shift',
  pinFailures: 'gatehouse.kiosk.pin-failures',
};
/** Offline PIN checks: this many wrong PINs lock the tablet's offline sign-in for a while. */
const OFFLINE_PIN_TRIES = 5;
const OFFLINE_PIN_LOCK_MS = 5 * 60_000;
const BATCH = 500;

/**
 * An admit on this tablet that the snapshot may not count yet. It stays counted until a snapshot
 * requested after the server acknowledged it arrives, so a single-use pass cannot be used twice
 * here in the window between the sync and the next snapshot.
 */
interface LocalAdmit {
  eventId: string;
  /** Set on acknowledgement: the number of snapshot requests started before it. */
  ackedBefore: number | null;
}
export const IDLE_MS = 60_000;
/** After a verdict, the same pass still held to the camera is not a new entrant for this long. */
const SAME_PASS_GRACE_MS = 20_000;
/** A shift survives a reload (or a restart with no network) for this long, then the PIN is asked again. */
const SHIFT_MS = 12 * 3_600_000;

function readJson<T>(storage: Storage, key: string): T | null {
  try {
    const raw = storage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

/** The kiosk's state, built once and passed through context. */
export function createAppState(storage: Storage = localStorage, now: () => number = () => Date.now()) {
  const stored = storage.getItem(KEYS.lang);
  const lang = signal<Lang>(isLang(stored) ? stored : 'zh');
  const t = computed(() => translator(messages, lang.value));
  const device = signal<Device | null>(readJson<Device>(storage, KEYS.device));
  const snapshot = signal<Snapshot | null>(readJson<Snapshot>(storage, KEYS.snapshot));
  const savedShift = readJson<Guard & { startedAt: number }>(storage, KEYS.shift);
  const guard = signal<Guard | null>(
    savedShift && now() - savedShift.startedAt < SHIFT_MS
      ? { id: savedShift.id, displayName: savedShift.displayName }
      : null,
  );
  const entrant = signal<Entrant | null>(null);
  const online = signal(true);
  const pending = signal(0);
  const exitMode = signal(false);
  const notice = signal<{ key: MessageKey; values?: Record<string, string | number>; at: number } | null>(null);
  const onCampusDelta = signal(0);
  /** A walk-in waiting for the office's answer to an emergency request. */
  const emergency = signal<{ requestId: number; status: string; note: string | null } | null>(null);
  /** Admits on this tablet the snapshot does not count yet: a single-use pass cannot be used twice here offline. */
  const usedHere = signal<Record<string, LocalAdmit[]>>(readJson(storage, KEYS.used) ?? {});
  let refreshesStarted = Number(storage.getItem(KEYS.refreshes) ?? '0');
  /** While a backlog drains: how much of it has reached the server. */
  const syncProgress = signal<{ done: number; total: number } | null>(null);
  const api = createApi(
    () => device.value?.token ?? null,
    () => pending.value,
  );
  void outbox.count().then(
    (n) => (pending.value = n),
    () => undefined,
  );

  const rules = computed(() => snapshot.value?.rules.rules ?? null);
  const snapshotAgeMs = () =>
    snapshot.value ? now() - Date.parse(snapshot.value.generatedAt) : Number.POSITIVE_INFINITY;
  const snapshotFresh = () => {
    const r = rules.value;
    return r !== null && snapshotAgeMs() <= r.snapshotMaxAgeHours * 3_600_000;
  };
  const findPass = (id: string) => snapshot.value?.passes.find((p) => p.id === id) ?? null;
  const entriesUsed = (id: string) => (findPass(id)?.entriesUsed ?? 0) + (usedHere.value[id]?.length ?? 0);
  const saveUsed = (next: Record<string, LocalAdmit[]>) => {
    usedHere.value = next;
    storage.setItem(KEYS.used, JSON.stringify(next));
  };
  const isBlocked = (p: SnapshotPass | null) =>
    !!p && (snapshot.value?.blockedIdHashes ?? []).includes(p.visitor.idHash);

  async function wipe() {
    for (const k of [KEYS.device, KEYS.snapshot, KEYS.seq, KEYS.used, KEYS.refreshes, KEYS.shift, KEYS.pinFailures])
      storage.removeItem(k);
    await outbox.wipe();
    device.value = null;
    snapshot.value = null;
    guard.value = null;
    entrant.value = null;
    pending.value = 0;
  }

  /**
   * Pulls what changed since the snapshot the tablet holds (all of it the first time) and merges
   * it: changed passes replace their old copy, removed ones and those past the window drop out.
   * The digest of the copy held goes with the cursor: if it is not what the server sent, the
   * server answers in full (and tells the office).
   */
  async function refreshSnapshot() {
    if (!device.value) return;
    const started = refreshesStarted++;
    storage.setItem(KEYS.refreshes, String(refreshesStarted));
    try {
      const held = snapshot.value;
      const query = held
        ? { since: held.cursor, digest: snapshotDigest(held.passes, Date.parse(held.generatedAt)) }
        : {};
      const got = await ok(api.kiosk.snapshot.$get({ query }));
      const snap = mergeSnapshot(held, got);
      snapshot.value = snap;
      storage.setItem(KEYS.snapshot, JSON.stringify(snap));
      const keep = Object.entries(usedHere.value)
        .map(
          ([passId, admits]) =>
            [passId, admits.filter((a) => a.ackedBefore === null || a.ackedBefore > started)] as const,
        )
        .filter(([, admits]) => admits.length > 0);
      saveUsed(Object.fromEntries(keep));
      onCampusDelta.value = 0;
      // The link is back: send the outbox now rather than when the backoff runs out.
      if (!online.value) void drain({ force: true });
      online.value = true;
    } catch (err) {
      if (err instanceof ApiFailure && err.status === 401)
        await wipe(); // revoked: leave nothing behind
      else online.value = false;
    }
  }

  let lastDecided: { passId: string; at: number } | null = null;
  let draining = false;
  let failures = 0;
  let retryAt = 0;
  /**
   * Sends the outbox in batches. One drainer per tablet even with two tabs open (Web Locks);
   * after a failure, waits with exponential backoff (1 s doubling to 1 min: a gate is one
   * tablet, so a minute's probe costs the server nothing) before trying again. A snapshot that
   * arrives after a failure proves the link is back and starts a drain at once.
   */
  async function drain({ force = false } = {}) {
    if (draining || !device.value || (!force && now() < retryAt)) return;
    if ('locks' in navigator) {
      await navigator.locks.request('gatehouse-outbox-drain', { ifAvailable: true }, async (lock) => {
        if (lock) await drainHere();
      });
    } else await drainHere();
  }
  async function drainHere() {
    draining = true;
    let sentAdmit = false;
    try {
      const total = await outbox.count();
      let done = 0;
      if (total > BATCH) syncProgress.value = { done, total };
      for (;;) {
        const batch = await outbox.oldest(BATCH);
        if (batch.length === 0) break;
        const res = await ok(api.kiosk.events.$post({ json: { events: batch } }));
        const settled = new Set([
          ...res.acked,
          ...res.duplicates,
          ...res.rejected.flatMap((r) => (r.id ? [r.id] : [])),
        ]);
        await outbox.remove([...settled]);
        sentAdmit ||= markAcked(settled);
        done += settled.size;
        pending.value = Math.max(0, total - done);
        if (syncProgress.value) syncProgress.value = { done: Math.min(done, total), total };
        online.value = true;
        failures = 0;
        retryAt = 0;
        if (batch.length < BATCH) break;
      }
    } catch (err) {
      if (err instanceof ApiFailure && err.status === 401) await wipe();
      else {
        online.value = false;
        failures += 1;
        retryAt = now() + Math.min(60_000, 1000 * 2 ** (failures - 1));
      }
    } finally {
      draining = false;
      syncProgress.value = null;
      pending.value = await outbox.count().catch(() => pending.value);
    }
    // The server now counts those admits: a fresh snapshot lets the tablet forget its own count.
    if (sentAdmit) void refreshSnapshot();
  }

  /** Marks this tablet's admits the server acknowledged; answers whether there were any. */
  function markAcked(ids: Set<string>) {
    let any = false;
    const next = Object.fromEntries(
      Object.entries(usedHere.value).map(([passId, admits]) => [
        passId,
        admits.map((a) => {
          if (a.ackedBefore !== null || !ids.has(a.eventId)) return a;
          any = true;
          return { ...a, ackedBefore: refreshesStarted };
        }),
      ]),
    );
    if (any) saveUsed(next);
    return any;
  }

  async function writeEvent(
    type: GateEventType,
    fields: {
      passId: string | null;
      startedAt?: number;
      verdict?: RecordedVerdict | null;
      reasons?: string[];
      checks?: unknown[];
      input?: AdmissionInput | null;
    },
  ) {
    const draft = {
      id: uuidv7(now()),
      type,
      at: new Date(now()).toISOString(),
      startedAt: fields.startedAt ? new Date(fields.startedAt).toISOString() : null,
      guardUserId: guard.value?.id ?? null,
      passId: fields.passId,
      verdict: fields.verdict ?? null,
      reasons: fields.reasons ?? [],
      checks: fields.checks ?? [],
      input: fields.input ?? null,
      ruleVersion: snapshot.value?.rules.version ?? null,
      appVersion: APP_VERSION,
    };
    const event = await outbox.add(draft, Number(storage.getItem(KEYS.seq) ?? '0'));
    if (event.seq > Number(storage.getItem(KEYS.seq) ?? '0')) storage.setItem(KEYS.seq, String(event.seq));
    pending.value += 1;
    void drain();
    return event;
  }

  async function offlineShift(userId: number, pin: string): Promise<Guard> {
    const fails = readJson<{ n: number; at: number }>(storage, KEYS.pinFailures) ?? { n: 0, at: 0 };
    if (fails.n >= OFFLINE_PIN_TRIES && now() - fails.at < OFFLINE_PIN_LOCK_MS)
      throw new ApiFailure(429, 'rate_limited', 'Too many wrong PINs');
    const who = snapshot.value?.guards.find((g) => g.id === userId);
    if (!who?.pinVerifier || !(await verifyPin(pin, who.pinVerifier))) {
      storage.setItem(
        KEYS.pinFailures,
        JSON.stringify({ n: fails.n >= OFFLINE_PIN_TRIES ? 1 : fails.n + 1, at: now() }),
      );
      throw new ApiFailure(401, 'invalid_pin', 'Wrong PIN, or not a guard of this gate');
    }
    storage.removeItem(KEYS.pinFailures);
    online.value = false;
    return { id: who.id, displayName: who.displayName };
  }

  function inputOf(e: Entrant): AdmissionInput {
    return {
      quickRefusal: e.quickRefusal,
      pass: e.pass,
      healthCode: e.healthCode,
      temperatures: e.temperatures,
      testRequired: e.record?.visitor.outOfCity ?? false,
      testConfirmed: e.testConfirmed,
      idConfirmed: e.idConfirmed,
      snapshotFresh: snapshotFresh(),
      blocked: isBlocked(e.record),
    };
  }

  /**
   * Re-decides with the shared engine and shows the answer at once; a final verdict is then written
   * to the outbox, and only when that write has finished does the entrant count as recorded.
   */
  async function update(patch: Partial<Entrant>) {
    const current = entrant.value;
    const r = rules.value;
    if (!current || current.recorded || !r) return;
    const next = { ...current, ...patch };
    next.decision = decideAdmission(inputOf(next), r);
    entrant.value = next;
    if (next.decision.verdict === 'incomplete') return;
    const event = await writeEvent('decision', {
      passId: next.passId,
      startedAt: next.startedAt,
      verdict: next.decision.verdict,
      reasons: next.decision.reasons,
      checks: next.decision.checks,
      input: inputOf(next),
    });
    if (next.passId) lastDecided = { passId: next.passId, at: now() };
    if (next.decision.verdict === 'admit' && next.passId) {
      saveUsed({
        ...usedHere.value,
        [next.passId]: [...(usedHere.value[next.passId] ?? []), { eventId: event.id, ackedBefore: null }],
      });
      onCampusDelta.value += 1;
    }
    if (entrant.value === next) entrant.value = { ...next, recorded: { eventId: event.id, at: now() } };
  }

  function begin(
    passId: string | null,
    pass: Entrant['pass'],
    source: Entrant['source'],
    extra: Partial<Entrant> = {},
  ) {
    const r = rules.value;
    if (!r) return;
    const e: Entrant = {
      startedAt: now(),
      source,
      passId,
      pass,
      record: passId ? findPass(passId) : null,
      healthCode: null,
      healthCodeScanned: false,
      temperatures: [],
      testConfirmed: null,
      idConfirmed: null,
      quickRefusal: null,
      decision: decideAdmission(
        {
          pass,
          healthCode: null,
          temperatures: [],
          testRequired: false,
          testConfirmed: null,
          idConfirmed: null,
          snapshotFresh: snapshotFresh(),
        },
        r,
      ),
      recorded: null,
      escortArrived: false,
      ...extra,
    };
    entrant.value = e;
    void update({});
  }

  /** The guard found the visitor in today's list (no scannable pass). */
  function pickManually(passId: string) {
    const p = findPass(passId);
    const snap = snapshot.value;
    if (!p || !snap) return;
    const v = passStateVerdict(
      {
        kid: 0,
        passId: p.id,
        validFrom: new Date(p.validFrom),
        validTo: new Date(p.validTo),
        entries: p.entriesAllowed,
        printable: true,
        gateIds: [snap.gate.id],
      },
      { now: new Date(now()), gateId: snap.gate.id, isRevoked: () => p.revoked, entriesUsed },
    );
    begin(p.id, v.ok ? { ok: true } : { ok: false, reason: v.reason }, 'manual');
  }

  function verifyText(text: string) {
    const snap = snapshot.value;
    if (!snap) return null;
    return verifyPass(text, {
      now: new Date(now()),
      gateId: snap.gate.id,
      publicKeys: new Map(snap.keys.map((k) => [k.kid, hexToBytes(k.publicKey)])),
      keyAcceptUntil: new Map(
        snap.keys.flatMap((k) => (k.acceptUntil ? [[k.kid, new Date(k.acceptUntil)] as const] : [])),
      ),
      isRevoked: (id) => findPass(id)?.revoked ?? false,
      entriesUsed,
      secretFor: (id) => {
        const p = findPass(id);
        return p ? (fromBase64Url(p.secret) ?? undefined) : undefined;
      },
      stepSeconds: snap.rules.rules.codeStepSeconds,
      printedAllowed: snap.rules.rules.printedPassAllowed,
    });
  }

  return {
    lang,
    t,
    device,
    snapshot,
    guard,
    entrant,
    online,
    pending,
    exitMode,
    notice,
    usedHere,
    api,
    emergency,
    syncProgress,
    snapshotAgeMs,
    snapshotFresh,
    onCampus: computed(() => (snapshot.value?.onCampus ?? 0) + onCampusDelta.value),
    setLang(next: Lang) {
      lang.value = next;
      storage.setItem(KEYS.lang, next);
      document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
    },
    /** Ask the browser not to evict the outbox under storage pressure. */
    async persistStorage() {
      try {
        return (await navigator.storage?.persist?.()) ?? false;
      } catch {
        return false;
      }
    },
    async enroll(code: string) {
      const res = await ok(api.kiosk.enroll.$post({ json: { code, name: '门岗平板', appVersion: '' } }));
      const d: Device = { token: res.token, deviceId: res.deviceId, gate: res.gate };
      storage.setItem(KEYS.device, JSON.stringify(d));
      device.value = d;
      await refreshSnapshot();
    },
    /**
     * The server checks the PIN when it can be reached; with the gate offline, the tablet checks it
     * against the verifier in its snapshot, with its own lockout after repeated wrong PINs.
     */
    async startShift(userId: number, pin: string) {
      let g: Guard;
      try {
        g = await ok(api.kiosk.shift.$post({ json: { userId, pin } }));
      } catch (err) {
        // Only an unreachable server (or a proxy in front of a stopped one) falls back to the offline check.
        if (!(err instanceof ApiFailure) || (err.status !== 0 && err.status < 502)) throw err;
        g = await offlineShift(userId, pin);
      }
      storage.setItem(KEYS.shift, JSON.stringify({ ...g, startedAt: now() }));
      guard.value = g;
    },
    endShift() {
      storage.removeItem(KEYS.shift);
      guard.value = null;
      entrant.value = null;
    },
    refreshSnapshot,
    drain,
    wipe,
    /** One decoded QR (the scanner already dropped repeats of the same code). */
    onScan(text: string) {
      performance.mark('gh:scan'); // bench/kiosk.ts measures from here to the verdict on screen
      const parsed = parsePassText(text);
      const e = entrant.value;
      if (exitMode.value) {
        const v = verifyText(text);
        const genuine =
          parsed &&
          v &&
          (v.ok || (v.reason !== 'bad_signature' && v.reason !== 'unknown_key' && v.reason !== 'malformed'));
        if (!genuine || !parsed) {
          notice.value = { key: 'exit.unreadable', at: now() };
          return;
        }
        void writeEvent('exit', { passId: parsed.claims.passId }).then(() => {
          onCampusDelta.value -= 1;
          notice.value = {
            key: 'exit.recorded',
            values: { name: findPass(parsed.claims.passId)?.visitor.name ?? '' },
            at: now(),
          };
        });
        return;
      }
      if (e && !e.recorded) {
        // While a visitor is being checked, another code is their health code, not a new entrant.
        if (!parsed && !e.healthCode) entrant.value = { ...e, healthCodeScanned: verifierFor(text).needsGuard };
        return;
      }
      if (!parsed) {
        notice.value = { key: 'scan.notAPass', at: now() };
        return;
      }
      // The visitor just decided is still holding up their phone: not a second entrant.
      if (lastDecided && lastDecided.passId === parsed.claims.passId && now() - lastDecided.at < SAME_PASS_GRACE_MS)
        return;
      const v = verifyText(text);
      if (!v) return;
      begin(
        v.ok ? v.claims.passId : (v.claims?.passId ?? null),
        v.ok ? { ok: true } : { ok: false, reason: v.reason },
        'scan',
      );
    },
    pickManually,
    setHealthCode(colour: CodeColour) {
      const e = entrant.value;
      if (e)
        void update({
          healthCode: { colour, method: e.healthCodeScanned ? 'scanned_seen_by_guard' : 'seen_by_guard' },
        });
    },
    addTemperature(celsius: number, method: TemperatureMethod) {
      const e = entrant.value;
      if (e) void update({ temperatures: [...e.temperatures, { celsius, method, at: new Date(now()).toISOString() }] });
    },
    confirmTest(confirmed: boolean) {
      void update({ testConfirmed: confirmed });
    },
    confirmId(confirmed: boolean) {
      void update({ idConfirmed: confirmed });
    },
    quickRefuse(reason: QuickRefusal) {
      begin(null, { ok: true }, 'manual', { quickRefusal: reason });
    },
    async escortArrived() {
      const e = entrant.value;
      if (!e?.passId || e.escortArrived) return;
      await writeEvent('escort_arrived', { passId: e.passId });
      entrant.value = { ...e, escortArrived: true };
    },
    async requestEmergency(input: {
      departmentId: number;
      visitorName: string;
      visitorPhone: string;
      purpose: string;
      reason: string;
    }) {
      const { requestId } = await ok(api.kiosk.emergency.$post({ json: input }));
      emergency.value = { requestId, status: 'pending', note: null };
    },
    /** Asks for the office's answer; an approval continues with the usual checks, a refusal is recorded. */
    async pollEmergency() {
      const cur = emergency.value;
      if (!cur) return;
      const res = await ok(api.kiosk.emergency[':id'].$get({ param: { id: String(cur.requestId) } }));
      if (res.status === 'approved' && res.passId) {
        emergency.value = null;
        await refreshSnapshot();
        pickManually(res.passId);
      } else if (res.status === 'rejected' || res.status === 'cancelled') {
        emergency.value = null;
        begin(null, { ok: true }, 'manual', { quickRefusal: 'walk_in' });
      } else emergency.value = { ...cur, status: res.status, note: res.note };
    },
    cancelEmergencyWait() {
      emergency.value = null;
    },
    /** Clears the entrant: nothing of the visitor stays on screen. */
    next() {
      entrant.value = null;
    },
    errorText(err: unknown): string {
      return failureText<MessageKey>(err, (k) => k in messages.zh, t.value);
    },
  };
}

export type AppState = ReturnType<typeof createAppState>;
export const AppStateContext = createContext<AppState | null>(null);

export function useAppState(): AppState {
  const s = useContext(AppStateContext);
  if (!s) throw new Error('useAppState needs an AppStateContext provider');
  return s;
}

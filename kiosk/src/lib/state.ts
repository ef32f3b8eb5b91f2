import { computed, signal } from '@preact/signals';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { isLang, translator, type Lang } from '../../../server/domain/i18n';
import { failureText } from '../../../server/domain/api-result';
import type { Snapshot } from '../../../server/kiosk/snapshot';
import { createApi, ok } from './api';
import { createEntrantFlow } from './entrant';
import { createLocalUses } from './local-uses';
import { messages, type MessageKey } from './messages';
import { outbox } from './outbox';
import { createShift } from './shift';
import { KEYS, kioskStorage } from './storage';
import { createSync, type Device } from './sync';

export type { Entrant, MemberRecord, SnapshotPass } from './entrant';
export type { Guard } from './shift';
export type { Device } from './sync';

export const IDLE_MS = 60_000;

/**
 * The kiosk's state, built once and passed through context: it composes the parts, each built
 * with its own dependencies (storage.ts, local-uses.ts, sync.ts, shift.ts, entrant.ts) and tested
 * on its own in Node (tests/kiosk/).
 */
export function createAppState(storage: Storage = localStorage, now: () => number = () => Date.now()) {
  const store = kioskStorage(storage);
  const stored = store.text(KEYS.lang);
  const lang = signal<Lang>(isLang(stored) ? stored : 'zh');
  const t = computed(() => translator(messages, lang.value));
  const device = signal<Device | null>(store.read<Device>(KEYS.device));
  const snapshot = signal<Snapshot | null>(store.read<Snapshot>(KEYS.snapshot));
  /** A walk-in waiting for the office's answer to an emergency request. */
  const emergency = signal<{ requestId: number; status: string; note: string | null; sentAt: number } | null>(null);
  const uses = createLocalUses(store);
  /** Whether the browser keeps this tablet's outbox under storage pressure; null until asked. */
  const storageState = signal<'persisted' | 'evictable' | null>(null);
  // Read at call time, once everything below exists: the credential, the outbox size, the storage state.
  const api = createApi(
    () => device.value?.token ?? null,
    () => sync.pending.value,
    { now, storage: () => storageState.value },
  );

  /** Asks the browser not to evict the outbox (an installed app is granted it); remembers the answer. */
  async function persistStorage() {
    try {
      const s = typeof navigator === 'undefined' ? undefined : navigator.storage;
      if (!s?.persist) return false;
      const granted = (await s.persisted?.()) || (await s.persist());
      storageState.value = granted ? 'persisted' : 'evictable';
      return granted;
    } catch {
      storageState.value = 'evictable';
      return false;
    }
  }

  async function wipe() {
    store.remove(KEYS.device, KEYS.snapshot, KEYS.seq, KEYS.used, KEYS.refreshes, KEYS.shift, KEYS.pinFailures);
    await outbox.wipe();
    device.value = null;
    snapshot.value = null;
    shift.guard.value = null;
    flow.entrant.value = null;
    sync.pending.value = 0;
  }

  const sync = createSync({
    store,
    outbox,
    api,
    uses,
    device,
    snapshot,
    now,
    locks: typeof navigator !== 'undefined' && 'locks' in navigator ? navigator.locks : undefined,
    guardId: () => shift.guard.value?.id ?? null,
    onRevoked: wipe,
  });
  const shift = createShift({ store, api, snapshot, now, wentOffline: () => (sync.online.value = false) });
  const flow = createEntrantFlow({ snapshot, uses, record: sync.record, now });

  return {
    lang,
    t,
    device,
    snapshot,
    guard: shift.guard,
    entrant: flow.entrant,
    policyOf: flow.policyOf,
    online: sync.online,
    pending: sync.pending,
    exitMode: flow.exitMode,
    notice: flow.notice,
    usedHere: uses.usedHere,
    api,
    emergency,
    syncProgress: sync.progress,
    snapshotAgeMs: flow.snapshotAgeMs,
    snapshotFresh: flow.snapshotFresh,
    // The campus's count as the office sees it, plus what this tablet did that no snapshot counts yet.
    onCampus: computed(() => Math.max(0, (snapshot.value?.onCampus ?? 0) + uses.onCampusChange())),
    setLang(next: Lang) {
      lang.value = next;
      storage.setItem(KEYS.lang, next);
      document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
    },
    storageState,
    persistStorage,
    async enroll(code: string) {
      const res = await ok(api.kiosk.enroll.$post({ json: { code, name: '门岗平板', appVersion: '' } }));
      const d: Device = { token: res.token, deviceId: res.deviceId, gate: res.gate };
      store.write(KEYS.device, d);
      // Asked at enrollment, before the first snapshot, so the office sees the answer from the start.
      await persistStorage();
      device.value = d;
      await sync.refreshSnapshot();
    },
    startShift: shift.start,
    endShift() {
      shift.end();
      flow.entrant.value = null;
    },
    refreshSnapshot: sync.refreshSnapshot,
    drain: sync.drain,
    wipe,
    onScan(text: string) {
      performance.mark('gh:scan'); // bench/kiosk.ts measures from here to the verdict on screen
      void flow.onScan(text);
    },
    pickManually: (passId: string) => void flow.pickManually(passId),
    pickMember: (number: string) => void flow.pickMember(number),
    findMemberByNumber: flow.findMemberByNumber,
    setHealthCode: (...a: Parameters<typeof flow.setHealthCode>) => void flow.setHealthCode(...a),
    addTemperature: (...a: Parameters<typeof flow.addTemperature>) => void flow.addTemperature(...a),
    confirmTest: (confirmed: boolean) => void flow.confirmTest(confirmed),
    confirmId: (confirmed: boolean) => void flow.confirmId(confirmed),
    confirmPaperCommitment: (signed: boolean) => void flow.confirmPaperCommitment(signed),
    quickRefuse: (...a: Parameters<typeof flow.quickRefuse>) => void flow.quickRefuse(...a),
    escortArrived: flow.escortArrived,
    async requestEmergency(input: { departmentId: number; visitorName: string; visitorPhone: string; reason: string }) {
      const { requestId } = await ok(api.kiosk.emergency.$post({ json: input }));
      emergency.value = { requestId, status: 'pending', note: null, sentAt: now() };
    },
    /** Asks for the office's answer; an approval continues with the usual checks, a refusal is recorded. */
    async pollEmergency() {
      const cur = emergency.value;
      if (!cur) return;
      const res = await ok(api.kiosk.emergency[':id'].$get({ param: { id: String(cur.requestId) } }));
      if (res.status === 'approved' && res.passId) {
        emergency.value = null;
        await sync.refreshSnapshot();
        await flow.pickManually(res.passId);
      } else if (res.status === 'rejected' || res.status === 'cancelled') {
        emergency.value = null;
        await flow.begin(null, { ok: true }, 'manual', { quickRefusal: 'walk_in' });
      } else emergency.value = { ...cur, status: res.status, note: res.note };
    },
    cancelEmergencyWait() {
      emergency.value = null;
    },
    next: flow.next,
    cancel: flow.cancel,
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

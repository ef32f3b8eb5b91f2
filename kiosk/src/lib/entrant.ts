import { computed, signal, type Signal } from '@preact/signals';
import {
  decideAdmission,
  type AdmissionDecision,
  type AdmissionInput,
  type CodeColour,
  type QuickRefusal,
  type TemperatureMethod,
  type TemperatureReading,
} from '../../../server/domain/admission';
import {
  fromBase64Url,
  hexToBytes,
  parsePassText,
  passStateVerdict,
  verifyPass,
  type PassRefusal,
} from '../../../server/domain/pass';
import { policyFor } from '../../../server/domain/policy';
import type { Snapshot } from '../../../server/kiosk/snapshot';
import { verifierFor } from './health-code';
import type { LocalUses } from './local-uses';
import type { MessageKey } from './messages';
import type { Sync } from './sync';

export type SnapshotPass = Snapshot['passes'][number];

export interface Entrant {
  /** Which entrant this is: every begin() makes a new one, every change keeps it. */
  key: number;
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
  /** The paper path: the guard saw the commitment signed on paper (false: the entrant would not sign). */
  commitmentOnPaper: boolean | null;
  quickRefusal: QuickRefusal | null;
  decision: AdmissionDecision;
  /** Set once the decision is in the tablet's outbox (IndexedDB committed). */
  recorded: { eventId: string; at: number } | null;
  escortArrived: boolean;
}

/** After a verdict, the same pass still held to the camera is not a new entrant for this long. */
const SAME_PASS_GRACE_MS = 20_000;

export interface EntrantDeps {
  snapshot: Signal<Snapshot | null>;
  uses: LocalUses;
  record: Sync['record'];
  now: () => number;
}

/**
 * The gate's flow for one entrant at a time: a scanned or picked pass, then the checks the guard
 * taps, each re-decided by the shared engine; a final verdict is recorded once and the entrant
 * then counts as recorded, whatever changed on screen meanwhile. Exits and the escort's arrival
 * are recorded the same way.
 */
export function createEntrantFlow(d: EntrantDeps) {
  const entrant = signal<Entrant | null>(null);
  const exitMode = signal(false);
  const notice = signal<{ key: MessageKey; values?: Record<string, string | number>; at: number } | null>(null);
  /** Admits minus exits on this tablet since its last snapshot, whose count includes its own. */
  const onCampusDelta = signal(0);
  let lastDecided: { passId: string; at: number } | null = null;
  let keys = 0;
  const writing = new Set<number>();

  const rules = computed(() => d.snapshot.value?.rules.rules ?? null);
  const snapshotAgeMs = () =>
    d.snapshot.value ? d.now() - Date.parse(d.snapshot.value.generatedAt) : Number.POSITIVE_INFINITY;
  const snapshotFresh = () => {
    const r = rules.value;
    return r !== null && snapshotAgeMs() <= r.snapshotMaxAgeHours * 3_600_000;
  };
  const findPass = (id: string) => d.snapshot.value?.passes.find((p) => p.id === id) ?? null;
  const entriesUsed = (id: string) => (findPass(id)?.entriesUsed ?? 0) + d.uses.count(id);
  const isBlocked = (p: SnapshotPass | null) =>
    !!p && (d.snapshot.value?.blockedIdHashes ?? []).includes(p.visitor.idHash);

  /** Who the entrant is, as the snapshot says: the policy of the level in force follows from it. */
  const factsOf = (record: SnapshotPass | null) => ({
    entrant: record?.request.entrant ?? ('visitor' as const),
    outOfCity: record?.visitor.outOfCity ?? false,
  });
  /** Signed on the visitor's phone, as the snapshot says, or on paper here (only for a pass on record). */
  const commitmentOf = (record: SnapshotPass | null, onPaper: boolean | null) =>
    record ? { commitment: { signedOnline: record.visitor.commitmentSigned, onPaper } } : {};
  /** The policy the level in force applies to this entrant (the screens show only what it asks). */
  const policyOf = (e: Pick<Entrant, 'record'>) =>
    rules.value ? policyFor(rules.value, factsOf(e.record).entrant) : null;

  function inputOf(e: Entrant): AdmissionInput {
    return {
      quickRefusal: e.quickRefusal,
      pass: e.pass,
      healthCode: e.healthCode,
      temperatures: e.temperatures,
      ...factsOf(e.record),
      testConfirmed: e.testConfirmed,
      idConfirmed: e.idConfirmed,
      ...commitmentOf(e.record, e.commitmentOnPaper),
      snapshotFresh: snapshotFresh(),
      blocked: isBlocked(e.record),
    };
  }

  /** Changes the current entrant, if it is still the one `key` names. */
  function amend(key: number, patch: Partial<Entrant>) {
    const e = entrant.value;
    if (e && e.key === key) entrant.value = { ...e, ...patch };
  }

  /**
   * Re-decides with the shared engine and shows the answer at once; a final verdict is then written
   * to the outbox, and only when that write has finished does the entrant count as recorded.
   */
  async function update(patch: Partial<Entrant>) {
    const current = entrant.value;
    const r = rules.value;
    // Decided and being written: no further tap re-decides it (one event per entrant).
    if (!current || current.recorded || writing.has(current.key) || !r) return;
    const next = { ...current, ...patch };
    next.decision = decideAdmission(inputOf(next), r);
    entrant.value = next;
    if (next.decision.verdict === 'incomplete') return;
    writing.add(next.key);
    let event: Awaited<ReturnType<Sync['record']>>;
    try {
      event = await d.record('decision', {
        passId: next.passId,
        startedAt: next.startedAt,
        verdict: next.decision.verdict,
        reasons: next.decision.reasons,
        checks: next.decision.checks,
        input: inputOf(next),
      });
    } finally {
      writing.delete(next.key);
    }
    if (next.passId) lastDecided = { passId: next.passId, at: d.now() };
    if (next.decision.verdict === 'admit' && next.passId) {
      d.uses.admitted(next.passId, event.id);
      onCampusDelta.value += 1;
    }
    // The same entrant, even if the screen changed it meanwhile (the escort arrived): it is recorded now.
    amend(next.key, { recorded: { eventId: event.id, at: d.now() } });
  }

  function begin(
    passId: string | null,
    pass: Entrant['pass'],
    source: Entrant['source'],
    extra: Partial<Entrant> = {},
  ) {
    const r = rules.value;
    if (!r) return;
    const record = passId ? findPass(passId) : null;
    const e: Entrant = {
      key: ++keys,
      startedAt: d.now(),
      source,
      passId,
      pass,
      record,
      healthCode: null,
      healthCodeScanned: false,
      temperatures: [],
      testConfirmed: null,
      idConfirmed: null,
      commitmentOnPaper: null,
      quickRefusal: null,
      decision: decideAdmission(
        {
          pass,
          healthCode: null,
          temperatures: [],
          ...factsOf(record),
          testConfirmed: null,
          idConfirmed: null,
          ...commitmentOf(record, null),
          snapshotFresh: snapshotFresh(),
        },
        r,
      ),
      recorded: null,
      escortArrived: false,
      ...extra,
    };
    entrant.value = e;
    return update({});
  }

  /** The guard found the visitor in today's list (no scannable pass). */
  function pickManually(passId: string) {
    const p = findPass(passId);
    const snap = d.snapshot.value;
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
      { now: new Date(d.now()), gateId: snap.gate.id, isRevoked: () => p.revoked, entriesUsed },
    );
    return begin(p.id, v.ok ? { ok: true } : { ok: false, reason: v.reason }, 'manual');
  }

  function verifyText(text: string) {
    const snap = d.snapshot.value;
    if (!snap) return null;
    return verifyPass(text, {
      now: new Date(d.now()),
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

  /** One decoded QR (the scanner already dropped repeats of the same code). */
  function onScan(text: string) {
    const parsed = parsePassText(text);
    const e = entrant.value;
    if (exitMode.value) {
      const v = verifyText(text);
      const genuine =
        parsed &&
        v &&
        (v.ok || (v.reason !== 'bad_signature' && v.reason !== 'unknown_key' && v.reason !== 'malformed'));
      if (!genuine || !parsed) {
        notice.value = { key: 'exit.unreadable', at: d.now() };
        return;
      }
      return d.record('exit', { passId: parsed.claims.passId }).then(() => {
        onCampusDelta.value -= 1;
        notice.value = {
          key: 'exit.recorded',
          values: { name: findPass(parsed.claims.passId)?.visitor.name ?? '' },
          at: d.now(),
        };
      });
    }
    if (e && !e.recorded) {
      // While a visitor is being checked, another code is their health code, not a new entrant.
      if (!parsed && !e.healthCode) entrant.value = { ...e, healthCodeScanned: verifierFor(text).needsGuard };
      return;
    }
    if (!parsed) {
      notice.value = { key: 'scan.notAPass', at: d.now() };
      return;
    }
    // The visitor just decided is still holding up their phone: not a second entrant.
    if (lastDecided && lastDecided.passId === parsed.claims.passId && d.now() - lastDecided.at < SAME_PASS_GRACE_MS)
      return;
    const v = verifyText(text);
    if (!v) return;
    return begin(
      v.ok ? v.claims.passId : (v.claims?.passId ?? null),
      v.ok ? { ok: true } : { ok: false, reason: v.reason },
      'scan',
    );
  }

  return {
    entrant,
    policyOf,
    exitMode,
    notice,
    onCampusDelta,
    snapshotAgeMs,
    snapshotFresh,
    entriesUsed,
    onScan,
    pickManually,
    begin,
    async setHealthCode(colour: CodeColour) {
      const e = entrant.value;
      if (e)
        await update({
          healthCode: { colour, method: e.healthCodeScanned ? 'scanned_seen_by_guard' : 'seen_by_guard' },
        });
    },
    async addTemperature(celsius: number, method: TemperatureMethod) {
      const e = entrant.value;
      if (e)
        await update({ temperatures: [...e.temperatures, { celsius, method, at: new Date(d.now()).toISOString() }] });
    },
    confirmTest: (confirmed: boolean) => update({ testConfirmed: confirmed }),
    confirmId: (confirmed: boolean) => update({ idConfirmed: confirmed }),
    confirmPaperCommitment: (signed: boolean) => update({ commitmentOnPaper: signed }),
    quickRefuse: (reason: QuickRefusal) => begin(null, { ok: true }, 'manual', { quickRefusal: reason }),
    async escortArrived() {
      const e = entrant.value;
      if (!e?.passId || e.escortArrived) return;
      await d.record('escort_arrived', { passId: e.passId });
      amend(e.key, { escortArrived: true });
    },
    /** Clears the entrant: nothing of the visitor stays on screen. */
    next() {
      entrant.value = null;
    },
  };
}

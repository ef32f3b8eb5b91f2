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
import { isCredentialText, verifyCredential } from '../../../server/domain/credential';
import { entrantOfMember, type MemberType } from '../../../server/domain/member';
import { campusDate } from '../../../server/domain/dates';
import type { Snapshot } from '../../../server/kiosk/snapshot';
import { verifierFor } from './health-code';
import type { LocalUses } from './local-uses';
import type { MessageKey } from './messages';
import type { Sync } from './sync';

export type SnapshotPass = Snapshot['passes'][number];

/** A campus member as the snapshot's tuple holds them (server/kiosk/schemas.ts SnapshotMemberSchema). */
export interface MemberRecord {
  id: number;
  number: string;
  name: string;
  type: MemberType;
  departmentId: number | null;
  resident: boolean;
  serial: number;
  active: boolean;
  checkInDay: string;
  hold: boolean;
  leaves: { from: string; to: string; status: 'approved' | 'out' }[];
}
const memberRecord = (m: Snapshot['members'][number]): MemberRecord => ({
  id: m[0],
  number: m[1],
  name: m[2],
  type: m[3],
  departmentId: m[4],
  resident: m[5] === 1,
  serial: m[6],
  active: m[7] === 1,
  checkInDay: m[8],
  hold: m[9] === 1,
  leaves: m[10].map(([, from, to, status]) => ({ from, to, status })),
});

export interface Entrant {
  /** Which entrant this is: every begin() makes a new one, every change keeps it. */
  key: number;
  startedAt: number;
  source: 'scan' | 'manual';
  passId: string | null;
  pass: { ok: true } | { ok: false; reason: PassRefusal };
  record: SnapshotPass | null;
  /** A campus member on their own credential (then `record` is null), leaving or coming in. */
  member: MemberRecord | null;
  direction: 'in' | 'out';
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

/** The snapshot's signing keys as a verifier takes them (passes and members' credentials alike). */
const keysOf = (snap: Snapshot) => ({
  publicKeys: new Map(snap.keys.map((k) => [k.kid, hexToBytes(k.publicKey)])),
  keyAcceptUntil: new Map(snap.keys.flatMap((k) => (k.acceptUntil ? [[k.kid, new Date(k.acceptUntil)] as const] : []))),
});

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
  // 30,000 members: looked up by id (a scan) and by number (a dead phone) through maps, rebuilt per snapshot.
  const memberIndex = computed(() => {
    const byId = new Map<number, Snapshot['members'][number]>();
    const byNumber = new Map<string, Snapshot['members'][number]>();
    for (const m of d.snapshot.value?.members ?? []) {
      byId.set(m[0], m);
      byNumber.set(m[1].toUpperCase(), m);
    }
    return { byId, byNumber };
  });
  const findMember = (id: number) => {
    const m = memberIndex.value.byId.get(id);
    return m ? memberRecord(m) : null;
  };
  /** What the engine needs of a member now: a leave covering the moment, today's check-in, a hold. */
  const memberFacts = (m: MemberRecord) => {
    const now = d.now();
    const today = rules.value ? campusDate(new Date(now), rules.value.timezone) : '';
    return {
      resident: m.resident,
      leave: m.leaves.some((l) => Date.parse(l.from) <= now && now <= Date.parse(l.to)),
      checkedInToday: m.checkInDay !== '' && m.checkInDay === today,
      hold: m.hold,
    };
  };
  const entriesUsed = (id: string) => (findPass(id)?.entriesUsed ?? 0) + d.uses.count(id);
  const isBlocked = (p: SnapshotPass | null) =>
    !!p && (d.snapshot.value?.blockedIdHashes ?? []).includes(p.visitor.idHash);

  /** Who the entrant is, as the snapshot says: the policy of the level in force follows from it. */
  const factsOf = (record: SnapshotPass | null, member: MemberRecord | null = null) =>
    member
      ? { entrant: entrantOfMember(member.type), outOfCity: false }
      : { entrant: record?.request.entrant ?? ('visitor' as const), outOfCity: record?.visitor.outOfCity ?? false };
  /** Signed on the visitor's phone, as the snapshot says, or on paper here (only for a pass on record). */
  const commitmentOf = (record: SnapshotPass | null, onPaper: boolean | null) =>
    record ? { commitment: { signedOnline: record.visitor.commitmentSigned, onPaper } } : {};
  /** The policy the level in force applies to this entrant (the screens show only what it asks). */
  const policyOf = (e: Pick<Entrant, 'record' | 'member'>) =>
    rules.value ? policyFor(rules.value, factsOf(e.record, e.member).entrant) : null;

  function inputOf(e: Entrant): AdmissionInput {
    if (e.member)
      return {
        quickRefusal: null,
        pass: e.pass,
        healthCode: e.healthCode,
        temperatures: e.temperatures,
        ...factsOf(null, e.member),
        testConfirmed: e.testConfirmed,
        idConfirmed: e.idConfirmed,
        snapshotFresh: snapshotFresh(),
        member: memberFacts(e.member),
        direction: e.direction,
      };
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
      event = await d.record(next.member ? (next.direction === 'out' ? 'member_exit' : 'member_entry') : 'decision', {
        passId: next.passId,
        memberId: next.member?.id ?? null,
        startedAt: next.startedAt,
        verdict: next.decision.verdict,
        reasons: next.decision.reasons,
        checks: next.decision.checks,
        input: inputOf(next),
      });
    } finally {
      writing.delete(next.key);
    }
    const decidedKey = next.member ? `member:${next.member.id}` : next.passId;
    if (decidedKey) lastDecided = { passId: decidedKey, at: d.now() };
    if (next.decision.verdict === 'admit' && next.passId && !next.member) {
      d.uses.admitted(next.passId, event.id);
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
    const member = extra.member ?? null;
    const direction = extra.direction ?? 'in';
    const e: Entrant = {
      key: ++keys,
      startedAt: d.now(),
      source,
      passId,
      pass,
      record,
      member,
      direction,
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
          ...factsOf(record, member),
          testConfirmed: null,
          idConfirmed: null,
          ...(member ? { member: memberFacts(member), direction } : commitmentOf(record, null)),
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
  /** Exit mode records an exit whatever the pass's state: an expired or revoked pass's holder must still get out. */
  function recordExit(passId: string) {
    return d.record('exit', { passId }).then((event) => {
      d.uses.exited(passId, event.id);
      notice.value = { key: 'exit.recorded', values: { name: findPass(passId)?.visitor.name ?? '' }, at: d.now() };
    });
  }

  function pickManually(passId: string) {
    const p = findPass(passId);
    const snap = d.snapshot.value;
    if (!p || !snap) return;
    // Found by name on the way out: an exit, never an entry check (which would record a bogus refusal).
    if (exitMode.value) return recordExit(p.id);
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
      ...keysOf(snap),
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

  function verifyMemberText(text: string) {
    const snap = d.snapshot.value;
    const key = snap ? fromBase64Url(snap.memberCodeKey) : null;
    if (!snap || !key) return null;
    return verifyCredential(text, {
      now: new Date(d.now()),
      ...keysOf(snap),
      stepSeconds: snap.rules.rules.codeStepSeconds,
      memberCodeKey: key,
      holder: (id) => {
        const m = findMember(id);
        return m ? { serial: m.serial, active: m.active } : undefined;
      },
    });
  }

  /** A member begins at the gate: leaving in exit mode, coming in otherwise. */
  function beginMember(member: MemberRecord, pass: Entrant['pass'], source: Entrant['source']) {
    return begin(null, pass, source, { member, direction: exitMode.value ? 'out' : 'in' });
  }

  /**
   * A staff credential shown at a visitor just admitted: the escort has come, bound to the visit
   * (who met whom, when), if they are the named escort or staff of the host department.
   */
  function escortScan(e: Entrant, text: string) {
    const v = verifyMemberText(text);
    const m = v?.ok ? findMember(v.memberId) : null;
    const r = e.record;
    if (!m || !r || !e.passId) {
      notice.value = { key: 'escort.unreadable', at: d.now() };
      return;
    }
    const named = r.request.escortMemberId === m.id;
    if (m.type !== 'staff' || (!named && m.departmentId !== r.request.departmentId)) {
      notice.value = { key: 'escort.notHost', values: { name: m.name }, at: d.now() };
      return;
    }
    const passId = e.passId;
    return d.record('escort_arrived', { passId, memberId: m.id }).then(() => {
      amend(e.key, { escortArrived: true });
      notice.value = { key: 'escort.bound', values: { name: m.name }, at: d.now() };
    });
  }

  /** One decoded QR (the scanner already dropped repeats of the same code). */
  function onScan(text: string) {
    const parsed = parsePassText(text);
    const e = entrant.value;
    if (isCredentialText(text)) {
      if (e && e.recorded && e.record && e.decision.verdict === 'admit' && !e.escortArrived && policyOf(e)?.escort)
        return escortScan(e, text);
      if (e && !e.recorded) return; // someone is being checked: finish with them first
      const v = verifyMemberText(text);
      if (!v) return;
      const id = v.ok ? v.memberId : (v.memberId ?? null);
      if (lastDecided && lastDecided.passId === `member:${id}` && d.now() - lastDecided.at < SAME_PASS_GRACE_MS) return;
      const m = id !== null ? findMember(id) : null;
      if (!m) {
        notice.value = { key: 'scan.unknownMember', at: d.now() };
        return;
      }
      return beginMember(m, v.ok ? { ok: true } : { ok: false, reason: v.reason }, 'scan');
    }
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
      return recordExit(parsed.claims.passId);
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
    if (lastDecided && lastDecided.passId === parsed.claims.passId && d.now() - lastDecided.at < SAME_PASS_GRACE_MS) {
      notice.value = { key: 'scan.justDecided', at: d.now() };
      return;
    }
    const v = verifyText(text);
    if (!v) return;
    return begin(
      v.ok ? v.claims.passId : (v.claims?.passId ?? null),
      v.ok ? { ok: true } : { ok: false, reason: v.reason },
      'scan',
    );
  }

  /** The guard found a member by number (their phone is dead): the credential is not shown, so the pass is the roster's. */
  function pickMember(number: string) {
    const m = memberIndex.value.byNumber.get(number.trim().toUpperCase());
    if (!m) return;
    const record = memberRecord(m);
    return beginMember(record, record.active ? { ok: true } : { ok: false, reason: 'revoked' }, 'manual');
  }

  return {
    entrant,
    policyOf,
    pickMember,
    findMemberByNumber: (number: string) => {
      const m = memberIndex.value.byNumber.get(number.trim().toUpperCase());
      return m ? memberRecord(m) : null;
    },
    exitMode,
    notice,
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
    /**
     * The guard drops an entrant before a decision (the wrong person, a visitor who walked away):
     * nothing was recorded and nothing is; the guard is told so.
     */
    cancel() {
      const e = entrant.value;
      if (!e || e.recorded || writing.has(e.key)) return;
      entrant.value = null;
      notice.value = { key: 'entrant.cancelled', at: d.now() };
    },
  };
}

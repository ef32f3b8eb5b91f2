import type Database from 'better-sqlite3';
import { decideAdmission, feverRetested, type AdmissionInput } from '../domain/admission';
import { passMismatchOf, recordedPassVerdict, type PassMismatch, type PassRecord } from '../domain/pass';
import { entrantOfRequest, type EntrantType } from '../domain/policy';
import { parseStoredRules, type RiskArea, type Rules } from '../domain/rules';
import { boundedJson } from '../lib/bounded-json';
import { issuesFromZod } from '../lib/errors';
import { GateEventSchema, type GateEvent } from './schemas';
import { applyMemberPassage, escortCheckOf, memberFactsAt } from '../members/gate';
import { activeRiskAreas } from '../risk-areas/store';
import type { devices } from '../db/schema';
import type { Db, Tx } from '../db/open';

export interface IngestResult {
  acked: string[];
  duplicates: string[];
  rejected: { id: string | null; reason: string }[];
}

interface PassRow {
  id: string;
  validFrom: number;
  validTo: number;
  gateIds: string;
  entries: number;
  entriesUsed: number;
  revokedAt: number | null;
  outOfCity: 0 | 1;
  signedOnline: 0 | 1;
  emergency: 0 | 1;
  queue: 'normal' | 'group';
  kind: 'visitor' | 'contractor';
}

export interface DeviceContact {
  appVersion?: string | undefined;
  outboxPending?: number | undefined;
  /** Whether the browser keeps the tablet's storage (outbox) under pressure: reported with its snapshot pulls. */
  storage?: 'persisted' | 'evictable' | undefined;
}

/**
 * The hot path of a gate coming back online is these few statements, so they are prepared once
 * per connection instead of being built by the query builder for every event (docs/benchmarks.md).
 */
function statementsFor(sqlite: Database.Database) {
  return {
    insertEvent: sqlite.prepare(
      `insert into gate_events (id, device_id, gate_id, seq, type, at, started_at, received_at, guard_user_id, pass_id, verdict, reasons, checks, input, rule_version,
         server_verdict, server_reasons, disagreement, pass_mismatch, clock_suspect, app_version, fever_retest, member_id, escort_check)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (id) do nothing`,
    ),
    // The passes a batch names, in one indexed read (the server checks every one of them).
    passesOf: sqlite.prepare<[string], PassRow>(
      `select p.id, p.valid_from as validFrom, p.valid_to as validTo, p.gate_ids as gateIds, p.entries_allowed as entries,
              p.entries_used as entriesUsed, p.revoked_at as revokedAt, v.out_of_city as outOfCity,
              (v.declared_by = 'visitor' and v.commitment_version is not null) as signedOnline, r.emergency, r.queue, r.kind
       from passes p join visitors v on v.id = p.visitor_id join visit_requests r on r.id = v.request_id
       where p.id in (select value from json_each(?))`,
    ),
    latestRules: sqlite.prepare('select id from rule_sets order by id desc limit 1').pluck(),
    // The tablets learn of entries used through the change counter (migration 0008). One number for the
    // whole batch, set here: the trigger would take one per pass, and update each row twice.
    nextChange: sqlite.prepare('update change_counter set value = value + 1 where id = 1 returning value').pluck(),
    useEntry: sqlite.prepare('update passes set entries_used = entries_used + 1, change_seq = ? where id = ?'),
    passMoved: sqlite.prepare('update passes set change_seq = ? where id = ?'),
    reject: sqlite.prepare(
      'insert into gate_event_rejections (device_id, event_id, received_at, reason, raw) values (?, ?, ?, ?, ?)',
    ),
    rulesOf: sqlite.prepare('select settings from rule_sets where id = ?').pluck(),
    contact: sqlite.prepare('insert into device_contacts (device_id, minute) values (?, ?) on conflict do nothing'),
    touch: sqlite.prepare(
      'update devices set last_seen_at = ?, app_version = coalesce(?, app_version), outbox_pending = coalesce(?, outbox_pending) where id = ?',
    ),
    // better-sqlite3 builds a wrapper (and its deferred/immediate/exclusive variants) on every
    // transaction() call; a CPU profile put that at about 10 µs per synced request.
    inTransaction: sqlite.transaction((work: () => void) => work()),
  };
}
const prepared = new WeakMap<Database.Database, ReturnType<typeof statementsFor>>();
const statements = (db: Db) => {
  let s = prepared.get(db.$client);
  if (!s) prepared.set(db.$client, (s = statementsFor(db.$client)));
  return s;
};
/** A rule version never changes once written (a change is a new version), so its parse is kept. */
const parsedRules = new WeakMap<Database.Database, Map<number, Rules | null>>();
/** Last contact is written at most this often when nothing else about the tablet changed. */
const TOUCH_EVERY_MS = 5_000;

/**
 * The minute a tablet was heard from (the daily report's tablet-offline minutes). Written once per
 * device and minute: even an ignored insert dirties a page, which a synchronous=FULL commit then
 * writes and syncs (measured: about 0.1 ms per check-in).
 */
const lastContact = new WeakMap<Database.Database, Map<number, number>>();
export function recordContact(db: Db, deviceId: number, at: Date) {
  let seen = lastContact.get(db.$client);
  if (!seen) lastContact.set(db.$client, (seen = new Map()));
  const minute = Math.floor(at.getTime() / 60_000);
  if (seen.get(deviceId) === minute) return;
  statements(db).contact.run(deviceId, minute);
  seen.set(deviceId, minute);
}

/**
 * Stores a batch of a tablet's events in one transaction: an id already stored is a duplicate
 * (acknowledged, not stored again); an invalid event is rejected with its reason and does not
 * hold up the rest. The server runs the shared decision engine again on each decision and marks
 * any disagreement with the tablet's verdict. The device's last contact is written in the same
 * transaction (one fsync per batch). `within` runs last inside the transaction with the events
 * newly stored (the notifications' outbox rows commit with them). The caller answers only after
 * this returns, i.e. after the commit.
 */
export function ingestEvents(
  db: Db,
  device: typeof devices.$inferSelect,
  raw: unknown[],
  now: Date,
  contact: DeviceContact = {},
  within?: (tx: Tx, stored: GateEvent[]) => void,
): IngestResult & { stored: GateEvent[] } {
  const s = statements(db);
  const out: IngestResult & { stored: GateEvent[] } = { acked: [], duplicates: [], rejected: [], stored: [] };
  const rejectedRaw: string[] = [];
  const parsed = raw.flatMap((r) => {
    const p = GateEventSchema.safeParse(r);
    if (p.success) return [p.data];
    const id = typeof r === 'object' && r !== null && 'id' in r && typeof r.id === 'string' ? r.id.slice(0, 64) : null;
    out.rejected.push({
      id,
      reason: issuesFromZod(p.error)
        .map((i) => `${i.path.join('.')}: ${i.code}`)
        .join('; ')
        .slice(0, 500),
    });
    rejectedRaw.push(boundedJson(r ?? null));
    return [];
  });
  let ruleCache = parsedRules.get(db.$client);
  if (!ruleCache) parsedRules.set(db.$client, (ruleCache = new Map()));
  const rulesAt = (v: number) => {
    if (!ruleCache.has(v)) {
      const settings = s.rulesOf.get(v) as string | undefined;
      if (!settings) return null; // not cached: the version may yet be written
      ruleCache.set(v, parseStoredRules(JSON.parse(settings)));
    }
    return ruleCache.get(v) ?? null;
  };
  const receivedAt = now.getTime();
  const latest = s.latestRules.get() as number | undefined;
  const toleranceMs = ((latest !== undefined ? rulesAt(latest)?.clockToleranceMinutes : undefined) ?? 10) * 60_000;
  s.inTransaction(() => {
    out.rejected.forEach((r, i) => s.reject.run(device.id, r.id, receivedAt, r.reason, rejectedRaw[i] ?? ''));
    const named = [...new Set(parsed.flatMap((e) => (e.passId ? [e.passId] : [])))];
    const records = new Map<string, PassRecord>();
    // Who the entrant is, as the server's own rows say: the policy and the test rule follow from it.
    const entrants = new Map<string, { entrant: EntrantType; outOfCity: boolean; signedOnline: boolean }>();
    if (named.length) {
      for (const r of s.passesOf.all(JSON.stringify(named))) {
        entrants.set(r.id, {
          entrant: entrantOfRequest(r),
          outOfCity: r.outOfCity === 1,
          signedOnline: r.signedOnline === 1,
        });
        records.set(r.id, {
          passId: r.id,
          validFrom: new Date(r.validFrom),
          validTo: new Date(r.validTo),
          gateIds: JSON.parse(r.gateIds) as number[],
          entries: r.entries,
          entriesUsed: r.entriesUsed,
          revokedAt: r.revokedAt === null ? null : new Date(r.revokedAt),
        });
      }
    }
    let batchChange: number | null = null;
    // The risk-area list, read once for a batch's member passages (a hold is judged against it).
    let areas: RiskArea[] | undefined;
    for (const e of parsed) {
      // Event ids are UUIDs: the same one in capitals is the same event (answered as the tablet wrote it).
      const sentId = e.id;
      e.id = e.id.toLowerCase();
      const at = Date.parse(e.at);
      const record = e.passId ? (records.get(e.passId) ?? null) : null;
      let passMismatch: PassMismatch | null = e.passId && !record ? 'unknown_pass' : null;
      let serverVerdict: string | null = null;
      let serverReasons: string[] | null = null;
      let retested = false;
      let escortCheck: string | null = null;
      const memberId = e.memberId ?? null;
      const memberEvent = e.type === 'member_entry' || e.type === 'member_exit';
      if (e.type === 'escort_arrived' && e.passId && memberId !== null)
        escortCheck = escortCheckOf(db, e.passId, memberId);
      if (memberEvent && e.input && e.ruleVersion) {
        // A member's passage: the engine again, with who they are, their leave, check-in and hold
        // as the server's rows had them at the event's time; the pass is the tablet's check of the
        // signature and live code, unless the server knows the member was not active then.
        const rules = rulesAt(e.ruleVersion);
        const known =
          memberId !== null && rules
            ? memberFactsAt(db, memberId, new Date(at), rules, (areas ??= activeRiskAreas(db)))
            : null;
        if (!rules) serverVerdict = 'unknown_rules';
        else {
          const t = e.input;
          const d = decideAdmission(
            {
              quickRefusal: null,
              pass: !known
                ? { ok: false, reason: 'unknown_pass' }
                : !known.active
                  ? { ok: false, reason: 'revoked' }
                  : t.pass,
              healthCode: t.healthCode,
              temperatures: t.temperatures,
              entrant: known?.entrant ?? 'student',
              outOfCity: false,
              testConfirmed: t.testConfirmed,
              idConfirmed: t.idConfirmed,
              snapshotFresh: t.snapshotFresh,
              member: known?.facts ?? { resident: true, leave: false, checkedInToday: false, hold: false },
              direction: e.type === 'member_exit' ? 'out' : 'in',
            },
            rules,
          );
          serverVerdict = d.verdict;
          serverReasons = d.reasons;
          retested = feverRetested(d.temperature);
        }
      } else if (e.type === 'decision' && e.input && e.ruleVersion) {
        // The tablet's inputs, with the pass as the server's own records have it at the event's time.
        let input: AdmissionInput = e.input;
        if (e.passId) {
          const mine = recordedPassVerdict(record, { at: new Date(at), gateId: device.gateId, toleranceMs });
          // Where the server's records find nothing wrong, the tablet's refusal stands: it saw what the
          // server cannot (the signature, the live code, its own admits not yet synced).
          // Who the entrant is comes from the server's rows, never from the tablet's claim. Built field by
          // field, in one shape: rest and spread of the tablet's object cost more per event than the
          // decision itself (docs/benchmarks.md, session 6).
          const facts = entrants.get(e.passId);
          const t = e.input;
          input = {
            quickRefusal: t.quickRefusal,
            pass: mine.ok ? t.pass : mine,
            healthCode: t.healthCode,
            temperatures: t.temperatures,
            entrant: facts?.entrant,
            outOfCity: facts?.outOfCity,
            testRequired: undefined,
            testConfirmed: t.testConfirmed,
            idConfirmed: t.idConfirmed,
            // Whether the visitor signed online is the server's to say; the paper signature is the guard's.
            commitment: t.commitment && {
              signedOnline: facts?.signedOnline ?? false,
              onPaper: t.commitment.onPaper,
            },
            snapshotFresh: t.snapshotFresh,
            blocked: t.blocked,
          };
          if (!mine.ok && e.verdict === 'admit') passMismatch = passMismatchOf(mine.reason);
        }
        const rules = rulesAt(e.ruleVersion);
        if (rules) {
          const d = decideAdmission(input, rules);
          serverVerdict = d.verdict;
          serverReasons = d.reasons;
          retested = feverRetested(d.temperature);
        } else serverVerdict = 'unknown_rules';
      }
      const clockSuspect = at > receivedAt + toleranceMs || at < device.enrolledAt.getTime() - toleranceMs;
      const { changes } = s.insertEvent.run(
        e.id,
        device.id,
        device.gateId,
        e.seq,
        e.type,
        Date.parse(e.at),
        e.startedAt ? Date.parse(e.startedAt) : null,
        receivedAt,
        e.guardUserId,
        e.passId,
        e.verdict,
        JSON.stringify(e.reasons),
        JSON.stringify(e.checks),
        e.input ? JSON.stringify(e.input) : null,
        e.ruleVersion,
        serverVerdict,
        serverReasons ? JSON.stringify(serverReasons) : null,
        serverVerdict !== null && serverVerdict !== e.verdict ? 1 : 0,
        passMismatch,
        clockSuspect ? 1 : 0,
        e.appVersion || contact.appVersion || device.appVersion || null,
        retested ? 1 : 0,
        memberId,
        escortCheck,
      );
      if (changes === 0) {
        out.duplicates.push(sentId); // stored by an earlier try whose answer never reached the tablet
        continue;
      }
      // An admit the server's records refute uses up nobody's entry (tests/server/verify-events.test.ts).
      if (e.type === 'decision' && e.verdict === 'admit' && record && !passMismatch) {
        batchChange ??= s.nextChange.get() as number;
        s.useEntry.run(batchChange, record.passId);
        record.entriesUsed += 1;
      }
      // An exit changes where the holder is (the pass's `inside` in every gate's snapshot): tablets re-read it.
      if (e.type === 'exit' && record && !passMismatch) {
        batchChange ??= s.nextChange.get() as number;
        s.passMoved.run(batchChange, record.passId);
      }
      // A member let out on their leave marks it out; let back in closes it (销假). The server's verdict
      // stands over the tablet's: an exit the server would refuse changes no leave (and raises its alert).
      if (memberEvent && memberId !== null && (serverVerdict === null || serverVerdict === e.verdict))
        applyMemberPassage(db, { type: e.type, memberId, at: new Date(at), gateId: device.gateId, verdict: e.verdict });
      out.acked.push(sentId);
      out.stored.push(e);
    }
    // The tablet counted this batch in its outbox when it sent it; what it holds now is the rest.
    if (contact.outboxPending !== undefined)
      contact = { ...contact, outboxPending: Math.max(0, contact.outboxPending - raw.length) };
    const changed =
      (contact.appVersion !== undefined && contact.appVersion !== device.appVersion) ||
      (contact.outboxPending !== undefined && contact.outboxPending !== device.outboxPending);
    if (changed || !device.lastSeenAt || receivedAt - device.lastSeenAt.getTime() >= TOUCH_EVERY_MS)
      s.touch.run(receivedAt, contact.appVersion ?? null, contact.outboxPending ?? null, device.id);
    // The query builder on this connection runs inside the open transaction.
    if (within && out.stored.length) within(db, out.stored);
  });
  recordContact(db, device.id, now); // after the commit, so the minute is only remembered once written
  return out;
}

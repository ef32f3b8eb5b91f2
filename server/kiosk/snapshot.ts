import { and, eq, gt, gte, inArray, isNotNull, isNull, lte, or, sql } from 'drizzle-orm';
import {
  blockList,
  leaves,
  members,
  changeCounter,
  type devices,
  gates,
  passes,
  snapshotTombstones,
  userGates,
  users,
} from '../db/schema';
import { SNAPSHOT_AHEAD_MS, SNAPSHOT_BEHIND_MS, snapshotDigest } from '../domain/snapshot-sync';
import { passesWithContext, signedOnline } from '../passes/with-context';
import { maskName, maskPhone, normalizePhone } from '../domain/names';
import { deviceNameLookupKey, nameLookupDigest } from '../domain/name-lookup';
import { currentRules } from '../rules/store';
import { publicKeys } from '../passes/keys';
import { entrantOfRequest } from '../domain/policy';
import { campusDate } from '../domain/dates';
import { toBase64Url } from '../domain/live-code';
import type { Rules } from '../domain/rules';
import { leaveHolds } from '../members/store';
import { activeRiskAreas } from '../risk-areas/store';
import { countOnCampus, insideByPass } from '../presence/store';
import type { SnapshotMember } from './schemas';
import type { Tx } from '../db/open';

const DAY = 86_400_000;

/**
 * Where the tablet's last snapshot ended: the change counter (migration 0008) and the server time
 * it was made, so the next pull can also bring passes that have since moved into the window.
 * Opaque to the tablet. The leading number is the cursor's generation: cursors of an older
 * numbering (migration 0005's two-part ones) are not trusted and get a full snapshot.
 */
export interface SnapshotCursor {
  changeSeq: number;
  at: number;
}
const CURSOR_GENERATION = 2;
export const CURSOR_PATTERN = /^(?:\d{1,15}\.){1,2}\d{1,15}$/;
export const formatCursor = (c: SnapshotCursor) => `${CURSOR_GENERATION}.${c.changeSeq}.${c.at}`;
export function parseCursor(text: string | undefined): SnapshotCursor | null {
  const m = /^(\d{1,15})\.(\d{1,15})\.(\d{1,15})$/.exec(text ?? '');
  return m && Number(m[1]) === CURSOR_GENERATION ? { changeSeq: Number(m[2]), at: Number(m[3]) } : null;
}

/** The last number the change counter gave out. */
export const currentChangeSeq = (db: Tx) => db.select({ n: changeCounter.value }).from(changeCounter).get()?.n ?? 0;

const inWindowAt = (now: Date) =>
  and(
    gte(passes.validTo, new Date(now.getTime() - SNAPSHOT_BEHIND_MS)),
    lte(passes.validFrom, new Date(now.getTime() + SNAPSHOT_AHEAD_MS)),
  );

/** The digest of the copy a tablet of `gateId` should hold after a snapshot made at `now` (the kiosk computes its own the same way). */
export function gateCopyDigest(db: Tx, gateId: number, now: Date) {
  const rows = db
    .select({
      id: passes.id,
      revokedAt: passes.revokedAt,
      validFrom: passes.validFrom,
      validTo: passes.validTo,
      gateIds: passes.gateIds,
    })
    .from(passes)
    .where(inWindowAt(now))
    .all();
  return snapshotDigest(
    rows
      .filter((r) => r.gateIds.includes(gateId))
      .map((r) => ({
        id: r.id,
        revoked: r.revokedAt !== null,
        validFrom: r.validFrom.toISOString(),
        validTo: r.validTo.toISOString(),
      })),
    now.getTime(),
  );
}

/**
 * Everything a tablet needs to decide alone for its gate: rules, public keys, guards, the block
 * list as keyed hashes, and the passes valid from yesterday to two days ahead, with masked names
 * only. With a cursor, only passes changed (issued, revoked, used) since then or newly in the
 * window are sent; `full: false` tells the tablet to merge them into what it has.
 */
export function buildSnapshot(
  db: Tx,
  device: typeof devices.$inferSelect,
  now: Date,
  cursor: SnapshotCursor | null,
  keys: { memberCodes: Buffer; nameLookup: Buffer },
) {
  const { memberCodes } = keys;
  const lookupKey = deviceNameLookupKey(keys.nameLookup, device.id);
  const gate = db.select().from(gates).where(eq(gates.id, device.gateId)).get();
  const rv = currentRules(db);
  const changeSeq = currentChangeSeq(db);
  // A cursor from the future (a database restored from backup) cannot be trusted: send everything.
  const since = cursor && cursor.changeSeq <= changeSeq && cursor.at <= now.getTime() ? cursor : null;
  const inWindow = inWindowAt(now);
  const changed =
    since && or(gt(passes.changeSeq, since.changeSeq), gt(passes.validFrom, new Date(since.at + SNAPSHOT_AHEAD_MS)));
  const rows = passesWithContext(db, changed ? and(inWindow, changed) : inWindow)
    .all()
    .filter((r) => r.pass.gateIds.includes(device.gateId));
  const removedPassIds = since
    ? db
        .select({ key: snapshotTombstones.key })
        .from(snapshotTombstones)
        .where(and(gt(snapshotTombstones.seq, since.changeSeq), eq(snapshotTombstones.kind, 'pass')))
        .all()
        .map((r) => r.key)
    : [];
  // The named escort among the host department's staff, by the phone the request gives (members/gate.ts escortCheckOf).
  const escortPhones = [...new Set(rows.map((r) => normalizePhone(r.request.escortPhone)))];
  const staffByPhone = new Map(
    escortPhones.length
      ? db
          .select({ id: members.id, phone: members.phone })
          .from(members)
          .where(and(eq(members.type, 'staff'), isNull(members.deactivatedAt), inArray(members.phone, escortPhones)))
          .all()
          .map((m) => [m.phone!, m.id])
      : [],
  );
  const inside = insideByPass(
    db,
    rows.map((r) => r.pass.id),
  );
  const passesOut = rows.map(({ pass, visitor, request, department }) => ({
    id: pass.id,
    secret: pass.codeSecret,
    revoked: pass.revokedAt !== null,
    entriesAllowed: pass.entriesAllowed,
    entriesUsed: pass.entriesUsed,
    validFrom: pass.validFrom.toISOString(),
    validTo: pass.validTo.toISOString(),
    inside: inside.get(pass.id) ?? null,
    visitor: {
      name: maskName(visitor.name),
      nameKey: nameLookupDigest(lookupKey, visitor.name),
      idHash: visitor.idHash,
      idLast4: visitor.idLast4,
      outOfCity: visitor.outOfCity,
      override: visitor.overrideCodes && visitor.overrideAt ? visitor.overrideCodes : null,
      testTakenAt: visitor.testTakenAt?.toISOString() ?? null,
      commitmentSigned: signedOnline(visitor),
    },
    request: {
      id: request.id,
      entrant: entrantOfRequest(request),
      department: department.name,
      departmentEn: department.nameEn,
      departmentId: request.departmentId,
      escortMemberId: staffByPhone.get(normalizePhone(request.escortPhone)) ?? null,
      escortName: request.escortName,
      escortPhone: maskPhone(request.escortPhone),
      purpose: request.purpose,
      destination: request.destination,
      dateFrom: request.visitDateFrom,
      dateTo: request.visitDateTo,
      timeFrom: request.timeFrom,
      timeTo: request.timeTo,
    },
  }));
  const guards = db
    .select({ id: users.id, displayName: users.displayName, pinHash: users.pinHash })
    .from(users)
    .innerJoin(userGates, eq(userGates.userId, users.id))
    .where(and(eq(userGates.gateId, device.gateId), eq(users.role, 'guard'), isNull(users.disabledAt)))
    .all();
  const blocked = db
    .select({ idHash: blockList.idHash, expiresAt: blockList.expiresAt })
    .from(blockList)
    .where(and(isNull(blockList.removedAt), isNotNull(blockList.idHash)))
    .all()
    .filter((b) => !b.expiresAt || b.expiresAt > now)
    .map((b) => b.idHash!);
  return {
    generatedAt: now.toISOString(),
    cursor: formatCursor({ changeSeq, at: now.getTime() }),
    full: since === null,
    /**
     * What the tablet's copy must hash to once this answer is merged: the server keeps it with the
     * cursor and compares it with the digest the tablet reports on its next sync.
     */
    digest: since === null ? snapshotDigest(passesOut, now.getTime()) : gateCopyDigest(db, device.gateId, now),
    removedPassIds,
    device: { id: device.id, name: device.name },
    gate: { id: device.gateId, name: gate?.name ?? '', nameEn: gate?.nameEn ?? '' },
    rules: rv,
    /** A rotated-out key comes with the end of its last pass: the tablet refuses it after that, offline too. */
    keys: publicKeys(db).map((k) => ({
      kid: k.kid,
      publicKey: k.publicKey,
      acceptUntil: k.acceptUntil?.toISOString() ?? null,
    })),
    /**
     * The PIN verifier (scrypt, salted) travels so a guard can start a shift while the gate is
     * offline. A PIN only works on an enrolled tablet of the guard's gate, so a stolen verifier
     * gains nothing without the tablet itself; the tablet also locks after repeated wrong PINs.
     */
    guards: guards.map((g) => ({ id: g.id, displayName: g.displayName, pinVerifier: g.pinHash })),
    blockedIdHashes: blocked,
    onCampus: countOnCampus(db, now, rv.rules),
    passes: passesOut,
    /** The key the members' live codes derive from (domain/credential.ts memberSecret). */
    memberCodeKey: toBase64Url(memberCodes),
    nameLookupKey: toBase64Url(lookupKey),
    members: snapshotMembers(db, now, rv.rules, since?.changeSeq ?? null),
  };
}

/**
 * The campus's members for a tablet, compact (30,000 of them travel to every gate): the changed ones
 * since the cursor, and always those out on a leave (whether a risk area holds them changes with the
 * risk-area list, not with their row). See SnapshotMemberSchema for the fields.
 */
export function snapshotMembers(db: Tx, now: Date, rules: Rules, sinceSeq: number | null): SnapshotMember[] {
  const day = campusDate(now, rules.timezone);
  // One plain read (no row mapping: 30,000 rows of it cost the query builder about 100 ms), today's
  // check-in answered by the primary key beside each row.
  const rows = db.all<{
    id: number;
    number: string;
    name: string;
    type: SnapshotMember[3];
    departmentId: number | null;
    resident: 0 | 1;
    serial: number;
    active: 0 | 1;
    checkedIn: 0 | 1;
  }>(sql`
    select m.id, m.number, m.name, m.type, m.department_id as departmentId, m.resident, m.credential_serial as serial,
      m.deactivated_at is null as active,
      exists (select 1 from member_check_ins c where c.member_id = m.id and c.day = ${day}) as checkedIn
    from members m
    where ${
      sinceSeq === null
        ? sql`m.deactivated_at is null`
        : sql`m.change_seq > ${sinceSeq} or exists (select 1 from leaves l where l.member_id = m.id and l.status = 'out')`
    }`);
  if (!rows.length) return [];
  const idSet = sinceSeq === null ? null : rows.map((r) => r.id);
  const areas = activeRiskAreas(db);
  const leavesBy = new Map<number, [number, string, string, 'approved' | 'out'][]>();
  const holds = new Set<number>();
  // Approved leaves not long over, and every out leave however old (its member is still out, maybe held).
  for (const l of db
    .select()
    .from(leaves)
    .where(
      and(
        or(
          and(eq(leaves.status, 'approved'), gte(leaves.toAt, new Date(now.getTime() - 2 * DAY))),
          eq(leaves.status, 'out'),
        ),
        idSet ? inArray(leaves.memberId, idSet) : undefined,
      ),
    )
    .all()) {
    const list = leavesBy.get(l.memberId) ?? [];
    list.push([l.id, l.fromAt.toISOString(), l.toAt.toISOString(), l.status as 'approved' | 'out']);
    leavesBy.set(l.memberId, list);
    if (leaveHolds(l, areas, rules.timezone)) holds.add(l.memberId);
  }
  return rows.map((m) => [
    m.id,
    m.number,
    maskName(m.name),
    m.type,
    m.departmentId,
    m.resident ? 1 : 0,
    m.serial,
    m.active ? 1 : 0,
    m.checkedIn ? day : '',
    holds.has(m.id) ? 1 : 0,
    leavesBy.get(m.id) ?? [],
  ]);
}
export type { Snapshot } from './schemas';

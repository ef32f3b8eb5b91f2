import { and, count, eq, gt, gte, isNotNull, isNull, lte, max, or } from 'drizzle-orm';
import { blockList, devices, gateEvents, gates, passes, userGates, users } from '../db/schema';
import { passesWithContext } from '../passes/with-context';
import { maskName, maskPhone } from '../domain/names';
import { currentRules } from '../rules/store';
import { publicKeys } from '../passes/keys';
import type { Db } from '../db/open';

const DAY = 86_400_000;
/** Passes valid from yesterday to this far ahead travel to the tablet (today and tomorrow, with margin). */
const AHEAD_MS = 2 * DAY;

/**
 * Where the tablet's last snapshot ended: the passes table's change sequence (see migration 0005)
 * and the server time it was made, so the next pull can also bring passes that have since moved
 * into the window. Opaque to the tablet.
 */
export interface SnapshotCursor {
  changeSeq: number;
  at: number;
}
export const formatCursor = (c: SnapshotCursor) => `${c.changeSeq}.${c.at}`;
export function parseCursor(text: string | undefined): SnapshotCursor | null {
  const m = /^(\d{1,15})\.(\d{1,15})$/.exec(text ?? '');
  return m ? { changeSeq: Number(m[1]), at: Number(m[2]) } : null;
}

/**
 * Everything a tablet needs to decide alone for its gate: rules, public keys, guards, the block
 * list as keyed hashes, and the passes valid from yesterday to two days ahead, with masked names
 * only. With a cursor, only passes changed (issued, revoked, used) since then or newly in the
 * window are sent; `full: false` tells the tablet to merge them into what it has.
 */
export function buildSnapshot(db: Pick<Db, 'select'>, device: typeof devices.$inferSelect, now: Date, cursor: SnapshotCursor | null = null) {
  const gate = db.select().from(gates).where(eq(gates.id, device.gateId)).get();
  const rv = currentRules(db);
  const changeSeq = db.select({ n: max(passes.changeSeq) }).from(passes).get()?.n ?? 0;
  // A cursor from the future (a database restored from backup) cannot be trusted: send everything.
  const since = cursor && cursor.changeSeq <= changeSeq && cursor.at <= now.getTime() ? cursor : null;
  const inWindow = and(gte(passes.validTo, new Date(now.getTime() - DAY)), lte(passes.validFrom, new Date(now.getTime() + AHEAD_MS)));
  const changed = since && or(gt(passes.changeSeq, since.changeSeq), gt(passes.validFrom, new Date(since.at + AHEAD_MS)));
  const rows = passesWithContext(db, changed ? and(inWindow, changed) : inWindow)
    .all()
    .filter((r) => r.pass.gateIds.includes(device.gateId));
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
  const admitted = db.select({ n: count() }).from(gateEvents).where(and(eq(gateEvents.gateId, device.gateId), eq(gateEvents.verdict, 'admit'), gte(gateEvents.at, new Date(now.getTime() - DAY)))).get()?.n ?? 0;
  const exited = db.select({ n: count() }).from(gateEvents).where(and(eq(gateEvents.gateId, device.gateId), eq(gateEvents.type, 'exit'), gte(gateEvents.at, new Date(now.getTime() - DAY)))).get()?.n ?? 0;
  return {
    generatedAt: now.toISOString(),
    cursor: formatCursor({ changeSeq, at: now.getTime() }),
    full: since === null,
    device: { id: device.id, name: device.name },
    gate: { id: device.gateId, name: gate?.name ?? '', nameEn: gate?.nameEn ?? '' },
    rules: rv,
    keys: publicKeys(db).map((k) => ({ kid: k.kid, publicKey: k.publicKey })),
    /**
     * The PIN verifier (scrypt, salted) travels so a guard can start a shift while the gate is
     * offline. A PIN only works on an enrolled tablet of the guard's gate, so a stolen verifier
     * gains nothing without the tablet itself; the tablet also locks after repeated wrong PINs.
     */
    guards: guards.map((g) => ({ id: g.id, displayName: g.displayName, pinVerifier: g.pinHash })),
    blockedIdHashes: blocked,
    onCampus: Math.max(0, admitted - exited),
    passes: rows.map(({ pass, visitor, request, department }) => ({
      id: pass.id,
      secret: pass.codeSecret,
      revoked: pass.revokedAt !== null,
      entriesAllowed: pass.entriesAllowed,
      entriesUsed: pass.entriesUsed,
      validFrom: pass.validFrom.toISOString(),
      validTo: pass.validTo.toISOString(),
      visitor: { name: maskName(visitor.name), idHash: visitor.idHash, idLast4: visitor.idLast4, outOfCity: visitor.outOfCity, testTakenAt: visitor.testTakenAt?.toISOString() ?? null },
      request: {
        id: request.id,
        department: department.name,
        departmentEn: department.nameEn,
        escortName: request.escortName,
        escortPhone: maskPhone(request.escortPhone),
        purpose: request.purpose,
        destination: request.destination,
        dateFrom: request.visitDateFrom,
        dateTo: request.visitDateTo,
        timeFrom: request.timeFrom,
        timeTo: request.timeTo,
      },
    })),
  };
}
export type Snapshot = ReturnType<typeof buildSnapshot>;

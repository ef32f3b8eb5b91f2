import { and, count, eq, gte, isNull, lte } from 'drizzle-orm';
import { devices, gateEvents, gates, passes, userGates, users } from '../db/schema';
import { passesWithContext } from '../passes/with-context';
import { maskName, maskPhone } from '../domain/names';
import { currentRules } from '../rules/store';
import { publicKeys } from '../passes/keys';
import type { Db } from '../db/open';

const DAY = 86_400_000;

/**
 * Everything a tablet needs to decide alone for its gate: rules, public keys, guards, and the
 * passes valid from yesterday to two days ahead, with masked names only.
 */
export function buildSnapshot(db: Pick<Db, 'select'>, device: typeof devices.$inferSelect, now: Date) {
  const gate = db.select().from(gates).where(eq(gates.id, device.gateId)).get();
  const rv = currentRules(db);
  const rows = passesWithContext(db, and(gte(passes.validTo, new Date(now.getTime() - DAY)), lte(passes.validFrom, new Date(now.getTime() + 2 * DAY))))
    .all()
    .filter((r) => r.pass.gateIds.includes(device.gateId));
  const guards = db
    .select({ id: users.id, displayName: users.displayName })
    .from(users)
    .innerJoin(userGates, eq(userGates.userId, users.id))
    .where(and(eq(userGates.gateId, device.gateId), eq(users.role, 'guard'), isNull(users.disabledAt)))
    .all();
  const admitted = db.select({ n: count() }).from(gateEvents).where(and(eq(gateEvents.gateId, device.gateId), eq(gateEvents.verdict, 'admit'), gte(gateEvents.at, new Date(now.getTime() - DAY)))).get()?.n ?? 0;
  const exited = db.select({ n: count() }).from(gateEvents).where(and(eq(gateEvents.gateId, device.gateId), eq(gateEvents.type, 'exit'), gte(gateEvents.at, new Date(now.getTime() - DAY)))).get()?.n ?? 0;
  return {
    generatedAt: now.toISOString(),
    device: { id: device.id, name: device.name },
    gate: { id: device.gateId, name: gate?.name ?? '', nameEn: gate?.nameEn ?? '' },
    rules: rv,
    keys: publicKeys(db).map((k) => ({ kid: k.kid, publicKey: k.publicKey })),
    guards,
    onCampus: Math.max(0, admitted - exited),
    passes: rows.map(({ pass, visitor, request, department }) => ({
      id: pass.id,
      secret: pass.codeSecret,
      revoked: pass.revokedAt !== null,
      entriesAllowed: pass.entriesAllowed,
      entriesUsed: pass.entriesUsed,
      validFrom: pass.validFrom.toISOString(),
      validTo: pass.validTo.toISOString(),
      visitor: { name: maskName(visitor.name), idLast4: visitor.idLast4, outOfCity: visitor.outOfCity, testTakenAt: visitor.testTakenAt?.toISOString() ?? null },
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

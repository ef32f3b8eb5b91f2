import { ok } from '../../server/domain/api-result';
import { uuidv7 } from '../../server/domain/ids';
import type { TestApp } from './app';
import { requestInput, visitorInput } from './filing';

/** Enrolls a tablet for a gate through the office's code, as a person would. */
export async function enrollDevice(t: TestApp, gateId: number, officeCookie?: string) {
  const office = t.client({ cookie: officeCookie ?? (await t.signIn('office')) });
  const { code } = await ok(office.devices.enrollments.$post({ json: { gateId } }));
  return ok(t.client().kiosk.enroll.$post({ json: { code, name: '北门 1号平板', appVersion: 'test' } }));
}

/** A filed and approved request for tomorrow; answers its detail with the visitors' passes. */
export async function approvedRequest(t: TestApp, gateId: number, visitors = [visitorInput()]) {
  const filer = t.client({ cookie: await t.signIn('filer') });
  const office = t.client({ cookie: await t.signIn('office') });
  const filed = await ok(filer.requests.$post({ json: requestInput(gateId, { visitors }) as never, header: {} }));
  const approved = await ok(office.review[':id'].approve.$post({ param: { id: String(filed.id) }, json: {} }));
  // Approval gives every visitor a pass: say so in the type, so tests read `visitors[0].pass.id`.
  const withPasses = (approved.visitors ?? []).map((v) => {
    if (!v.pass) throw new Error(`visitor ${v.id} of request ${approved.id} has no pass after approval`);
    return { ...v, pass: v.pass };
  });
  return { ...approved, visitors: withPasses as [(typeof withPasses)[number], ...typeof withPasses] };
}

/** A one-tap refusal (courier, food delivery…) as a tablet records it. */
export function quickRefusalEvent(
  seq: number,
  reason: 'courier' | 'food_delivery' | 'walk_in' | 'other',
  at = new Date().toISOString(),
) {
  const base = decisionEvent(seq);
  return {
    ...base,
    at,
    verdict: 'refuse',
    reasons: [reason],
    input: { ...base.input, quickRefusal: reason, healthCode: null, temperatures: [] },
  };
}

export function decisionEvent(seq: number, over: Record<string, unknown> = {}) {
  return {
    id: uuidv7(),
    seq,
    type: 'decision',
    at: new Date('2026-11-21T01:30:00Z').toISOString(),
    guardUserId: null,
    passId: null,
    verdict: 'admit',
    reasons: [],
    checks: [],
    input: {
      pass: { ok: true },
      healthCode: { colour: 'green', method: 'seen_by_guard' },
      temperatures: [{ celsius: 36.5, method: 'forehead_ir', at: '2026-11-21T01:30:00Z' }],
      testRequired: false,
      testConfirmed: null,
      idConfirmed: null,
      snapshotFresh: true,
    },
    ruleVersion: 1,
    ...over,
  };
}

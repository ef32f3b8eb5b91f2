import { uuidv7 } from '../../server/domain/ids';
import type { TestApp } from './app';
import { requestInput, visitorInput } from './filing';

/** Enrolls a tablet for a gate through the office's code, as a person would. */
export async function enrollDevice(t: TestApp, gateId: number, officeCookie?: string) {
  const office = officeCookie ?? (await t.signIn('office'));
  const { code } = (await t.request('POST', '/api/v1/devices/enrollments', { cookie: office, body: { gateId } })).json;
  const res = await t.request('POST', '/api/v1/kiosk/enroll', { body: { code, name: '北门 1号平板', appVersion: 'test' } });
  return res.json as { token: string; deviceId: number };
}

/** A filed and approved request for tomorrow; answers its detail with the visitors' passes. */
export async function approvedRequest(t: TestApp, gateId: number, visitors = [visitorInput()]) {
  const filer = await t.signIn('filer');
  const office = await t.signIn('office');
  const filed = await t.request('POST', '/api/v1/requests', { cookie: filer, body: requestInput(gateId, { visitors }) });
  return (await t.request('POST', `/api/v1/review/${filed.json.id}/approve`, { cookie: office, body: {} })).json;
}

/** A one-tap refusal (courier, food delivery…) as a tablet records it. */
export function quickRefusalEvent(seq: number, reason: 'courier' | 'food_delivery' | 'walk_in' | 'other', at = new Date().toISOString()) {
  const base = decisionEvent(seq);
  return { ...base, at, verdict: 'refuse', reasons: [reason], input: { ...base.input, quickRefusal: reason, healthCode: null, temperatures: [] } };
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

import { z } from '@hono/zod-openapi';
import { IsoDateTime } from '../lib/schemas';
import { QUICK_REFUSALS, TEMPERATURE_METHODS } from '../domain/admission';
import { PASS_REFUSALS } from '../domain/pass';

const PassRefusalSchema = z.enum(PASS_REFUSALS);

/** The decision's inputs as the tablet saw them: outcomes only, never the raw health code. */
export const AdmissionInputSchema = z.object({
  quickRefusal: z.enum(QUICK_REFUSALS).nullable().optional(),
  pass: z.union([z.object({ ok: z.literal(true) }), z.object({ ok: z.literal(false), reason: PassRefusalSchema })]),
  healthCode: z.object({ colour: z.enum(['green', 'yellow', 'red']), method: z.enum(['seen_by_guard', 'scanned_seen_by_guard']) }).nullable(),
  temperatures: z.array(z.object({ celsius: z.number().min(20).max(50), method: z.enum(TEMPERATURE_METHODS), at: IsoDateTime })).max(10),
  testRequired: z.boolean(),
  testConfirmed: z.boolean().nullable(),
  idConfirmed: z.boolean().nullable(),
  snapshotFresh: z.boolean(),
  blocked: z.boolean().optional(),
});

export const GateEventSchema = z
  .object({
    id: z.uuid(),
    seq: z.number().int().positive(),
    type: z.enum(['decision', 'exit', 'escort_arrived']),
    at: IsoDateTime,
    /** When the guard began with this entrant; optional so older tablet builds still sync. */
    startedAt: IsoDateTime.nullable().optional(),
    guardUserId: z.number().int().positive().nullable(),
    passId: z.string().regex(/^[0-9a-f]{16}$/).nullable(),
    verdict: z.enum(['admit', 'refuse']).nullable(),
    reasons: z.array(z.string().max(40)).max(20),
    checks: z.array(z.object({ code: z.string().max(30), outcome: z.string().max(20), detail: z.string().max(60) })).max(12),
    input: AdmissionInputSchema.nullable(),
    ruleVersion: z.number().int().positive().nullable(),
    /** The tablet build that decided it (older builds send none; the request's header stands in). */
    appVersion: z.string().max(40).optional(),
  })
  .openapi('GateEvent');
export type GateEvent = z.infer<typeof GateEventSchema>;

import { z } from '@hono/zod-openapi';
import { IsoDateTime } from '../lib/schemas';
import {
  CODE_COLOURS,
  GATE_EVENT_TYPES,
  HEALTH_CODE_METHODS,
  QUICK_REFUSALS,
  RECORDED_VERDICTS,
  TEMPERATURE_METHODS,
} from '../domain/admission';
import { PASS_REFUSALS } from '../domain/pass';
import { ENTRANT_TYPES } from '../domain/policy';
import { MEMBER_TYPES } from '../domain/member';
import { RulesSchema } from '../domain/rules';

const PassRefusalSchema = z.enum(PASS_REFUSALS);

/** The decision's inputs as the tablet saw them: outcomes only, never the raw health code. */
export const AdmissionInputSchema = z.object({
  quickRefusal: z.enum(QUICK_REFUSALS).nullable().optional(),
  pass: z.union([z.object({ ok: z.literal(true) }), z.object({ ok: z.literal(false), reason: PassRefusalSchema })]),
  healthCode: z.object({ colour: z.enum(CODE_COLOURS), method: z.enum(HEALTH_CODE_METHODS) }).nullable(),
  temperatures: z
    .array(z.object({ celsius: z.number().min(20).max(50), method: z.enum(TEMPERATURE_METHODS), at: IsoDateTime }))
    .max(10),
  /** Sent by builds before entry policies; newer ones send who the entrant is and the server checks it. */
  testRequired: z.boolean().optional(),
  entrant: z.enum(ENTRANT_TYPES).optional(),
  outOfCity: z.boolean().optional(),
  testConfirmed: z.boolean().nullable(),
  idConfirmed: z.boolean().nullable(),
  /** `signedOnline` is what the tablet's snapshot said; the server takes it from its own rows. */
  commitment: z.object({ signedOnline: z.boolean(), onPaper: z.boolean().nullable() }).optional(),
  snapshotFresh: z.boolean(),
  blocked: z.boolean().optional(),
  /** What the tablet's snapshot said of a member; the server decides again with its own rows. */
  member: z
    .object({ resident: z.boolean(), leave: z.boolean(), checkedInToday: z.boolean(), hold: z.boolean() })
    .optional(),
  direction: z.enum(['in', 'out']).optional(),
});

export const GateEventSchema = z
  .object({
    id: z.uuid(),
    seq: z.number().int().positive(),
    type: z.enum(GATE_EVENT_TYPES),
    at: IsoDateTime,
    /** When the guard began with this entrant; optional so older tablet builds still sync. */
    startedAt: IsoDateTime.nullable().optional(),
    guardUserId: z.number().int().positive().nullable(),
    passId: z
      .string()
      .regex(/^[0-9a-f]{16}$/)
      .nullable(),
    verdict: z.enum(RECORDED_VERDICTS).nullable(),
    reasons: z.array(z.string().max(40)).max(20),
    checks: z
      .array(z.object({ code: z.string().max(30), outcome: z.string().max(20), detail: z.string().max(60) }))
      .max(12),
    input: AdmissionInputSchema.nullable(),
    ruleVersion: z.number().int().positive().nullable(),
    /** The member of a member's entry or exit; on an escort's arrival, the staff member whose credential was scanned. */
    memberId: z.number().int().positive().max(2_147_483_647).nullable().optional(),
    /** The tablet build that decided it (older builds send none; the request's header stands in). */
    appVersion: z.string().max(40).optional(),
  })
  .openapi('GateEvent');
export type GateEvent = z.infer<typeof GateEventSchema>;

/** What a tablet holds for its gate (kiosk/snapshot.ts buildSnapshot): the response the kiosk is typed by. */
export const SnapshotPassSchema = z
  .object({
    id: z.string(),
    secret: z.string().openapi({ description: 'The live-code secret (base64url)' }),
    revoked: z.boolean(),
    entriesAllowed: z.number().int(),
    entriesUsed: z.number().int(),
    validFrom: z.string(),
    validTo: z.string(),
    inside: z
      .object({ since: z.string(), gateId: z.number().int(), gateName: z.string(), gateNameEn: z.string() })
      .nullable()
      .openapi({ description: 'The holder came in then, there, and has not been seen leaving (as the server knows)' }),
    visitor: z.object({
      name: z.string().openapi({ description: 'Masked' }),
      nameKey: z.string().openapi({
        description:
          'HMAC-SHA-256 of the normalised full name under `nameLookupKey` (hex): the guard types a full name, the tablet hashes it',
      }),
      idHash: z.string(),
      idLast4: z.string(),
      outOfCity: z.boolean(),
      override: z
        .array(z.string())
        .nullable()
        .openapi({ description: 'Filing checks the office let this visitor in despite (shown to the guard)' }),
      testTakenAt: z.string().nullable(),
      commitmentSigned: z.boolean().openapi({
        description:
          'The visitor signed the commitment on their phone; otherwise (the paper path) they sign on paper at the gate when the policy asks',
      }),
    }),
    request: z.object({
      id: z.number().int(),
      entrant: z.enum(ENTRANT_TYPES).openapi({ description: 'Which policy of the level in force applies' }),
      department: z.string(),
      departmentEn: z.string(),
      departmentId: z.number().int(),
      escortMemberId: z
        .number()
        .int()
        .nullable()
        .openapi({ description: 'The named escort’s member id, if a staff member has the escort’s phone' }),
      escortName: z.string(),
      escortPhone: z.string().openapi({ description: 'Masked' }),
      purpose: z.string(),
      destination: z.string(),
      dateFrom: z.string(),
      dateTo: z.string(),
      timeFrom: z.string(),
      timeTo: z.string(),
    }),
  })
  .openapi('SnapshotPass');

/**
 * One campus member as the tablet holds them, a tuple to keep 30,000 of them small: id, number,
 * masked name, type, department id, lives on campus, credential serial, active, the campus day of
 * their last check-in (today's or ''), held after a risk area, and their approved or out leaves
 * (id, from, to, status).
 */
export const SnapshotMemberSchema = z
  .tuple([
    z.number().int(),
    z.string(),
    z.string(),
    z.enum(MEMBER_TYPES),
    z.number().int().nullable(),
    z.union([z.literal(0), z.literal(1)]),
    z.number().int(),
    z.union([z.literal(0), z.literal(1)]),
    z.string(),
    z.union([z.literal(0), z.literal(1)]),
    z.array(z.tuple([z.number().int(), z.string(), z.string(), z.enum(['approved', 'out'])])),
  ])
  .openapi('SnapshotMember');
export type SnapshotMember = z.infer<typeof SnapshotMemberSchema>;

export const SnapshotSchema = z
  .object({
    generatedAt: z.string(),
    cursor: z.string().openapi({ description: 'Send back as `since` on the next sync' }),
    full: z.boolean().openapi({ description: 'true: replace the copy; false: merge these passes into it' }),
    digest: z
      .string()
      .openapi({ description: 'What the copy must hash to once merged (server/domain/snapshot-sync.ts)' }),
    removedPassIds: z.array(z.string()),
    device: z.object({ id: z.number().int(), name: z.string() }),
    gate: z.object({ id: z.number().int(), name: z.string(), nameEn: z.string() }),
    rules: z.object({ version: z.number().int(), rules: RulesSchema }),
    keys: z.array(z.object({ kid: z.number().int(), publicKey: z.string(), acceptUntil: z.string().nullable() })),
    guards: z.array(z.object({ id: z.number().int(), displayName: z.string(), pinVerifier: z.string().nullable() })),
    blockedIdHashes: z.array(z.string()),
    onCampus: z.number().int(),
    passes: z.array(SnapshotPassSchema),
    memberCodeKey: z.string().openapi({ description: 'The key members’ live codes derive from (base64url)' }),
    nameLookupKey: z.string().openapi({
      description: 'This tablet’s own key for full-name lookup (base64url); another tablet’s digests differ',
    }),
    members: z.array(SnapshotMemberSchema).openapi({
      description:
        'Full: every active member; incremental: members changed since the cursor and everyone out on a leave, merged by id',
    }),
  })
  .openapi('Snapshot');
export type Snapshot = z.infer<typeof SnapshotSchema>;

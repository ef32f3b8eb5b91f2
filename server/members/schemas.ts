import { z } from '@hono/zod-openapi';
import { ID_TYPES, idNumberProblem } from '../domain/id-number';
import { CHECK_IN_FIELDS, LEAVE_STATUSES, MEMBER_TYPES, SYMPTOMS, WORKER_KINDS } from '../domain/member';
import { IsoDateTime, PageQuerySchema, safeText } from '../lib/schemas';
import { ErrorIssueSchema } from '../lib/errors';

const RegionCode = z
  .string()
  .regex(/^\d{6}$/, 'region_pick')
  .openapi({ example: '410105' });

/** One row of an office's member file, as checked before anything is saved. */
export const MemberRowSchema = z
  .object({
    number: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9-]{2,32}$/, 'must be the 学号/工号: letters, digits and dashes'),
    name: safeText(1, 60),
    type: z.enum(MEMBER_TYPES),
    workerKind: z.enum(WORKER_KINDS).nullable(),
    /** The department's code or name, as in the departments list. */
    department: z.string().trim().max(60),
    unit: z.string().trim().max(60),
    resident: z.boolean(),
    idType: z.enum(ID_TYPES).nullable(),
    idNumber: z.string().trim().max(30).nullable(),
    phone: z
      .string()
      .trim()
      .regex(/^[\d\s+()-]{5,30}$/, 'bad_phone')
      .nullable(),
  })
  .superRefine((v, ctx) => {
    if (v.type === 'worker' && !v.workerKind)
      ctx.addIssue({ code: 'custom', path: ['workerKind'], message: 'a worker needs their kind of work' });
    if (v.type !== 'worker' && v.workerKind)
      ctx.addIssue({ code: 'custom', path: ['workerKind'], message: 'only workers have a kind of work' });
    if (v.idNumber && !v.idType)
      ctx.addIssue({ code: 'custom', path: ['idType'], message: 'the ID number needs its document type' });
    if (v.idNumber && v.idType) {
      const problem = idNumberProblem(v.idType, v.idNumber);
      if (problem)
        ctx.addIssue({
          code: 'custom',
          path: ['idNumber'],
          message: `id_${problem}`,
          params: { code: `id_${problem}` },
        });
    }
  })
  .openapi('MemberRow');
export type MemberRow = z.infer<typeof MemberRowSchema>;

/** What a re-import changes for one member: the fields that differ (never their values: ID numbers are not shown). */
export const MemberChangeSchema = z.object({
  number: z.string(),
  name: z.string().openapi({ description: 'Masked' }),
  change: z.enum(['created', 'updated', 'unchanged', 'reactivated']),
  fields: z.array(z.string()),
});

export const MemberImportSchema = z
  .object({
    rows: z.array(
      z.object({
        row: z.number().int(),
        number: z.string().nullable(),
        issues: z.array(ErrorIssueSchema),
      }),
    ),
    valid: z.number().int(),
    invalid: z.number().int(),
    /** What saving would do (a preview) or did (`saved: true`). */
    changes: z.array(MemberChangeSchema),
    saved: z.boolean(),
  })
  .openapi('MemberImport');

export const LeaveSchema = z
  .object({
    id: z.number().int(),
    memberId: z.number().int(),
    kind: z.enum(['leave', 'office']),
    from: z.string(),
    to: z.string(),
    destination: z.string(),
    destinationName: z.string(),
    reason: z.string(),
    status: z.enum(LEAVE_STATUSES),
    filedAt: z.string(),
    decidedAt: z.string().nullable(),
    decidedBy: z.string().nullable().openapi({ description: 'The approver’s display name (谁批准谁负责)' }),
    decisionNote: z.string().nullable(),
    exitedAt: z.string().nullable(),
    returnedAt: z.string().nullable(),
    overdue: z.boolean(),
    hold: z.boolean().openapi({ description: 'Back from a risk area: the gate refuses entry until the office clears' }),
  })
  .openapi('Leave');

export const MemberSchema = z
  .object({
    id: z.number().int(),
    number: z.string(),
    name: z.string(),
    type: z.enum(MEMBER_TYPES),
    workerKind: z.enum(WORKER_KINDS).nullable(),
    departmentId: z.number().int().nullable(),
    department: z.string().nullable(),
    departmentEn: z.string().nullable(),
    unit: z.string(),
    resident: z.boolean(),
    idLast4: z.string().nullable(),
    phone: z.string().nullable().openapi({ description: 'Masked' }),
    active: z.boolean(),
    /** Out on a leave (or an office permit) now; overdue when its end has passed. */
    out: z.boolean(),
    overdue: z.boolean(),
    hold: z.boolean(),
    checkedInToday: z.boolean(),
  })
  .openapi('Member');

export const MemberListQuerySchema = PageQuerySchema.extend({
  filter: z.enum(['all', 'out', 'overdue', 'no_check_in', 'held', 'inactive']).default('all'),
  departmentId: z.coerce.number().int().positive().optional(),
  q: z.string().trim().max(60).optional(),
});

export const MemberSummarySchema = z
  .object({
    day: z.string(),
    departments: z.array(
      z.object({
        departmentId: z.number().int().nullable(),
        department: z.string().nullable(),
        departmentEn: z.string().nullable(),
        members: z.number().int(),
        out: z.number().int(),
        overdue: z.number().int(),
        notCheckedIn: z.number().int(),
        held: z.number().int(),
      }),
    ),
    exitsWithoutLeave: z.array(
      z.object({
        leaveId: z.number().int(),
        member: z.string(),
        number: z.string(),
        decidedBy: z.string().nullable(),
        why: z.string().nullable(),
        at: z.string().nullable(),
      }),
    ),
  })
  .openapi('MemberSummary');

export const LeaveInputSchema = z
  .object({
    from: IsoDateTime,
    to: IsoDateTime,
    destination: RegionCode,
    reason: safeText(2, 200, { multiline: true }),
  })
  .refine((v) => Date.parse(v.to) > Date.parse(v.from), { path: ['to'], message: 'must be after the start' })
  .openapi('LeaveInput');

export const LeaveDecisionSchema = z
  .object({ approve: z.boolean(), note: safeText(1, 200, { multiline: true }).nullable().optional() })
  .refine((v) => v.approve || !!v.note, { path: ['note'], message: 'say why it is rejected' })
  .openapi('LeaveDecision');

export const ExitPermitSchema = z
  .object({ to: IsoDateTime, destination: RegionCode, why: safeText(2, 200, { multiline: true }) })
  .openapi('ExitPermit');

export const LeaveListQuerySchema = PageQuerySchema.extend({
  status: z.enum(['pending', 'approved', 'out', 'overdue', 'decided', 'all']).default('pending'),
});

export const CheckInInputSchema = z
  .object({
    temperature: z.number().min(34).max(43).nullable().optional(),
    location: RegionCode.nullable().optional(),
    symptoms: z.array(z.enum(SYMPTOMS)).max(SYMPTOMS.length).nullable().optional(),
  })
  .openapi('CheckInInput');

export const MemberTokenParam = z.object({
  token: z
    .string()
    .regex(/^[A-Za-z0-9_-]{20,64}$/)
    .openapi({ param: { name: 'token', in: 'path' } }),
});

export const MemberPageSchema = z
  .object({
    member: z.object({
      number: z.string(),
      name: z.string(),
      type: z.enum(MEMBER_TYPES),
      workerKind: z.enum(WORKER_KINDS).nullable(),
      department: z.string().nullable(),
      departmentEn: z.string().nullable(),
      unit: z.string(),
      resident: z.boolean(),
      active: z.boolean(),
    }),
    credential: z
      .object({
        token: z.string().openapi({ description: 'The signed credential; the phone appends the live code' }),
        secret: z.string().openapi({ description: 'The live-code secret (base64url)' }),
        stepSeconds: z.number().int(),
        validTo: z.string(),
      })
      .nullable()
      .openapi({ description: 'Null once the member is deactivated' }),
    leaves: z.array(LeaveSchema),
    checkIn: z.object({
      day: z.string(),
      done: z.boolean(),
      at: z.string().nullable(),
      fields: z.array(z.enum(CHECK_IN_FIELDS)),
      requiredAtGate: z.boolean(),
    }),
    /** What the level in force asks at this member's exit. */
    exitNeedsLeave: z.boolean(),
    campusTimezone: z.string(),
  })
  .openapi('MemberPage');

export type MemberPage = z.infer<typeof MemberPageSchema>;

export const MemberLinkSchema = z.object({ link: z.string() }).openapi('MemberLink');

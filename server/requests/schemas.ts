import { z } from '@hono/zod-openapi';
import { ID_TYPES, idNumberProblem } from '../domain/id-number';
import { IsoDateSchema, IsoDateTime, safeText } from '../lib/schemas';
import { REQUEST_STATUSES } from '../db/schema';
import { REQUEST_KINDS } from '../domain/policy';

export { IsoDateSchema } from '../lib/schemas';
const Time = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'bad_time')
  .openapi({ example: '09:00' });
const Phone = z
  .string()
  .trim()
  .regex(/^\+?[\d\s-]{6,20}$/, 'bad_phone');
// The message is the code (server/lib/errors.ts words it in both languages): where the visitor lives is
// asked by name, and an empty pick reads "请选择来源地", not a format rule.
const regionCode = (code: 'region_required' | 'region_pick') => z.string().regex(/^\d{6}$/, code);

const VisitorFields = z.object({
  name: safeText(1, 50),
  idType: z.enum(ID_TYPES),
  idNumber: z.string().trim().min(4).max(30),
  phone: Phone,
  email: z
    .email('bad_email')
    .max(200)
    .nullable()
    .default(null)
    .openapi({ description: 'Where the pass link is sent on approval (optional)' }),
  fromRegion: regionCode('region_required'),
  visitedRegions: z.array(regionCode('region_pick')).max(50).default([]),
  closeContact: z.boolean(),
  testTakenAt: IsoDateTime.nullable().default(null),
  testResult: z.enum(['negative', 'positive']).nullable().default(null),
});

function checkIdNumber(v: { idType: (typeof ID_TYPES)[number]; idNumber: string }, ctx: z.RefinementCtx) {
  if (v.idNumber.trim().length < 4) return; // already "fill in this field": one message for an empty box
  const problem = idNumberProblem(v.idType, v.idNumber);
  if (problem)
    ctx.addIssue({ code: 'custom', path: ['idNumber'], message: `id_${problem}`, params: { code: `id_${problem}` } });
}

/**
 * A visitor the department enters itself (the paper path, for visitors without a smartphone): no
 * commitment here, the visitor signs it on paper at the gate and the guard records it. On an edit, a
 * visitor already on the request is named by `id`: their ID number is kept unless a new one is typed,
 * so removing one visitor of eleven does not mean typing ten ID numbers again.
 */
export const VisitorInputSchema = VisitorFields.extend({
  id: z.number().int().positive().optional().openapi({
    description:
      'On an edit: this visitor of the request (their link, pass and, unless idNumber is sent, ID number kept)',
  }),
  idNumber: z
    .string()
    .trim()
    .min(4)
    .max(30)
    .optional()
    .openapi({ description: 'Required for a new visitor; on an edit, only to change a kept visitor’s ID number' }),
})
  .superRefine((v, ctx) => {
    if (v.idNumber === undefined) {
      if (v.id === undefined)
        ctx.addIssue({ code: 'custom', path: ['idNumber'], message: 'required', params: { code: 'required' } });
      return;
    }
    checkIdNumber({ idType: v.idType, idNumber: v.idNumber }, ctx);
  })
  .openapi('VisitorInput');

/** A row of an imported visitor list: a visitor entered by the department, ID number and all. */
export const ImportedVisitorSchema = VisitorFields.superRefine(checkIdNumber).openapi('ImportedVisitor');

export const LOCALES = ['zh', 'en'] as const;

/** A visitor (or a group, with one link and a head count) asked to fill in their own part on their phone. */
export const InvitationInputSchema = z
  .object({
    id: z
      .number()
      .int()
      .positive()
      .optional()
      .openapi({ description: 'On an edit: keep this invitation (and its link)' }),
    name: safeText(1, 50),
    phone: Phone.nullable().default(null),
    email: z.email('bad_email').max(200).nullable().default(null),
    locale: z.enum(LOCALES).default('zh').openapi({ description: 'The language the invitation is sent in' }),
    headCount: z
      .number()
      .int()
      .min(1)
      .max(2000)
      .default(1)
      .openapi({ description: 'More than 1: a group, one link for all; each fills in their own part' }),
  })
  .superRefine((v, ctx) => {
    if (!v.phone && !v.email)
      ctx.addIssue({
        code: 'custom',
        path: ['phone'],
        message: 'contact_required',
        params: { code: 'contact_required' },
      });
  })
  .openapi('InvitationInput');
export type InvitationInput = z.infer<typeof InvitationInputSchema>;

/** When the visit is: checked against the filing rules even when other fields fail (all issues at once). */
export const VisitWindowSchema = z.object({
  visitDateFrom: IsoDateSchema,
  visitDateTo: IsoDateSchema.optional(),
  timeFrom: Time,
  timeTo: Time,
});

export const RequestInputSchema = z
  .object({
    ...VisitWindowSchema.shape,
    gateIds: z.array(z.number().int().positive()).min(1).max(20),
    purpose: safeText(2, 200),
    destination: safeText(1, 100),
    escortName: safeText(1, 50),
    escortPhone: Phone,
    escortEmail: z
      .email('bad_email')
      .max(200)
      .nullable()
      .default(null)
      .openapi({ description: 'The escort is told here when the visitor is admitted (optional)' }),
    vehiclePlate: z.string().trim().max(12).nullable().default(null),
    preventionPlan: z.string().trim().max(5000).nullable().default(null),
    kind: z
      .enum(REQUEST_KINDS)
      .default('visitor')
      .openapi({ description: 'visitor, or contractor / long-term worker (a multi-day pass with its own policy)' }),
    visitors: z
      .array(VisitorInputSchema)
      .max(2000)
      .openapi({ description: 'Visitors the department enters itself (they sign the commitment at the gate)' }),
    invitations: z
      .array(InvitationInputSchema)
      .max(200)
      .default([])
      .openapi({ description: 'Visitors who fill in their own part on their phone' }),
  })
  .superRefine((r, ctx) => {
    const people = r.visitors.length + r.invitations.reduce((n, i) => n + i.headCount, 0);
    if (people === 0)
      ctx.addIssue({ code: 'custom', path: ['visitors'], message: 'no_visitors', params: { code: 'no_visitors' } });
    else if (people > 2000)
      ctx.addIssue({
        code: 'custom',
        path: ['visitors'],
        message: 'too_many_visitors',
        params: { code: 'too_many_visitors' },
      });
  })
  .openapi('RequestInput');
export type RequestInput = z.infer<typeof RequestInputSchema>;

export const RequestStatusSchema = z.enum(REQUEST_STATUSES);

/** A visitor's declaration as shown back: to the department and the office, and to the visitor on their page. */
export const DeclarationViewSchema = z.object({
  name: z.string(),
  idType: z.string(),
  idLast4: z.string(),
  phone: z.string(),
  email: z.string().nullable(),
  fromRegion: z.string(),
  visitedRegions: z.array(z.string()),
  closeContact: z.boolean(),
  testTakenAt: z.string().nullable(),
  testResult: z.string().nullable(),
  commitment: z
    .object({
      version: z.number().int(),
      signedAt: z.string(),
      signedName: z.string(),
      method: z.literal('typed_name'),
    })
    .nullable()
    .openapi({ description: 'The commitment as the visitor signed it on their phone' }),
});

export const VisitorViewSchema = DeclarationViewSchema.extend({
  id: z.number().int(),
  outOfCity: z.boolean(),
  checks: z.array(z.string()),
  declaredBy: z.enum(['filer', 'visitor']).openapi({
    description: 'filer: the paper path (commitment signed at the gate); visitor: filled in on their phone',
  }),
  invitationId: z.number().int().nullable(),
  erasureRequestedAt: z.string().nullable(),
  override: z
    .object({ codes: z.array(z.string()), reason: z.string(), by: z.string(), at: z.string() })
    .nullable()
    .openapi({ description: 'Checks the office let this visitor in despite, by whom and why' }),
  pass: z
    .object({
      id: z.string(),
      link: z.string(),
      revoked: z.boolean(),
      entriesUsed: z.number().int(),
      entriesAllowed: z.number().int(),
    })
    .nullable(),
}).openapi('VisitorView');

export const INVITATION_STATES = ['invited', 'opened', 'completed', 'expired', 'closed', 'withdrawn'] as const;

export const InvitationViewSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    phone: z.string().nullable(),
    email: z.string().nullable(),
    locale: z.enum(LOCALES),
    headCount: z.number().int(),
    completed: z.number().int().openapi({ description: 'Visitors who filled in their part through it' }),
    state: z.enum(INVITATION_STATES).openapi({
      description:
        'invited, opened, completed; expired (the visit is over), closed (reviewed before it was completed), withdrawn (an edit took it off)',
    }),
    link: z.string().openapi({ description: 'The path of the visitor’s page (/v/…)' }),
    sends: z.number().int(),
    sentAt: z.string().nullable(),
    openedAt: z.string().nullable(),
  })
  .openapi('Invitation');

export const RequestViewSchema = z
  .object({
    id: z.number().int(),
    departmentId: z.number().int(),
    status: RequestStatusSchema,
    queue: z.enum(['normal', 'group']),
    visitDateFrom: z.string(),
    visitDateTo: z.string(),
    timeFrom: z.string(),
    timeTo: z.string(),
    gateIds: z.array(z.number().int()),
    purpose: z.string(),
    destination: z.string(),
    escortName: z.string(),
    escortPhone: z.string(),
    escortEmail: z.string().nullable(),
    vehiclePlate: z.string().nullable(),
    preventionPlan: z.string().nullable(),
    ruleVersion: z.number().int(),
    reviewReasons: z.array(z.string()),
    kind: z.enum(REQUEST_KINDS),
    emergency: z.boolean(),
    printAllowed: z.boolean().openapi({ description: 'The office allowed printed passes for this request' }),
    backfillDueAt: z.string().nullable(),
    backfilledAt: z.string().nullable(),
    decisionReasonCode: z.string().nullable(),
    decisionNote: z.string().nullable(),
    filedBy: z.string(),
    createdAt: z.string(),
    visitorCount: z.number().int(),
    expectedVisitors: z.number().int().openapi({ description: 'The people the request is for, invited ones included' }),
    declarationsPending: z.number().int().openapi({
      description: 'Invited people who have not filled in their part (0 once all have, or the invitations closed)',
    }),
    visitors: z.array(VisitorViewSchema).optional(),
    invitations: z.array(InvitationViewSchema).optional(),
    history: z
      .array(
        z.object({
          at: z.string(),
          actor: z.string(),
          actorName: z
            .string()
            .nullable()
            .openapi({ description: 'The acting user’s display name, when a user acted' }),
          action: z.string(),
          fromStatus: z.string().nullable(),
          toStatus: z.string().nullable(),
          note: z.string().nullable(),
        }),
      )
      .optional(),
  })
  .openapi('VisitRequest');

/** What a rule, risk-area or block-list change does to visits already filed (requests/recheck.ts). */
export const RecheckImpactSchema = z
  .array(
    z.object({
      requestId: z.number().int(),
      departmentId: z.number().int(),
      visitDateFrom: z.string(),
      reasons: z.array(z.string()),
      visitors: z.array(z.object({ visitorId: z.number().int(), reasons: z.array(z.string()) })).openapi({
        description: 'The visitors who lose their passes, each with their reasons; the others keep theirs',
      }),
    }),
  )
  .openapi('RecheckImpact');

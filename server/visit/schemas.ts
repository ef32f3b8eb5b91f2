import { z } from '@hono/zod-openapi';
import { ID_TYPES, idNumberProblem } from '../domain/id-number';
import { TEST_SCOPES } from '../domain/policy';
import { IsoDateTime, safeText } from '../lib/schemas';
import { DeclarationViewSchema, LOCALES } from '../requests/schemas';

export const VisitTokenParam = z.object({
  token: z
    .string()
    .regex(/^[A-Za-z0-9_-]{20,64}$/)
    .openapi({ param: { name: 'token', in: 'path' }, example: 'q3Vx0mJ2b8cY1nZ4wP7aLk9dE5tR6sUh' }),
});

const Phone = z
  .string()
  .trim()
  .regex(/^\+?[\d\s-]{6,20}$/, 'bad_phone');
const regionCode = (code: 'region_required' | 'region_pick') => z.string().regex(/^\d{6}$/, code);

/**
 * What a visitor fills in on their own phone. Only what the policy in force asks is kept (the
 * server drops the rest); the ID number may be left out of a correction to keep the one given.
 */
export const DeclarationInputSchema = z
  .object({
    name: safeText(1, 50),
    idType: z.enum(ID_TYPES),
    idNumber: z
      .string()
      .trim()
      .min(4)
      .max(30)
      .nullable()
      .default(null)
      .openapi({ description: 'Required the first time; null in a correction keeps the one given' }),
    phone: Phone,
    email: z.email('bad_email').max(200).nullable().default(null),
    fromRegion: regionCode('region_required'),
    visitedRegions: z.array(regionCode('region_pick')).max(50).default([]),
    closeContact: z.boolean().default(false),
    testTakenAt: IsoDateTime.nullable().default(null),
    testResult: z.enum(['negative', 'positive']).nullable().default(null),
    consent: z
      .object({
        idNumber: z.boolean().openapi({ description: 'Separate consent to the ID number being processed' }),
        health: z.boolean().openapi({ description: 'Separate consent to the health declaration being processed' }),
      })
      .openapi({ description: 'PIPL arts. 28–29: sensitive personal information needs its own consent' }),
    commitment: z
      .object({
        version: z.number().int().positive(),
        signedName: safeText(1, 50).openapi({ description: 'The full name, typed as a signature' }),
        accepted: z.boolean(),
      })
      .nullable()
      .default(null),
    locale: z.enum(LOCALES).default('zh').openapi({ description: 'The language of the visitor’s phone' }),
  })
  .superRefine((v, ctx) => {
    if (v.idNumber === null) return;
    const problem = idNumberProblem(v.idType, v.idNumber);
    if (problem)
      ctx.addIssue({ code: 'custom', path: ['idNumber'], message: `id_${problem}`, params: { code: `id_${problem}` } });
  })
  .openapi('DeclarationInput');
export type DeclarationInput = z.infer<typeof DeclarationInputSchema>;

const GateSchema = z.object({ name: z.string(), nameEn: z.string(), address: z.string(), addressEn: z.string() });

export const VISIT_STAGES = ['declare', 'declared', 'pass', 'closed'] as const;
export const CLOSED_REASONS = [
  'cancelled',
  'rejected',
  'expired',
  'withdrawn',
  'not_completed',
  'group_full',
  'erased',
] as const;

export const VisitPageSchema = z
  .object({
    stage: z.enum(VISIT_STAGES).openapi({
      description:
        'declare: fill in; declared: filled in, waiting for review (correctable while `declaration.editable`); pass: approved; closed: see `closedReason`',
    }),
    closedReason: z.enum(CLOSED_REASONS).nullable(),
    locale: z.enum(LOCALES).openapi({ description: 'The language the department chose, or the visitor’s phone gave' }),
    /** A group link: how many have filled in, never who. */
    group: z.object({ headCount: z.number().int(), completed: z.number().int() }).nullable(),
    invitedName: z
      .string()
      .nullable()
      .openapi({ description: 'The name the department invited (a single invitation)' }),
    visit: z.object({
      dateFrom: z.string(),
      dateTo: z.string(),
      timeFrom: z.string(),
      timeTo: z.string(),
      purpose: z.string(),
      destination: z.string(),
      department: z.string(),
      departmentEn: z.string(),
      escortName: z.string(),
      escortPhone: z.string().openapi({ description: 'In full: the visitor must be able to call their host' }),
      gates: z.array(GateSchema),
      campus: z.string(),
      campusEn: z.string(),
      timezone: z
        .string()
        .openapi({ description: 'The campus time zone: times on the page are shown in it, labelled' }),
    }),
    policy: z.object({
      riskAreaDeclaration: z.boolean(),
      closeContactDeclaration: z.boolean(),
      lookbackDays: z.number().int(),
      testScope: z.enum(TEST_SCOPES),
      testHours: z.number().int(),
      commitment: z.boolean(),
      campusRegionCode: z.string(),
    }),
    privacy: z.object({
      retentionDays: z
        .number()
        .int()
        .openapi({ description: 'Personal data is erased this many days after the visit' }),
      ruleVersion: z.number().int(),
    }),
    commitment: z.object({ version: z.number().int(), zh: z.string(), en: z.string() }).nullable(),
    declaration: DeclarationViewSchema.extend({
      declaredAt: z.string(),
      checks: z
        .array(z.string())
        .openapi({ description: 'What the office will look at (risk areas, the test); never the block list' }),
      editable: z.boolean(),
    }).nullable(),
    pass: z
      .object({
        status: z.enum(['valid', 'revoked', 'expired', 'cancelled']),
        token: z.string().nullable(),
        codeSecret: z.string().nullable(),
        exitOnly: z.boolean().openapi({
          description:
            'The window has closed or the pass was revoked with the visitor still inside: the code is shown for the way out only',
        }),
        stepSeconds: z.number().int(),
        printable: z.boolean(),
        validFrom: z.string(),
        validTo: z.string(),
        bringTestProof: z.boolean().openapi({ description: 'Show the negative test at the gate' }),
        signOnPaper: z.boolean().openapi({ description: 'Sign the health commitment on paper at the gate' }),
      })
      .nullable(),
    /** Where this visitor's own page is (a group link answers with each visitor's own, once filled in). */
    link: z.string().nullable(),
    erasure: z.object({
      requestedAt: z.string().nullable(),
      allowed: z.boolean().openapi({ description: 'After the visit, while the data is still held' }),
      eraseBy: z.string().openapi({ description: 'The campus date by which the data is erased in any case' }),
    }),
  })
  .openapi('VisitPage');
export type VisitPage = z.infer<typeof VisitPageSchema>;

export const RegionHitSchema = z.object({ code: z.string(), name: z.string(), fullName: z.string() });
/** A region search from a phone page (the visitor's or the member's): a few characters, a few hits. */
export const RegionQuerySchema = z.object({
  q: z.string().trim().min(1).max(30),
  limit: z.coerce.number().int().min(1).max(20).default(8),
});

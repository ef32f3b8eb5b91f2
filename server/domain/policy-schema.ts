import { z } from 'zod';
import { ENTRANT_TYPES, TEST_SCOPES, type EntrantType } from './policy';

/** The shape of an entry policy and of a level, validated wherever rules are stored or edited (policy.ts). */
export const EntrantPolicySchema = z.object({
  /** `required`: the guard compares the ID document before an admit; `optional`: a glance, a mismatch refuses. */
  idMatch: z.enum(['optional', 'required']),
  healthCode: z.boolean(),
  temperature: z.object({
    required: z.boolean(),
    /** Fever at or above (rule 12), after rounding to 0.1 °C. */
    thresholdC: z.number().min(36).max(40),
    /** A first fever reading starts a rest and a re-test; without it the first reading decides. */
    retest: z.boolean(),
  }),
  nucleicTest: z.object({
    scope: z.enum(TEST_SCOPES),
    /** The negative test was taken at most this many hours before the visit. */
    hours: z
      .number()
      .int()
      .min(1)
      .max(24 * 14),
  }),
  /** Where the entrant lived or went within the look-back days, against the risk-area list (rule 4). */
  riskAreaDeclaration: z.boolean(),
  closeContactDeclaration: z.boolean(),
  lookbackDays: z.number().int().min(0).max(60),
  /** The personal health commitment (seed 000), signed for the version in force. */
  commitment: z.boolean(),
  /** A host-department staff member meets the entrant at the gate (rule 7). */
  escort: z.boolean(),
  entriesPerDay: z.number().int().min(1).max(20),
  /**
   * Members living on campus leave only with approved leave covering the moment (seed 002: 请销假).
   * Versions saved before members existed asked nothing of the kind.
   */
  exitNeedsLeave: z.boolean().default(false),
  /** The member's health check-in for the campus day is done before entry (seed 002: 每日健康打卡). */
  dailyCheckIn: z.boolean().default(false),
});
export type EntrantPolicy = z.infer<typeof EntrantPolicySchema>;

export const LevelSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]{1,31}$/),
  nameZh: z.string().trim().min(1).max(20),
  nameEn: z.string().trim().min(1).max(40),
  policies: z.object(
    Object.fromEntries(ENTRANT_TYPES.map((t) => [t, EntrantPolicySchema])) as {
      [K in EntrantType]: typeof EntrantPolicySchema;
    },
  ),
});
export type Level = z.infer<typeof LevelSchema>;

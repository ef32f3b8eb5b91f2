import { z } from 'zod';
import { isTimeZone } from './dates';
import { CHECK_IN_FIELDS } from './member';
import { DEFAULT_LEVEL, DEFAULT_LEVELS, levelsFromLegacy } from './policy';
import { LevelSchema } from './policy-schema';

/**
 * Every rule the filing and the gate apply, as data the office edits (DOMAIN.md "What this means
 * for the software"). Each saved change is a new version; decisions store the version they used.
 * Defaults come from the source notices (seed 000, 002) and common screening practice.
 */
export const RulesSchema = z
  .object({
    /** Campus days, for lead times and reports. */
    timezone: z
      .string()
      .min(1)
      .refine(isTimeZone, {
        message: 'must be an IANA time zone such as Asia/Shanghai',
        params: { code: 'unknown_timezone' },
      })
      .default('Asia/Shanghai'),
    /** GB/T 2260 code of the campus city: visitors from outside it need a recent test (rule 5). */
    campusRegionCode: z
      .string()
      .regex(/^\d{6}$/)
      .default('410100'),
    /** The visit date is at least this many campus days after filing (rule 2: 至少提前一日). */
    leadDays: z.number().int().min(0).max(30).default(1),
    /** If set, filing for the earliest allowed day closes at this campus hour the day before. */
    filingCutoffHour: z.number().int().min(0).max(23).nullable().default(null),
    maxRangeDays: z.number().int().min(1).max(366).default(30),
    /** Larger groups need a prevention plan and a separate review (rule 11). */
    groupCap: z.number().int().min(1).max(10_000).default(50),
    /** Readings below this are implausible (cold forehead): retake, never a pass. */
    plausibleMinC: z.number().min(30).max(36.5).default(35.0),
    plausibleMaxC: z.number().min(38).max(45).default(42.5),
    restMinutes: z.number().int().min(0).max(60).default(5),
    escortWaitMinutes: z.number().int().min(1).max(240).default(15),
    /** The security office's duty phone: the gate's emergency view and messages show it. */
    officePhone: z
      .string()
      .trim()
      .regex(/^[\d\s+()-]{0,30}$/, 'bad_phone')
      .default(''),
    backfillHours: z.number().int().min(1).max(168).default(8),
    snapshotMaxAgeHours: z.number().int().min(1).max(168).default(24),
    /** Whether a printed pass (no live code) is accepted. */
    printedPassAllowed: z.boolean().default(true),
    /** A pass opens this many minutes before the visit's time window (visitors arrive early). */
    earlyArrivalMinutes: z.number().int().min(0).max(240).default(30),
    /** The live code on the visitor's phone changes this often. */
    codeStepSeconds: z.number().int().min(10).max(300).default(30),
    /** Visitors' personal data is deleted this many days after the visit ends (report figures stay). */
    retentionDays: z.number().int().min(1).max(3650).default(28),
    /** A tablet not heard from for this long is shown offline on the live wall, with an alert. */
    tabletOfflineMinutes: z.number().int().min(1).max(120).default(3),
    /**
     * How far a tablet's clock may be off: the server accepts a synced event this far outside its
     * pass's window, and flags an event stamped further ahead of its receipt as clock-suspect.
     */
    clockToleranceMinutes: z.number().int().min(0).max(120).default(10),
    /** The furthest ahead a visit may be filed, in campus days. */
    maxDaysAhead: z.number().int().min(1).max(366).default(30),
    /** The campus alert levels, each a full entry policy per kind of entrant (domain/policy.ts). */
    levels: z.array(LevelSchema).min(1).max(8).default(DEFAULT_LEVELS),
    /** What the members' daily health check-in asks (seed 002: 每日健康打卡). */
    checkInFields: z
      .array(z.enum(CHECK_IN_FIELDS))
      .max(CHECK_IN_FIELDS.length)
      .default(['temperature', 'location', 'symptoms']),
    /** The level in force: the office switches it in one step. */
    level: z.string().default(DEFAULT_LEVEL),
  })
  .superRefine((r, ctx) => {
    const ids = r.levels.map((l) => l.id);
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i)
        ctx.addIssue({
          code: 'custom',
          path: ['levels', i, 'id'],
          message: `level ${id} appears twice`,
          params: { code: 'duplicate_level' },
        });
    });
    if (!ids.includes(r.level))
      ctx.addIssue({
        code: 'custom',
        path: ['level'],
        message: `no level ${r.level}`,
        params: { code: 'unknown_level' },
      });
  });

export type Rules = z.infer<typeof RulesSchema>;
export const DEFAULT_RULES: Rules = RulesSchema.parse({});

/** A stored rule version, whenever it was saved: versions from before levels get theirs from their own fields. */
export function parseStoredRules(stored: unknown): Rules {
  const o = stored && typeof stored === 'object' ? (stored as Record<string, unknown>) : {};
  return RulesSchema.parse('levels' in o ? o : { ...o, ...levelsFromLegacy(o) });
}

export const RISK_LEVELS = ['low', 'medium', 'high'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export interface RiskArea {
  regionCode: string;
  level: RiskLevel;
  effectiveFrom: string;
  effectiveTo: string | null;
}

export { regionPrefix, regionWithin } from './region-code';

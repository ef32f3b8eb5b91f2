import { z } from '@hono/zod-openapi';
import { isIsoDate, MAX_DATE, MIN_DATE } from '../domain/dates';
import { textProblem } from '../domain/names';

export const IdParamSchema = z.object({
  id: z.coerce.number().int().positive().openapi({ param: { name: 'id', in: 'path' }, example: 1 }),
});

/** A campus date, within the years the system deals in (a year 0999 or 9999 is a typo, not a visit). */
export const IsoDateSchema = z
  .string()
  .refine(isIsoDate, 'must be a date YYYY-MM-DD')
  .refine((d) => !isIsoDate(d) || (d >= MIN_DATE && d <= MAX_DATE), { message: `must be between ${MIN_DATE} and ${MAX_DATE}`, params: { code: 'date_out_of_range' } })
  .openapi({ example: '2026-11-23', format: 'date' });

/** An instant with its offset, within the same years. */
export const IsoDateTime = z.iso
  .datetime({ offset: true })
  .refine((s) => s.slice(0, 10) >= MIN_DATE && s.slice(0, 10) <= MAX_DATE, { message: `must be between ${MIN_DATE} and ${MAX_DATE}`, params: { code: 'date_out_of_range' } });

/** Keyset pagination: `cursor` is the last id seen; pages are stable while rows are appended. */
export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.coerce.number().int().positive().optional(),
});

export const pageOf = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.number().int().nullable() });

/**
 * A name or short text as people type it: NFC-normalised and trimmed, with no control characters or
 * bidi overrides and something visible in it (domain/names.ts textProblem). `multiline` allows line
 * breaks and tabs, for notes.
 */
export function safeText(min: number, max: number, { multiline = false } = {}) {
  return z
    .string()
    .normalize('NFC')
    .trim()
    .min(min)
    .max(max)
    .superRefine((s, ctx) => {
      const problem = textProblem(multiline ? s.replace(/[\n\r\t]/g, ' ') : s);
      if (problem) ctx.addIssue({ code: 'custom', message: problem === 'control_characters' ? 'must not contain control characters or text-direction overrides' : 'must contain visible characters', params: { code: problem } });
    });
}

type Undefaulted<T extends z.ZodRawShape> = { [K in keyof T]: T[K] extends z.ZodDefault<infer Inner> ? Inner : T[K] };

/**
 * The PATCH form of a create schema: every field optional and none defaulted. (`.partial()` keeps
 * zod's defaults, so a PATCH that left a field out set it back to its default: renaming a gate
 * re-activated it.) A PATCH changes only what it names.
 */
export function patchOf<T extends z.ZodRawShape>(schema: z.ZodObject<T>) {
  const shape = Object.fromEntries(Object.entries(schema.shape).map(([k, s]) => [k, s instanceof z.ZodDefault ? s.unwrap() : s])) as Undefaulted<T>;
  return z.object(shape).partial();
}

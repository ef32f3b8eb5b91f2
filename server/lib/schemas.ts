import { z } from '@hono/zod-openapi';
import { isIsoDate, MAX_DATE, MIN_DATE } from '../domain/dates';
import { textProblem } from '../domain/names';
import { fieldError } from './errors';

export const IdParamSchema = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .openapi({ param: { name: 'id', in: 'path' }, example: 1 }),
});

/** A pass is named by its 16-hex-digit id, the one its signed token carries. */
export const PassIdParamSchema = z.object({
  id: z
    .string()
    .regex(/^[0-9a-f]{16}$/)
    .openapi({ param: { name: 'id', in: 'path' }, example: '3f2a9c0b1d4e5f60' }),
});

/** A campus date, within the years the system deals in (a year 0999 or 9999 is a typo, not a visit). */
export const IsoDateSchema = z
  .string()
  .refine(isIsoDate, { message: 'must be a date YYYY-MM-DD', params: { code: 'bad_date' } })
  .refine((d) => !isIsoDate(d) || (d >= MIN_DATE && d <= MAX_DATE), {
    message: `must be between ${MIN_DATE} and ${MAX_DATE}`,
    params: { code: 'date_out_of_range' },
  })
  .openapi({ example: '2026-11-23', format: 'date' });

/** An instant with its offset, within the same years. */
export const IsoDateTime = z.iso
  .datetime({ offset: true })
  .refine((s) => s.slice(0, 10) >= MIN_DATE && s.slice(0, 10) <= MAX_DATE, {
    message: `must be between ${MIN_DATE} and ${MAX_DATE}`,
    params: { code: 'date_out_of_range' },
  });

/**
 * The one pagination convention of every list that grows (requests, the review queue, reports, the
 * audit log, rule history, the block list): `limit` and an opaque `cursor` in, `{ items, nextCursor }`
 * out; `nextCursor` is null on the last page. Lists bounded by the campus's own set-up (gates,
 * departments, users, tokens, tablets, keys) are answered whole.
 */
export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50).openapi({ description: 'Items per page (1–500)' }),
  cursor: z.string().min(1).max(200).optional().openapi({ description: 'The `nextCursor` of the previous page' }),
});

export const pageOf = <T extends z.ZodTypeAny>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().openapi({ description: 'Send as `cursor` for the next page; null on the last' }),
  });

/** A cursor is the sort key of the last item sent, opaque to clients (base64url JSON). */
export const encodeCursor = (key: readonly (string | number)[]) =>
  Buffer.from(JSON.stringify(key)).toString('base64url');

/** The sort key in a client's cursor, or a field error naming `cursor` (never a 500 for a made-up one). */
export function decodeCursor<T>(cursor: string | undefined, key: z.ZodType<T>): T | undefined {
  if (cursor === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    raw = undefined;
  }
  const parsed = key.safeParse(raw);
  if (!parsed.success) throw fieldError(['cursor'], 'invalid_cursor', 'The cursor is not one this list gave out');
  return parsed.data;
}

/** Rows fetched with `limit + 1` → one page, with the cursor of its last item when more follow. */
export function pageFrom<R>(rows: R[], limit: number, keyOf: (row: R) => readonly (string | number)[]) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}

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
      if (problem)
        ctx.addIssue({
          code: 'custom',
          message:
            problem === 'control_characters'
              ? 'must not contain control characters or text-direction overrides'
              : 'must contain visible characters',
          params: { code: problem },
        });
    });
}

type Undefaulted<T extends z.ZodRawShape> = { [K in keyof T]: T[K] extends z.ZodDefault<infer Inner> ? Inner : T[K] };

/**
 * The PATCH form of a create schema: every field optional and none defaulted. (`.partial()` keeps
 * zod's defaults, so a PATCH that left a field out set it back to its default: renaming a gate
 * re-activated it.) A PATCH changes only what it names.
 */
export function patchOf<T extends z.ZodRawShape>(schema: z.ZodObject<T>) {
  const shape = Object.fromEntries(
    Object.entries(schema.shape).map(([k, s]) => [k, s instanceof z.ZodDefault ? s.unwrap() : s]),
  ) as Undefaulted<T>;
  return z.object(shape).partial();
}

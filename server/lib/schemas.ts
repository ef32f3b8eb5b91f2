import { z } from '@hono/zod-openapi';

export const IdParamSchema = z.object({
  id: z.coerce.number().int().positive().openapi({ param: { name: 'id', in: 'path' }, example: 1 }),
});

export const IsoDateTime = z.iso.datetime({ offset: true });

/** Keyset pagination: `cursor` is the last id seen; pages are stable while rows are appended. */
export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.coerce.number().int().positive().optional(),
});

export const pageOf = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.number().int().nullable() });

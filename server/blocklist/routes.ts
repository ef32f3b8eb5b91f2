import { createRoute, z } from '@hono/zod-openapi';
import type { blockList } from '../db/schema';
import { ID_TYPES, idLast4, idNumberProblem } from '../domain/id-number';
import { normalizeName, normalizePhone, maskPhone } from '../domain/names';
import { recordAudit } from '../lib/audit';
import { ErrorBodySchema, notFound } from '../lib/errors';
import { createRouter, jsonBody, jsonContent, inputGuardResponses } from '../lib/router';
import { decodeCursor, IdParamSchema, IsoDateTime, PageQuerySchema, pageFrom, pageOf, safeText } from '../lib/schemas';
import { idHash } from '../lib/secrets';
import { principalOf, requireRole } from '../middleware/auth';
import { currentRules } from '../rules/store';
import { changeRules } from '../rules/change';
import { RecheckImpactSchema } from '../requests/schemas';
import { activeBlockPage, insertBlockEntry, liftBlockEntry } from './store';

const EntrySchema = z
  .object({
    id: z.number().int(),
    idLast4: z.string().nullable(),
    name: z.string().nullable(),
    phone: z.string().nullable(),
    reason: z.string(),
    expiresAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('BlockEntry');
const EntryInput = z
  .object({
    idType: z.enum(ID_TYPES).optional(),
    idNumber: z.string().trim().min(4).max(30).optional(),
    name: safeText(1, 50).optional(),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[\d\s-]{6,20}$/)
      .optional(),
    reason: z.string().trim().min(2).max(500),
    expiresAt: IsoDateTime.nullable().default(null),
  })
  .superRefine((e, ctx) => {
    const byId = e.idType && e.idNumber;
    const byNamePhone = e.name && e.phone;
    if (!byId && !byNamePhone)
      ctx.addIssue({
        code: 'custom',
        path: ['idNumber'],
        message: 'give an ID (type and number) or a name with a phone',
        params: { code: 'identity_required' },
      });
    if (byId && idNumberProblem(e.idType!, e.idNumber!))
      ctx.addIssue({
        code: 'custom',
        path: ['idNumber'],
        message: 'id_format',
        params: { code: `id_${idNumberProblem(e.idType!, e.idNumber!)}` },
      });
  });
const view = (e: typeof blockList.$inferSelect) => ({
  id: e.id,
  idLast4: e.idLast4,
  name: e.name,
  phone: e.phoneNorm ? maskPhone(e.phoneNorm) : null,
  reason: e.reason,
  expiresAt: e.expiresAt?.toISOString() ?? null,
  createdAt: e.createdAt.toISOString(),
});

export const blockListRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['rules'],
      summary: 'Active block-list entries (ID numbers only as last four)',
      middleware: [requireRole('office')] as const,
      request: { query: PageQuerySchema },
      responses: { 200: jsonContent(pageOf(EntrySchema), 'A page of entries, newest first'), ...inputGuardResponses },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const { limit, cursor } = c.req.valid('query');
      const after = decodeCursor(cursor, z.tuple([z.number().int()]));
      const rows = activeBlockPage(db, clock.now(), limit + 1, after?.[0]);
      const page = pageFrom(rows, limit, (r) => [r.id]);
      return c.json({ ...page, items: page.items.map(view) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['rules'],
      summary: 'Block a person by ID or by name and phone; approved visits of theirs move to needs review',
      middleware: [requireRole('office')] as const,
      request: jsonBody(EntryInput),
      responses: {
        201: jsonContent(EntrySchema.extend({ impact: RecheckImpactSchema }), 'Added'),
        ...inputGuardResponses,
      },
    }),
    (c) => {
      const { db, events, clock, idHashKey } = c.get('deps');
      const p = principalOf(c);
      const e = c.req.valid('json');
      const now = clock.now();
      const actor = `${p.kind}:${p.label}`;
      const out = events.transact(db, (tx, happened) => {
        const row = insertBlockEntry(tx, {
          idHash: e.idType && e.idNumber ? idHash(idHashKey, e.idType, e.idNumber) : null,
          idLast4: e.idNumber ? idLast4(e.idNumber) : null,
          name: e.name ?? null,
          nameNorm: e.name ? normalizeName(e.name) : null,
          phoneNorm: e.phone ? normalizePhone(e.phone) : null,
          reason: e.reason,
          expiresAt: e.expiresAt ? new Date(e.expiresAt) : null,
          createdByUserId: p.userId,
        });
        const { impact } = changeRules(tx, happened, {
          now,
          actor,
          reason: `block list +${row.id}`,
          rules: currentRules(tx).rules,
          trigger: () => 'block list',
        });
        recordAudit(tx, now, p, c.get('requestId'), {
          action: 'blocklist.add',
          entity: 'block_entry',
          entityId: row.id,
          after: view(row),
          reason: e.reason,
        });
        return { ...view(row), impact };
      });
      return c.json(out, 201);
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/{id}',
      tags: ['rules'],
      summary: 'Lift a block',
      middleware: [requireRole('office')] as const,
      request: { params: IdParamSchema },
      responses: {
        200: jsonContent(EntrySchema, 'Lifted'),
        ...inputGuardResponses,
        404: jsonContent(ErrorBodySchema, 'No such entry'),
      },
    }),
    (c) => {
      const { db, events, clock } = c.get('deps');
      const p = principalOf(c);
      const { id } = c.req.valid('param');
      const now = clock.now();
      const row = events.transact(db, (tx, happened) => {
        const e = liftBlockEntry(tx, id, now);
        if (!e) throw notFound(`Block entry ${id}`);
        changeRules(tx, happened, {
          now,
          actor: `${p.kind}:${p.label}`,
          reason: `block list -${id}`,
          rules: currentRules(tx).rules,
          trigger: () => 'block list',
        });
        recordAudit(tx, now, p, c.get('requestId'), {
          action: 'blocklist.remove',
          entity: 'block_entry',
          entityId: id,
          before: view(e),
        });
        return e;
      });
      return c.json(view(row), 200);
    },
  );

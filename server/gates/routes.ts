import { createRoute, z } from '@hono/zod-openapi';
import type { gates } from '../db/schema';
import { ROLES } from '../domain/roles';
import { recordAudit } from '../lib/audit';
import { ErrorBodySchema, notFound } from '../lib/errors';
import { createRouter, jsonBody, jsonContent, errorContent, inputGuardResponses } from '../lib/router';
import { IdParamSchema, patchOf, safeText } from '../lib/schemas';
import { principalOf, requireRole } from '../middleware/auth';
import { gateById, insertGate, listGates, updateGate } from './store';

export const GateSchema = z
  .object({
    id: z.number().int(),
    campusId: z.number().int(),
    code: z.string(),
    name: z.string(),
    nameEn: z.string(),
    address: z.string().openapi({ description: 'Where the gate is, shown on the visitor’s pass page' }),
    addressEn: z.string(),
    active: z.boolean(),
  })
  .openapi('Gate');
const GateInput = z.object({
  campusId: z.number().int().positive(),
  code: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,32}$/, 'letters, digits, - and _ only'),
  name: safeText(1, 50),
  nameEn: safeText(0, 50).default(''),
  address: safeText(0, 200).default(''),
  addressEn: safeText(0, 200).default(''),
  active: z.boolean().default(true),
});
const GatePatch = patchOf(GateInput);

const view = (r: typeof gates.$inferSelect) => ({
  id: r.id,
  campusId: r.campusId,
  code: r.code,
  name: r.name,
  nameEn: r.nameEn,
  address: r.address,
  addressEn: r.addressEn,
  active: r.active,
});

export const gateRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['campus'],
      summary: 'List gates',
      middleware: [requireRole(...ROLES)] as const,
      responses: { 200: jsonContent(z.array(GateSchema), 'Gates'), ...inputGuardResponses },
    }),
    (c) => c.json(listGates(c.get('deps').db).map(view), 200),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['campus'],
      summary: 'Create a gate',
      middleware: [requireRole('admin')] as const,
      request: jsonBody(GateInput),
      responses: {
        201: jsonContent(GateSchema, 'Created'),
        ...inputGuardResponses,
        409: errorContent('Code taken', 'already_exists'),
      },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const input = c.req.valid('json');
      const row = db.transaction((tx) => {
        const r = insertGate(tx, input);
        recordAudit(tx, clock.now(), principalOf(c), c.get('requestId'), {
          action: 'gate.create',
          entity: 'gate',
          entityId: r.id,
          after: view(r),
        });
        return r;
      });
      return c.json(view(row), 201);
    },
  )
  .openapi(
    createRoute({
      method: 'patch',
      path: '/{id}',
      tags: ['campus'],
      summary: 'Change or deactivate a gate',
      middleware: [requireRole('admin')] as const,
      request: { params: IdParamSchema, ...jsonBody(GatePatch) },
      responses: {
        200: jsonContent(GateSchema, 'Changed'),
        ...inputGuardResponses,
        404: jsonContent(ErrorBodySchema, 'No such gate'),
        409: errorContent('Code taken', 'already_exists'),
      },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const { id } = c.req.valid('param');
      const patch = c.req.valid('json');
      const row = db.transaction((tx) => {
        const before = gateById(tx, id);
        if (!before) throw notFound(`Gate ${id}`);
        const after = updateGate(tx, id, patch);
        recordAudit(tx, clock.now(), principalOf(c), c.get('requestId'), {
          action: 'gate.update',
          entity: 'gate',
          entityId: id,
          before: view(before),
          after: view(after),
        });
        return after;
      });
      return c.json(view(row), 200);
    },
  );

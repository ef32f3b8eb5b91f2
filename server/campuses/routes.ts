import { createRoute, z } from '@hono/zod-openapi';
import type { campuses } from '../db/schema';
import { ROLES } from '../domain/roles';
import { recordAudit } from '../lib/audit';
import { ErrorBodySchema, notFound } from '../lib/errors';
import { createRouter, jsonBody, jsonContent, errorContent, inputGuardResponses } from '../lib/router';
import { IdParamSchema, patchOf, safeText } from '../lib/schemas';
import { principalOf, requireRole } from '../middleware/auth';
import { EnvSchema } from '../env';
import { campusById, insertCampus, listCampuses, updateCampus } from './store';

const Timezone = EnvSchema.shape.CAMPUS_TIMEZONE.unwrap();
export const CampusSchema = z
  .object({ id: z.number().int(), name: z.string(), nameEn: z.string(), timezone: z.string() })
  .openapi('Campus');
const CampusInput = z.object({ name: safeText(1, 100), nameEn: safeText(0, 100).default(''), timezone: Timezone });
const CampusPatch = patchOf(CampusInput);

const view = (r: typeof campuses.$inferSelect) => ({ id: r.id, name: r.name, nameEn: r.nameEn, timezone: r.timezone });

export const campusRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['campus'],
      summary: 'List campuses',
      middleware: [requireRole(...ROLES)] as const,
      responses: { 200: jsonContent(z.array(CampusSchema), 'Campuses'), ...inputGuardResponses },
    }),
    (c) => c.json(listCampuses(c.get('deps').db).map(view), 200),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['campus'],
      summary: 'Create a campus',
      middleware: [requireRole('admin')] as const,
      request: jsonBody(CampusInput),
      responses: {
        201: jsonContent(CampusSchema, 'Created'),
        ...inputGuardResponses,
        409: errorContent('Exists', 'already_exists'),
      },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const input = c.req.valid('json');
      const row = db.transaction((tx) => {
        const r = insertCampus(tx, input);
        recordAudit(tx, clock.now(), principalOf(c), c.get('requestId'), {
          action: 'campus.create',
          entity: 'campus',
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
      summary: 'Change a campus',
      middleware: [requireRole('admin')] as const,
      request: { params: IdParamSchema, ...jsonBody(CampusPatch) },
      responses: {
        200: jsonContent(CampusSchema, 'Changed'),
        ...inputGuardResponses,
        404: jsonContent(ErrorBodySchema, 'No such campus'),
      },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const { id } = c.req.valid('param');
      const patch = c.req.valid('json');
      const row = db.transaction((tx) => {
        const before = campusById(tx, id);
        if (!before) throw notFound(`Campus ${id}`);
        const after = updateCampus(tx, id, patch);
        recordAudit(tx, clock.now(), principalOf(c), c.get('requestId'), {
          action: 'campus.update',
          entity: 'campus',
          entityId: id,
          before: view(before),
          after: view(after),
        });
        return after;
      });
      return c.json(view(row), 200);
    },
  );

import { createRoute, z } from '@hono/zod-openapi';
import type { departments } from '../db/schema';
import { ROLES } from '../domain/roles';
import { recordAudit } from '../lib/audit';
import { ErrorBodySchema, notFound } from '../lib/errors';
import { createRouter, jsonBody, jsonContent, errorContent, inputGuardResponses } from '../lib/router';
import { IdParamSchema, patchOf, safeText } from '../lib/schemas';
import { principalOf, requireRole } from '../middleware/auth';
import { departmentById, insertDepartment, listDepartments, updateDepartment } from './store';

export const DepartmentSchema = z
  .object({
    id: z.number().int(),
    code: z.string(),
    name: z.string(),
    nameEn: z.string(),
    active: z.boolean(),
    requiresDeptApproval: z.boolean(),
  })
  .openapi('Department');
const DepartmentInput = z.object({
  code: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,32}$/, 'letters, digits, - and _ only'),
  name: safeText(1, 100),
  nameEn: safeText(0, 100).default(''),
  active: z.boolean().default(true),
  requiresDeptApproval: z.boolean().default(false),
});

const codeTaken = { 409: errorContent('Code taken', 'already_exists') };
const view = (r: typeof departments.$inferSelect) => ({
  id: r.id,
  code: r.code,
  name: r.name,
  nameEn: r.nameEn,
  active: r.active,
  requiresDeptApproval: r.requiresDeptApproval,
});

export const departmentRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['campus'],
      summary: 'List departments',
      middleware: [requireRole(...ROLES)] as const,
      responses: { 200: jsonContent(z.array(DepartmentSchema), 'Departments'), ...inputGuardResponses },
    }),
    (c) => c.json(listDepartments(c.get('deps').db).map(view), 200),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['campus'],
      summary: 'Create a department',
      middleware: [requireRole('admin')] as const,
      request: jsonBody(DepartmentInput),
      responses: { 201: jsonContent(DepartmentSchema, 'Created'), ...inputGuardResponses, ...codeTaken },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const input = c.req.valid('json');
      const row = db.transaction((tx) => {
        const r = insertDepartment(tx, input);
        recordAudit(tx, clock.now(), principalOf(c), c.get('requestId'), {
          action: 'department.create',
          entity: 'department',
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
      summary: 'Change or deactivate a department',
      middleware: [requireRole('admin')] as const,
      request: { params: IdParamSchema, ...jsonBody(patchOf(DepartmentInput)) },
      responses: {
        200: jsonContent(DepartmentSchema, 'Changed'),
        ...inputGuardResponses,
        404: jsonContent(ErrorBodySchema, 'No such department'),
        ...codeTaken,
      },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const { id } = c.req.valid('param');
      const patch = c.req.valid('json');
      const row = db.transaction((tx) => {
        const before = departmentById(tx, id);
        if (!before) throw notFound(`Department ${id}`);
        const after = updateDepartment(tx, id, patch);
        recordAudit(tx, clock.now(), principalOf(c), c.get('requestId'), {
          action: 'department.update',
          entity: 'department',
          entityId: id,
          before: view(before),
          after: view(after),
        });
        return after;
      });
      return c.json(view(row), 200);
    },
  );

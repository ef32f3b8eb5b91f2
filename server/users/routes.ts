import { createRoute, z } from '@hono/zod-openapi';
import { Email, RoleSchema } from '../auth/schemas';
import { recordAudit } from '../lib/audit';
import { assertPasswordFor, hashPasswordAsync } from '../lib/crypto';
import { uniqueOr409 } from '../lib/db-errors';
import { ApiError, ErrorBodySchema, notFound } from '../lib/errors';
import { createRouter, jsonBody, jsonContent, errorContent, inputGuardResponses } from '../lib/router';
import { IdParamSchema, safeText } from '../lib/schemas';
import { gateIdsOf, principalOf, requireRole } from '../middleware/auth';
import {
  assertBinding,
  endSessions,
  insertUser,
  listUsers,
  setUserGates,
  updateUser,
  userById,
  type UserRow,
} from './store';
import type { Db, Tx } from '../db/open';

export const UserSchema = z
  .object({
    id: z.number().int(),
    username: z.string(),
    displayName: z.string(),
    role: RoleSchema,
    departmentId: z.number().int().nullable(),
    gateIds: z.array(z.number().int()),
    disabled: z.boolean(),
    hasPin: z.boolean(),
    deptApprover: z.boolean(),
    email: z.string().nullable(),
    locale: z.enum(['zh', 'en']),
    createdAt: z.string(),
  })
  .openapi('User');

const Username = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.-]{2,64}$/, 'letters, digits, . - _ (2–64)');
const UserInput = z.object({
  username: Username,
  displayName: safeText(1, 64),
  role: RoleSchema,
  password: z.string().min(10).max(256),
  departmentId: z.number().int().positive().nullable().default(null),
  gateIds: z.array(z.number().int().positive()).max(50).default([]),
  email: Email.nullable().default(null),
  locale: z.enum(['zh', 'en']).default('zh'),
});
const UserPatch = z.object({
  displayName: safeText(1, 64).optional(),
  role: RoleSchema.optional(),
  password: z.string().min(10).max(256).optional(),
  departmentId: z.number().int().positive().nullable().optional(),
  gateIds: z.array(z.number().int().positive()).max(50).optional(),
  disabled: z.boolean().optional(),
  email: Email.nullable().optional(),
  locale: z.enum(['zh', 'en']).optional(),
  /** A filer who signs their department's requests before the office. */
  deptApprover: z.boolean().optional(),
  /** A guard's shift PIN for the gate tablet. */
  pin: z
    .string()
    .regex(/^\d{4,8}$/, '4 to 8 digits')
    .optional(),
});

function view(db: Tx, u: UserRow) {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    departmentId: u.departmentId,
    gateIds: gateIdsOf(db as Db, u.id),
    disabled: u.disabledAt != null,
    hasPin: u.pinHash != null,
    deptApprover: u.deptApprover,
    email: u.email,
    locale: u.locale,
    createdAt: u.createdAt.toISOString(),
  };
}

export const userRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['users'],
      summary: 'List accounts',
      middleware: [requireRole('admin', 'office')] as const,
      request: { query: z.object({ role: RoleSchema.optional() }) },
      responses: { 200: jsonContent(z.array(UserSchema), 'Accounts'), ...inputGuardResponses },
    }),
    (c) => {
      const { db } = c.get('deps');
      const { role } = c.req.valid('query');
      return c.json(
        listUsers(db, role).map((u) => view(db, u)),
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['users'],
      summary: 'Create an account',
      middleware: [requireRole('admin')] as const,
      request: jsonBody(UserInput),
      responses: {
        201: jsonContent(UserSchema, 'Created'),
        ...inputGuardResponses,
        409: errorContent('Username taken', 'already_exists'),
      },
    }),
    async (c) => {
      const { db, clock } = c.get('deps');
      const { password, ...input } = c.req.valid('json');
      assertPasswordFor(password, input.username);
      const passwordHash = await hashPasswordAsync(password);
      const out = db.transaction((tx) => {
        const row = uniqueOr409(`User ${input.username}`, () => insertUser(tx, { ...input, passwordHash }));
        const v = view(tx, row);
        recordAudit(tx, clock.now(), principalOf(c), c.get('requestId'), {
          action: 'user.create',
          entity: 'user',
          entityId: row.id,
          after: v,
        });
        return v;
      });
      return c.json(out, 201);
    },
  )
  .openapi(
    createRoute({
      method: 'patch',
      path: '/{id}',
      tags: ['users'],
      summary: 'Change, disable or reset the password of an account',
      middleware: [requireRole('admin')] as const,
      request: { params: IdParamSchema, ...jsonBody(UserPatch) },
      responses: {
        200: jsonContent(UserSchema, 'Changed'),
        ...inputGuardResponses,
        404: jsonContent(ErrorBodySchema, 'No such user'),
        409: errorContent('An admin may not disable themself or drop their own admin role', 'self_lockout'),
      },
    }),
    async (c) => {
      const { db, clock } = c.get('deps');
      const actor = principalOf(c);
      const { id } = c.req.valid('param');
      const { password, gateIds, disabled, pin, ...fields } = c.req.valid('json');
      if (id === actor.userId && (disabled === true || (fields.role && fields.role !== 'admin'))) {
        throw new ApiError(409, 'self_lockout', 'You cannot disable yourself or drop your own admin role');
      }
      if (password) {
        const target = userById(db, id);
        if (!target) throw notFound(`User ${id}`);
        assertPasswordFor(password, target.username);
      }
      // scrypt on the thread pool, before the write transaction.
      const passwordHash = password ? await hashPasswordAsync(password) : undefined;
      const pinHash = pin ? await hashPasswordAsync(pin) : undefined;
      const now = clock.now();
      const out = db.transaction((tx) => {
        const before = userById(tx, id);
        if (!before) throw notFound(`User ${id}`);
        const beforeView = view(tx, before);
        const binding = {
          role: fields.role ?? before.role,
          departmentId: fields.departmentId !== undefined ? fields.departmentId : before.departmentId,
          gateIds: gateIds ?? beforeView.gateIds,
        };
        assertBinding(tx, binding);
        const disabledAt = disabled === undefined ? before.disabledAt : disabled ? (before.disabledAt ?? now) : null;
        updateUser(tx, id, {
          ...fields,
          departmentId: binding.departmentId,
          disabledAt,
          ...(passwordHash ? { passwordHash } : {}),
          ...(pinHash ? { pinHash } : {}),
        });
        if (gateIds) setUserGates(tx, id, gateIds);
        // A disabled account or a reset password ends every session at once.
        if (disabledAt || passwordHash || fields.role) endSessions(tx, id);
        const after = view(tx, userById(tx, id)!);
        recordAudit(tx, now, actor, c.get('requestId'), {
          action: passwordHash ? 'user.update+password_reset' : pinHash ? 'user.update+pin_set' : 'user.update',
          entity: 'user',
          entityId: id,
          before: beforeView,
          after,
        });
        return after;
      });
      return c.json(out, 200);
    },
  );

import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Every timestamp is stored as UTC milliseconds; display converts to the campus time zone. */
const ms = (name: string) => integer(name, { mode: 'timestamp_ms' });
const createdAt = () => ms('created_at').notNull().default(sql`(unixepoch('subsec') * 1000)`);

import { ROLES } from '../domain/roles';

export { ROLES, type Role } from '../domain/roles';

export const campuses = sqliteTable('campuses', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  nameEn: text('name_en').notNull().default(''),
  timezone: text('timezone').notNull().default('Asia/Shanghai'),
  createdAt: createdAt(),
});

export const gates = sqliteTable(
  'gates',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    campusId: integer('campus_id')
      .notNull()
      .references(() => campuses.id),
    code: text('code').notNull(),
    name: text('name').notNull(),
    nameEn: text('name_en').notNull().default(''),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('gates_code_unique').on(t.code)],
);

export const departments = sqliteTable(
  'departments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    code: text('code').notNull(),
    name: text('name').notNull(),
    nameEn: text('name_en').notNull().default(''),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    /** A department approver signs before the office (issue: filing). */
    requiresDeptApproval: integer('requires_dept_approval', { mode: 'boolean' }).notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('departments_code_unique').on(t.code)],
);

export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    role: text('role', { enum: ROLES }).notNull(),
    departmentId: integer('department_id').references(() => departments.id),
    passwordHash: text('password_hash').notNull(),
    disabledAt: ms('disabled_at'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('users_username_unique').on(t.username)],
);

/** Guards are bound to one or more gates. */
export const userGates = sqliteTable(
  'user_gates',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    gateId: integer('gate_id')
      .notNull()
      .references(() => gates.id),
  },
  (t) => [primaryKey({ columns: [t.userId, t.gateId] })],
);

/** Server-side sessions: the cookie carries a random token, the table its SHA-256. */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    lastSeenAt: ms('last_seen_at').notNull(),
    expiresAt: ms('expires_at').notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/** Bearer credentials for integrations (department-scoped) and kiosk devices (gate-bound). */
export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    role: text('role', { enum: ROLES }).notNull(),
    departmentId: integer('department_id').references(() => departments.id),
    gateId: integer('gate_id').references(() => gates.id),
    createdByUserId: integer('created_by_user_id').references(() => users.id),
    createdAt: createdAt(),
    lastUsedAt: ms('last_used_at'),
    revokedAt: ms('revoked_at'),
  },
  (t) => [uniqueIndex('api_tokens_hash_unique').on(t.tokenHash)],
);

/** Append-only (triggers in the migrations forbid UPDATE and DELETE). */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: ms('at').notNull(),
    actorUserId: integer('actor_user_id'),
    actorLabel: text('actor_label').notNull(),
    action: text('action').notNull(),
    entity: text('entity').notNull(),
    entityId: text('entity_id'),
    before: text('before', { mode: 'json' }),
    after: text('after', { mode: 'json' }),
    reason: text('reason'),
    requestId: text('request_id'),
  },
  (t) => [index('audit_at_idx').on(t.at), index('audit_entity_idx').on(t.entity, t.entityId)],
);

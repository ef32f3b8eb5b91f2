import { z } from '@hono/zod-openapi';
import { ROLES } from '../db/schema';
import { TOKEN_SCOPES } from '../domain/roles';

export const RoleSchema = z.enum(ROLES).openapi('Role');

export const LoginSchema = z
  .object({
    username: z.string().trim().min(1).max(64),
    password: z.string().min(1).max(256),
  })
  .openapi('Login');

export const MeSchema = z
  .object({
    kind: z.enum(['user', 'token']),
    id: z.number().int(),
    username: z.string(),
    displayName: z.string(),
    role: RoleSchema,
    departmentId: z.number().int().nullable(),
    gateIds: z.array(z.number().int()),
    /** An integration token's scopes; null for people and tablets. */
    scopes: z.array(z.enum(TOKEN_SCOPES)).nullable(),
    email: z.string().nullable().openapi({ description: 'Where notifications for me go; null for tokens' }),
    locale: z.enum(['zh', 'en']).openapi({ description: 'The language of my notifications' }),
    deptApprover: z
      .boolean()
      .openapi({ description: 'Signs its department’s requests before the office (two-level approval)' }),
  })
  .openapi('Me');

/** Where a person's notifications go and in which language: their own to set. */
export const Email = z.email('bad_email').max(200);
export const ProfileSchema = z
  .object({ email: Email.nullable(), locale: z.enum(['zh', 'en']) })
  .partial()
  .openapi('ProfileChange');

export const PasswordChangeSchema = z
  .object({
    currentPassword: z.string().min(1).max(256),
    newPassword: z.string().min(10).max(256),
  })
  .openapi('PasswordChange');

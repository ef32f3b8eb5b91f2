import { OpenAPIHono } from '@hono/zod-openapi';
import { ApiError, ErrorBodySchema, issuesFromZod } from './errors';
import type { AppEnv } from './context';

/**
 * Every resource builds its routes on this: a validation failure anywhere answers the same
 * 400 `{ error: { code: 'validation_failed', issues } }` before a handler runs.
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw new ApiError(400, 'validation_failed', 'The request has invalid fields', {
          issues: issuesFromZod(result.error),
        });
      }
    },
  });
}

export const jsonContent = <T>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

/**
 * An error answer and the `code` values its route gives with it; server/openapi.ts adds the codes
 * every route of its kind shares (validation, sign-in, role, body checks) and lists them all.
 */
export const errorContent = (description: string, ...codes: [string, ...string[]]) => ({
  ...jsonContent(ErrorBodySchema, description),
  'x-error-codes': codes,
});

/** The answers of a role-guarded route before its handler runs. */
export const guardResponses = {
  401: jsonContent(ErrorBodySchema, 'Not signed in'),
  403: jsonContent(ErrorBodySchema, 'Role not allowed'),
};

export const jsonBody = <T>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

/** The answers of a role-guarded route that takes input: its 400 and the guard's. */
export const inputGuardResponses = {
  400: jsonContent(ErrorBodySchema, 'Invalid request'),
  ...guardResponses,
};

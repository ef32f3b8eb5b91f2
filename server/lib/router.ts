import { OpenAPIHono, z } from '@hono/zod-openapi';
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

/** A download answered as CSV or XLSX (`format`), the XLSX as binary: exports, templates, tracing. */
export const fileContent = (description: string) => ({
  content: {
    'text/csv': { schema: z.string() },
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
      schema: z.string().openapi({ format: 'binary' }),
    },
  },
  description,
});

/** The `format` query of every download: XLSX unless CSV is asked for. */
export const FileFormatSchema = z.enum(['csv', 'xlsx']).default('xlsx');

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

/** A file upload (an import): one `file` field of a multipart form. */
export const fileUploadBody = {
  body: {
    content: {
      'multipart/form-data': {
        schema: z.object({
          file: z
            .custom<File>((v) => v instanceof File, 'attach the file')
            .openapi({ type: 'string', format: 'binary' }),
        }),
      },
    },
    required: true,
  },
};

/** The uploaded file of a `fileUploadBody` form, or the one 400 that names the missing field. */
export async function uploadedFile(c: { req: { parseBody(): Promise<Record<string, unknown>> } }, what: string) {
  const file = (await c.req.parseBody()).file;
  if (!(file instanceof File))
    throw new ApiError(400, 'validation_failed', `Attach the ${what} as the form field "file"`, {
      issues: [{ path: ['file'], code: 'required', message: 'file is required' }],
    });
  return file;
}

import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from '@hono/zod-openapi';
import { FILING_MESSAGES, filingMessage } from '../domain/filing-messages';

/**
 * The one error shape every failure answers with: `{ error: { code, message, issues? } }`.
 * `code` is stable and machine-readable (clients branch on it and translate it);
 * `message` is English for logs and API users; `issues` lists field-level problems.
 */
export const ErrorIssueSchema = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  code: z.string(),
  message: z.string(),
  /** Filing rules answer in both languages (DOMAIN.md: zh-CN first). */
  messageZh: z.string().optional(),
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});
export const ErrorBodySchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      issues: z.array(ErrorIssueSchema).optional(),
    }),
  })
  .openapi('Error');

export type ErrorIssue = z.infer<typeof ErrorIssueSchema>;
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** Our one error type: an HTTPException that carries a code and optional field issues. */
export class ApiError extends HTTPException {
  readonly code: string;
  readonly issues: ErrorIssue[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    status: ContentfulStatusCode,
    code: string,
    message: string,
    options: { issues?: ErrorIssue[]; headers?: Record<string, string> } = {},
  ) {
    super(status, { message });
    this.code = code;
    this.issues = options.issues;
    this.headers = options.headers;
  }

  body(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.issues ? { issues: this.issues } : {}) } };
  }
}

export const notFound = (subject: string) => new ApiError(404, 'not_found', `${subject} was not found`);
export const conflict = (code: string, message: string) => new ApiError(409, code, message);

/** One field-level failure, in the same shape zod failures take. */
export const fieldError = (
  path: (string | number)[],
  code: string,
  message: string,
  params?: Record<string, string | number>,
) =>
  new ApiError(400, 'validation_failed', 'The request has invalid fields', {
    issues: [
      {
        path,
        code,
        // A code the forms know in both languages is sent in both (zh-CN first).
        ...(code in FILING_MESSAGES
          ? {
              message: filingMessage(code as keyof typeof FILING_MESSAGES, 'en', params),
              messageZh: filingMessage(code as keyof typeof FILING_MESSAGES, 'zh', params),
            }
          : { message }),
        ...(params ? { params } : {}),
      },
    ],
  });

/** Turns zod issues into our issue list; keeps zod's machine code, never relies on its English. */
export function issuesFromZod(error: z.ZodError): ErrorIssue[] {
  return error.issues.map((i) => {
    const path = i.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    // Our own refinements carry a stable code in params (e.g. id_check_digit), with both languages.
    const own = i.code === 'custom' ? (i.params as { code?: string } | undefined)?.code : undefined;
    if (own && own in FILING_MESSAGES) {
      const code = own as keyof typeof FILING_MESSAGES;
      return { path, code, message: filingMessage(code, 'en'), messageZh: filingMessage(code, 'zh') };
    }
    return { path, code: own ?? i.code, message: i.message };
  });
}

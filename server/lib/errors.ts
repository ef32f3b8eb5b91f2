import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from '@hono/zod-openapi';
import { FIELD_MESSAGES, FILING_MESSAGES, filingMessage, type FieldMessageCode } from '../domain/filing-messages';
import { format } from '../domain/i18n';

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
          : isFieldCode(code)
            ? fieldWords(code, params)
            : { message }),
        ...(params ? { params } : {}),
      },
    ],
  });

/** One worded issue (a form field's plain problem) in both languages, as the import's rows carry them. */
export function fieldIssue(
  path: (string | number)[],
  code: FieldMessageCode,
  params: Record<string, string | number> = {},
): ErrorIssue {
  return { path, code, ...fieldWords(code, params), params };
}

/** A plain field problem in both languages (FIELD_MESSAGES). */
const fieldWords = (code: FieldMessageCode, params: Record<string, string | number> = {}) => ({
  message: format(FIELD_MESSAGES[code].en, params),
  messageZh: format(FIELD_MESSAGES[code].zh, params),
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
    // Everything else in plain words in both languages, so a form never shows zod's English.
    const worded = fieldWording(i);
    if (worded)
      return {
        path,
        code: own ?? i.code,
        ...fieldWords(worded.key, worded.params),
        params: { reason: worded.key, ...worded.params },
      };
    return { path, code: own ?? i.code, message: i.message };
  });
}

const isFieldCode = (s: string | undefined): s is FieldMessageCode => !!s && s in FIELD_MESSAGES;

/** Which plain sentence a zod issue is: by our code (in params, or as a format's message), else by zod's kind. */
function fieldWording(i: z.core.$ZodIssue): { key: FieldMessageCode; params: Record<string, string | number> } | null {
  const own = (i as { params?: { code?: string } }).params?.code;
  if (isFieldCode(own)) return { key: own, params: {} };
  switch (i.code) {
    case 'too_small': {
      const min = Number(i.minimum);
      if (i.origin === 'string')
        return min <= 1 ? { key: 'required', params: {} } : { key: 'too_short', params: { min } };
      if (i.origin === 'array' || i.origin === 'set') return { key: 'too_few', params: { min } };
      return { key: 'too_low', params: { min } };
    }
    case 'too_big': {
      const max = Number(i.maximum);
      if (i.origin === 'string') return { key: 'too_long', params: { max } };
      if (i.origin === 'array' || i.origin === 'set') return { key: 'too_many_items', params: { max } };
      return { key: 'too_high', params: { max } };
    }
    case 'invalid_format':
      if (isFieldCode(i.message)) return { key: i.message, params: {} };
      if (i.format === 'email') return { key: 'bad_email', params: {} };
      if (i.format === 'datetime') return { key: 'bad_datetime', params: {} };
      if (i.format === 'date') return { key: 'bad_date', params: {} };
      return { key: 'bad_format', params: {} };
    case 'invalid_value':
      return { key: 'pick_one', params: {} };
    case 'invalid_type':
      // A form sends every field, so to its reader this is an empty answer; an API client is told the type.
      return i.expected === 'int'
        ? { key: 'not_integer', params: {} }
        : { key: 'missing', params: { expected: i.expected } };
    default:
      return null;
  }
}

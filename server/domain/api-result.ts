/**
 * Unwrapping hono/client responses, shared by both front ends: a success body, or an ApiFailure
 * carrying the server's error code (which the UI translates) and field issues. Pure: no DOM, no Node.
 */
export interface ApiIssue {
  path: (string | number)[];
  code: string;
  message: string;
  /** Filing rules also answer in Chinese. */
  messageZh?: string;
  params?: Record<string, string | number>;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: ApiIssue[] = [],
  ) {
    super(message);
  }
}

interface ResponseLike<T, S extends number> {
  ok: boolean;
  status: S;
  statusText: string;
  json(): Promise<T>;
}

type Success<R> = R extends ResponseLike<infer T, infer S> ? (S extends 200 | 201 | 204 ? T : never) : never;

export async function ok<R extends ResponseLike<unknown, number>>(call: Promise<R>): Promise<Success<R>> {
  let res: R;
  try {
    res = await call;
  } catch {
    throw new ApiFailure(0, 'network', 'The server could not be reached');
  }
  if (res.status === 204) return undefined as Success<R>;
  const body = (await res.json().catch(() => null)) as {
    error?: { code: string; message: string; issues?: ApiIssue[] };
  } | null;
  if (!res.ok) {
    throw new ApiFailure(
      res.status,
      body?.error?.code ?? 'unknown',
      body?.error?.message ?? res.statusText,
      body?.error?.issues ?? [],
    );
  }
  return body as Success<R>;
}

/**
 * The reader's text for a failure: the catalogue's `error.<code>` when it has one, else its
 * `error.unknown` with the server's message. Shared by both apps' state.
 */
export function failureText<K extends string>(
  err: unknown,
  has: (key: string) => boolean,
  tr: (key: K, values?: Record<string, string>) => string,
): string {
  const unknown = 'error.unknown' as K;
  if (err instanceof ApiFailure) {
    const key = `error.${err.code}`;
    return has(key) ? tr(key as K) : tr(unknown, { message: err.message });
  }
  return tr(unknown, { message: String(err) });
}

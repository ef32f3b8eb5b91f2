import type { DeclarationInput, VisitPage } from '../../../server/visit/schemas';
import type { z } from 'zod';
import type { CheckInInputSchema, LeaveInputSchema, MemberPage } from '../../../server/members/schemas';
import type { ErrorBody } from '../../../server/lib/errors';

export type { VisitPage, MemberPage };
export type Declaration = Omit<DeclarationInput, 'idNumber'> & { idNumber: string | null };
export type Issue = NonNullable<ErrorBody['error']['issues']>[number];

/** A failed call: the server's code (translated by the page) and its field issues. */
export class VisitError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly issues: Issue[] = [],
  ) {
    super(message);
  }
}

/**
 * The visitor's and the member's pages talk to their few routes only, with fetch: no client
 * library in this bundle. A network failure is `network`; an error answer carries the server's code.
 */
async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown, base = '/api/v1/visit/'): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch {
    throw new VisitError('network', 'network');
  }
  if (res.status === 204) return undefined as T;
  const json = (await res.json().catch(() => null)) as T | ErrorBody | null;
  if (!res.ok || json === null) {
    const e = (json as ErrorBody | null)?.error;
    throw new VisitError(e?.code ?? 'internal', e?.message ?? res.statusText, e?.issues ?? []);
  }
  return json as T;
}

export const visitApi = {
  page: (token: string) => call<VisitPage>('GET', token),
  opened: (token: string, locale: 'zh' | 'en') => call<void>('POST', `${token}/opened`, { locale }),
  declare: (token: string, d: Declaration) => call<VisitPage>('POST', `${token}/declaration`, d),
  erase: (token: string) => call<VisitPage>('POST', `${token}/erasure`),
  regions: (token: string, q: string) =>
    call<{ code: string; name: string; fullName: string }[]>('GET', `${token}/regions?q=${encodeURIComponent(q)}`),
};

/** The member's own page (server/members/page-routes.ts). */
export const memberApi = {
  page: (token: string) => call<MemberPage>('GET', token, undefined, ME),
  fileLeave: (token: string, leave: z.input<typeof LeaveInputSchema>) =>
    call<MemberPage>('POST', `${token}/leaves`, leave, ME),
  cancelLeave: (token: string, id: number) => call<MemberPage>('POST', `${token}/leaves/${id}/cancel`, undefined, ME),
  checkIn: (token: string, c: z.input<typeof CheckInInputSchema>) =>
    call<MemberPage>('POST', `${token}/check-in`, c, ME),
  regions: (token: string, q: string) =>
    call<{ code: string; name: string; fullName: string }[]>(
      'GET',
      `${token}/regions?q=${encodeURIComponent(q)}`,
      undefined,
      ME,
    ),
};
const ME = '/api/v1/me/';

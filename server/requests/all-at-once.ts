import type { Context } from 'hono';
import { z } from '@hono/zod-openapi';
import { ApiError, issuesFromZod, type ErrorIssue } from '../lib/errors';
import type { AppEnv } from '../lib/context';
import { InvitationInputSchema, VisitorInputSchema, VisitWindowSchema, type RequestInput } from './schemas';
import { evaluateFiling, prepareVisitors, requestById, violationIssue } from './store';
import { REQUEST_KINDS } from '../domain/policy';

/** What the validator hands a hook; the route's own input types do not matter here. */
type Validated = { success: true; target: string } | { success: false; error: z.ZodError<unknown>; target: string };
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a hook serves routes of any path and input
type AnyContext = Context<AppEnv, any, any>;

/**
 * The filing routes' validation hook: a form that fails its schema is also checked against the filing
 * rules as far as its valid parts allow (the dates, each visitor that parsed), so the filer sees every
 * problem in one round instead of fixing the formats first and meeting the lead time on the next submit.
 */
export const everyFilingIssue = (result: Validated, c: AnyContext) =>
  result.success ? undefined : reportAll(result, c, true);

/** The same for an edit; an emergency admit's backfill documents a visit that happened, so no lead time. */
export const everyEditIssue = (result: Validated, c: AnyContext) => {
  if (result.success) return undefined;
  const before = requestById(c.get('deps').db, Number(c.req.param('id')));
  return reportAll(result, c, !(before?.emergency && before.backfilledAt === null));
};

async function reportAll(
  result: Extract<Validated, { success: false }>,
  c: AnyContext,
  checkLeadTime: boolean,
): Promise<never> {
  const issues = issuesFromZod(result.error);
  if (result.target === 'json') {
    const raw: unknown = await c.req.json().catch(() => null);
    if (raw && typeof raw === 'object') {
      const seen = new Set(issues.map((i) => i.path.join('.')));
      for (const i of ruleIssuesOfValidParts(c, raw as Record<string, unknown>, checkLeadTime))
        if (!seen.has(i.path.join('.'))) issues.push(i);
    }
  }
  throw new ApiError(400, 'validation_failed', 'The request has invalid fields', { issues });
}

function ruleIssuesOfValidParts(c: AnyContext, raw: Record<string, unknown>, checkLeadTime: boolean): ErrorIssue[] {
  const window = VisitWindowSchema.safeParse(raw);
  if (!window.success) return [];
  const listOf = (v: unknown) => (Array.isArray(v) ? (v as unknown[]) : []);
  const visitors = listOf(raw.visitors)
    .map((v, index) => ({ index, parsed: VisitorInputSchema.safeParse(v) }))
    // A kept visitor sent without their ID number is checked once the form parses (its stored hash is used then).
    .filter((v) => v.parsed.success && v.parsed.data.idNumber !== undefined)
    .map((v) => ({ index: v.index, data: v.parsed.data! }));
  const invitations = listOf(raw.invitations).flatMap((v) => {
    const parsed = InvitationInputSchema.safeParse(v);
    return parsed.success ? [parsed.data] : [];
  });
  const kind = z.enum(REQUEST_KINDS).safeParse(raw.kind ?? 'visitor');
  const input = {
    ...window.data,
    visitDateTo: window.data.visitDateTo ?? window.data.visitDateFrom,
    kind: kind.success ? kind.data : 'visitor',
    preventionPlan: typeof raw.preventionPlan === 'string' ? raw.preventionPlan : null,
    visitors: visitors.map((v) => v.data),
    invitations,
    gateIds: [],
  } as unknown as RequestInput & { visitDateTo: string };
  const { db, clock, idHashKey } = c.get('deps');
  const { verdict } = evaluateFiling(db, clock.now(), input, prepareVisitors(input, idHashKey), { checkLeadTime });
  // A visitor's rule is reported at that visitor's place in the form, not in the list of the valid ones.
  return verdict.violations.map((v) =>
    violationIssue(
      v,
      v.path[0] === 'visitors' ? ['visitors', visitors[Number(v.path[1])]!.index, ...v.path.slice(2)] : v.path,
    ),
  );
}

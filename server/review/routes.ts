import { createRoute, z } from '@hono/zod-openapi';
import { recordAudit } from '../lib/audit';
import { ApiError, ErrorBodySchema, notFound } from '../lib/errors';
import { createRouter, jsonBody, jsonContent, errorContent, inputGuardResponses } from '../lib/router';
import { decodeCursor, IdParamSchema, PageQuerySchema, pageFrom, pageOf } from '../lib/schemas';
import { principalOf, requireRole } from '../middleware/auth';
import { issuePasses } from '../passes/issue';
import { RequestViewSchema } from '../requests/schemas';
import { loadVisibleRequest } from '../requests/scope';
import { recheckImpact } from '../requests/recheck';
import {
  addHistory,
  createEmergencyRequest,
  EmergencyInputSchema,
  requestView,
  requestViews,
  clearVisitorChecks,
  overrideChecks,
  requestById,
  REVIEW_QUEUES,
  reviewQueuePage,
  revokePasses,
  updateRequest,
} from '../requests/store';
import { userById } from '../users/store';
import { currentRules } from '../rules/store';
import type { Principal } from '../lib/context';
import type { Tx } from '../db/open';
import type { Happened } from '../events';

const noSuchRequest = { 404: jsonContent(ErrorBodySchema, 'No such request') };

export const REJECT_REASONS = [
  'rule_violation',
  'insufficient_reason',
  'incomplete_information',
  'risk_concern',
  'duplicate',
  'other',
] as const;

/**
 * Approves one request as `p`: a department approver moves pending_dept to pending; the office
 * approves pending or needs_review, after the rules are checked again as they stand now, and
 * the visitors get passes. The approver is recorded: 谁审批谁负责.
 */
function approveOne(
  tx: Tx,
  happened: Happened,
  p: Principal,
  id: number,
  now: Date,
  {
    note,
    allowPrint,
    overrides = [],
    allowIncomplete = false,
  }: {
    note: string | null;
    allowPrint?: boolean | undefined;
    overrides?: { visitorId: number; reason: string }[];
    allowIncomplete?: boolean | undefined;
  },
  requestId: string,
  signingKeyWrap: Buffer,
) {
  const r = loadVisibleRequest(tx, p, id);
  const actor = `${p.kind}:${p.label}`;
  if (r.status === 'pending_dept') {
    const approver = p.userId ? userById(tx, p.userId) : undefined;
    if (p.role !== 'filer' || !approver?.deptApprover)
      throw new ApiError(403, 'forbidden', 'This request first needs its department approver');
    updateRequest(tx, id, { status: 'pending', updatedAt: now });
    addHistory(tx, happened, id, now, actor, 'dept_approved', 'pending_dept', 'pending', note);
    recordAudit(tx, now, p, requestId, {
      action: 'request.dept_approve',
      entity: 'visit_request',
      entityId: id,
      before: { status: r.status },
      after: { status: 'pending' },
      reason: note,
    });
    return;
  }
  if (p.role !== 'office') throw new ApiError(403, 'forbidden', 'Only the security office approves');
  if (r.status !== 'pending' && r.status !== 'needs_review')
    throw new ApiError(409, 'not_pending', `Request ${id} is ${r.status}`);
  // Invited visitors fill in their own part: the office waits for them, or approves who is there.
  const before = requestView(tx, r, now);
  if (before.visitorCount === 0 || (before.declarationsPending > 0 && !allowIncomplete))
    throw new ApiError(
      409,
      'declarations_incomplete',
      before.visitorCount === 0
        ? `No visitor of request ${id} has filled in their part yet`
        : `${before.declarationsPending} invited visitor(s) of request ${id} have not filled in their part: approve with allowIncomplete to let in those who have`,
    );
  const [failing] = recheckImpact(tx, now, {}, { requestId: id });
  for (const o of overrides) {
    const v = failing?.visitors.find((f) => f.visitorId === o.visitorId);
    if (!v || v.reasons.length === 0) continue; // nothing of theirs fails: nothing to override
    if (v.reasons.includes('block_list'))
      throw new ApiError(
        409,
        'not_overridable',
        `Visitor ${o.visitorId} is on the block list: lift the entry (with a reason) instead of overriding it`,
      );
    const codes = overrideChecks(tx, o.visitorId, { codes: v.reasons, reason: o.reason, userId: p.userId, at: now });
    recordAudit(tx, now, p, requestId, {
      action: 'visitor.override',
      entity: 'visitor',
      entityId: o.visitorId,
      after: { requestId: id, codes },
      reason: o.reason,
    });
  }
  const [still] = overrides.length ? recheckImpact(tx, now, {}, { requestId: id }) : failing ? [failing] : [];
  if (still)
    throw new ApiError(
      409,
      'checks_failed',
      `Request ${id} breaks rules as they stand now: ${still.reasons.join(', ')}`,
    );
  clearVisitorChecks(tx, id);
  const { version, rules } = currentRules(tx);
  updateRequest(tx, id, {
    status: 'approved',
    reviewReasons: null,
    decidedAt: now,
    decidedByUserId: p.userId,
    decisionNote: note,
    ruleVersion: version,
    updatedAt: now,
    ...(allowPrint !== undefined ? { printAllowed: allowPrint } : {}),
  });
  // A re-approval keeps each visitor's live pass where it still fits, and re-issues it where not.
  issuePasses(tx, id, now, rules, signingKeyWrap);
  addHistory(tx, happened, id, now, actor, 'approved', r.status, 'approved', note);
  recordAudit(tx, now, p, requestId, {
    action: 'request.approve',
    entity: 'visit_request',
    entityId: id,
    before: { status: r.status },
    after: {
      status: 'approved',
      ruleVersion: version,
      ...(before.declarationsPending ? { notDeclared: before.declarationsPending } : {}),
    },
    reason: note,
  });
}

const QueueItemSchema = RequestViewSchema.extend({
  ageMinutes: z.number().int(),
  backfillOverdue: z.boolean(),
}).openapi('QueueItem');

export const reviewRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/queue',
      tags: ['review'],
      summary: 'The office’s queue: pending requests with their age and pre-computed checks, and overdue backfills',
      middleware: [requireRole('office')] as const,
      request: {
        query: PageQuerySchema.extend({
          queue: z.enum(REVIEW_QUEUES).default('normal'),
        }),
      },
      responses: {
        200: jsonContent(pageOf(QueueItemSchema), 'A page of the queue, oldest first'),
        ...inputGuardResponses,
      },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const now = clock.now();
      const { queue, limit, cursor } = c.req.valid('query');
      const after = decodeCursor(cursor, z.tuple([z.number().int(), z.number().int()]));
      const rows = reviewQueuePage(db, queue, after, limit);
      const page = pageFrom(rows, limit, (r) => [r.createdAt.getTime(), r.id]);
      return c.json(
        {
          ...page,
          items: requestViews(db, page.items, now, { detail: true }).map((view, i) => {
            const r = page.items[i]!;
            return {
              ...view,
              ageMinutes: Math.floor((now.getTime() - r.createdAt.getTime()) / 60_000),
              backfillOverdue: r.emergency && !r.backfilledAt && r.backfillDueAt !== null && r.backfillDueAt < now,
            };
          }),
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/{id}/approve',
      tags: ['review'],
      summary: 'Approve (office), or first-level approve (department approver)',
      middleware: [requireRole('office', 'filer')] as const,
      request: {
        params: IdParamSchema,
        ...jsonBody(
          z.object({
            note: z.string().trim().max(500).nullable().default(null),
            allowPrint: z.boolean().optional().openapi({
              description: 'Allow printed passes for this request (visitors without a phone); off unless set',
            }),
            allowIncomplete: z.boolean().optional().openapi({
              description:
                'Approve the visitors who have filled in their part although invited ones have not (their invitations close)',
            }),
            overrides: z
              .array(z.object({ visitorId: z.number().int().positive(), reason: z.string().trim().min(4).max(500) }))
              .max(2000)
              .optional()
              .openapi({
                description:
                  'Admit these visitors although their filing checks fail, each with the reason (the office only; never the block list)',
              }),
          }),
        ),
      },
      responses: {
        200: jsonContent(RequestViewSchema, 'Approved'),
        ...inputGuardResponses,
        ...noSuchRequest,
        409: errorContent(
          'Not pending, invited visitors still to fill in, breaks the rules as they stand now, or an override of the block list',
          'not_pending',
          'declarations_incomplete',
          'checks_failed',
          'not_overridable',
        ),
      },
    }),
    (c) => {
      const { db, events, clock } = c.get('deps');
      const p = principalOf(c);
      const { id } = c.req.valid('param');
      const now = clock.now();
      const body = events.transact(db, (tx, happened) => {
        approveOne(
          tx,
          happened,
          p,
          id,
          now,
          c.req.valid('json'),
          c.get('requestId'),
          c.get('deps').keys.signingKeyWrap,
        );
        const r = requestById(tx, id);
        if (!r) throw notFound(`Request ${id}`);
        return requestView(tx, r, now, { detail: true });
      });
      return c.json(body, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/approve-bulk',
      tags: ['review'],
      summary: 'Approve many requests; each succeeds or fails on its own',
      middleware: [requireRole('office')] as const,
      request: jsonBody(
        z.object({
          ids: z.array(z.number().int().positive()).min(1).max(500),
          note: z.string().trim().max(500).nullable().default(null),
        }),
      ),
      responses: {
        200: jsonContent(
          z.object({
            approved: z.array(z.number().int()),
            failed: z.array(z.object({ id: z.number().int(), code: z.string(), message: z.string() })),
          }),
          'Per-request outcome',
        ),
        ...inputGuardResponses,
      },
    }),
    (c) => {
      const { db, events, clock } = c.get('deps');
      const p = principalOf(c);
      const { ids, note } = c.req.valid('json');
      const now = clock.now();
      const approved: number[] = [];
      const failed: { id: number; code: string; message: string }[] = [];
      for (const id of ids) {
        try {
          events.transact(db, (tx, happened) =>
            approveOne(tx, happened, p, id, now, { note }, c.get('requestId'), c.get('deps').keys.signingKeyWrap),
          );
          approved.push(id);
        } catch (err) {
          if (!(err instanceof ApiError)) throw err;
          failed.push({ id, code: err.code, message: err.message });
        }
      }
      return c.json({ approved, failed }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/{id}/reject',
      tags: ['review'],
      summary:
        'Reject with a reason code and note; passes are revoked (a department approver rejects its department’s requests awaiting it)',
      middleware: [requireRole('office', 'filer')] as const,
      request: {
        params: IdParamSchema,
        ...jsonBody(z.object({ reasonCode: z.enum(REJECT_REASONS), note: z.string().trim().min(1).max(500) })),
      },
      responses: {
        200: jsonContent(RequestViewSchema, 'Rejected'),
        ...inputGuardResponses,
        ...noSuchRequest,
        409: errorContent('Not in a state that can be rejected', 'not_pending'),
      },
    }),
    (c) => {
      const { db, events, clock } = c.get('deps');
      const p = principalOf(c);
      const { id } = c.req.valid('param');
      const { reasonCode, note } = c.req.valid('json');
      const now = clock.now();
      const body = events.transact(db, (tx, happened) => {
        const r = loadVisibleRequest(tx, p, id);
        // A filer rejects only as their department's approver, and only what awaits that first level.
        if (p.role === 'filer') {
          const approver = p.userId ? userById(tx, p.userId) : undefined;
          if (!approver?.deptApprover || r.status !== 'pending_dept')
            throw new ApiError(403, 'forbidden', 'Only the department approver rejects, and only before the office');
        }
        if (!['pending', 'pending_dept', 'needs_review', 'approved'].includes(r.status))
          throw new ApiError(409, 'not_pending', `Request ${id} is ${r.status}`);
        updateRequest(tx, id, {
          status: 'rejected',
          decidedAt: now,
          decidedByUserId: p.userId,
          decisionReasonCode: reasonCode,
          decisionNote: note,
          updatedAt: now,
        });
        revokePasses(tx, id, now, 'rejected');
        addHistory(
          tx,
          happened,
          id,
          now,
          `${p.kind}:${p.label}`,
          'rejected',
          r.status,
          'rejected',
          `${reasonCode}: ${note}`,
        );
        recordAudit(tx, now, p, c.get('requestId'), {
          action: 'request.reject',
          entity: 'visit_request',
          entityId: id,
          before: { status: r.status },
          after: { status: 'rejected', reasonCode },
          reason: note,
        });
        return requestView(tx, { ...r, status: 'rejected', decisionReasonCode: reasonCode, decisionNote: note }, now, {
          detail: true,
        });
      });
      return c.json(body, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/emergency',
      tags: ['review'],
      summary: 'Emergency lane: admit an unfiled visitor now; the host department must backfill the filing in time',
      middleware: [requireRole('office')] as const,
      request: jsonBody(EmergencyInputSchema.extend({ gateId: z.number().int().positive() })),
      responses: { 201: jsonContent(RequestViewSchema, 'Admitted; backfill due'), ...inputGuardResponses },
    }),
    (c) => {
      const { db, events, clock, idHashKey } = c.get('deps');
      const p = principalOf(c);
      const input = c.req.valid('json');
      const now = clock.now();
      const body = events.transact(db, (tx, happened) => {
        const { request: r, rules } = createEmergencyRequest(tx, now, input, {
          filedByLabel: `${p.kind}:${p.label}`,
          filedByUserId: p.userId,
          approval: { byUserId: p.userId },
          idHashKey,
        });
        issuePasses(tx, r.id, now, rules, c.get('deps').keys.signingKeyWrap);
        addHistory(tx, happened, r.id, now, `${p.kind}:${p.label}`, 'emergency_admit', null, 'approved', input.reason);
        recordAudit(tx, now, p, c.get('requestId'), {
          action: 'request.emergency',
          entity: 'visit_request',
          entityId: r.id,
          after: { gateId: input.gateId, departmentId: input.departmentId },
          reason: input.reason,
        });
        return requestView(tx, r, now, { detail: true });
      });
      return c.json(body, 201);
    },
  );

import { createRoute, z } from '@hono/zod-openapi';
import { campusDate } from '../domain/dates';
import { recordAudit } from '../lib/audit';
import { keyedDigest } from '../lib/secrets';
import { ApiError, ErrorBodySchema, fieldError } from '../lib/errors';
import { createRouter, jsonBody, jsonContent, errorContent, guardResponses, uploadedFile } from '../lib/router';
import { decodeCursor, IdParamSchema, PageQuerySchema, pageFrom, pageOf } from '../lib/schemas';
import { principalOf, requireRole } from '../middleware/auth';
import { currentRules } from '../rules/store';
import {
  IsoDateSchema,
  RequestInputSchema,
  RequestStatusSchema,
  RequestViewSchema,
  type RequestInput,
} from './schemas';
import { filerDepartment, loadVisibleRequest } from './scope';
import {
  addHistory,
  assertFilingValid,
  evaluateFiling,
  firstReviewStatus,
  insertRequest,
  insertVisitors,
  expectedVisitorsOf,
  minimalInput,
  newLinkToken,
  prepareVisitors,
  keptVisitorIds,
  removeVisitor,
  replaceVisitors,
  requestById,
  requestPage,
  requestView,
  requestViews,
  revokePasses,
  storedReply,
  storeReply,
  updateRequest,
} from './store';
import { importVisitorsRoute, parseVisitorFile, visitorTemplate, visitorTemplateRoute } from './import';
import { everyEditIssue, everyFilingIssue } from './all-at-once';
import { exportRequestsRoute, exportVisitorsRoute, requestColumns, visitorColumns } from './export';
import { downloadResponse, exportResponse } from '../lib/export';
import { listDepartments } from '../departments/store';
import { sendInvitations } from '../invitations/send';
import { syncInvitations } from '../invitations/store';

const errors = {
  400: jsonContent(ErrorBodySchema, 'Invalid request or a broken filing rule (field issues in zh and en)'),
  ...guardResponses,
  404: jsonContent(ErrorBodySchema, 'No such request (or not your department’s)'),
};

const EDITABLE = new Set(['pending_dept', 'pending', 'needs_review']);

function normalized(input: RequestInput) {
  return { ...input, visitDateTo: input.visitDateTo ?? input.visitDateFrom };
}

const fileRequest = createRoute({
  method: 'post',
  path: '/',
  tags: ['filing'],
  summary: 'File a visit request (at least a day ahead); send Idempotency-Key to make retries safe',
  middleware: [requireRole('filer', { scope: 'requests:file' })] as const,
  request: {
    headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }),
    ...jsonBody(RequestInputSchema),
  },
  responses: {
    201: jsonContent(RequestViewSchema, 'Filed'),
    ...errors,
    409: errorContent('Idempotency-Key reused with a different body', 'idempotency_key_reused'),
  },
});

export const requestRoutes = createRouter()
  .openapi(
    fileRequest,
    (c) => {
      const { db, events, clock, idHashKey, keys } = c.get('deps');
      const p = principalOf(c);
      const departmentId = filerDepartment(p);
      const input = minimalInput(normalized(c.req.valid('json')), currentRules(db).rules, false);
      const key = c.req.valid('header')['idempotency-key'];
      const scope = `filing:${departmentId}`;
      // Keyed: the body holds ID numbers, and an unkeyed digest of it gave them away from a database copy.
      const bodyHash = keyedDigest(keys.idempotency, JSON.stringify(input));
      const now = clock.now();
      const prepared = prepareVisitors(input, idHashKey);

      const out = events.transact(db, (tx, happened) => {
        if (key) {
          const seen = storedReply(tx, scope, key);
          if (seen) {
            if (seen.requestHash !== bodyHash)
              throw new ApiError(
                409,
                'idempotency_key_reused',
                'This Idempotency-Key was used for a different request',
              );
            return { replayed: true, body: seen.body as z.infer<typeof RequestViewSchema> };
          }
        }
        const { rv, verdict } = evaluateFiling(tx, now, input, prepared);
        assertFilingValid(tx, input, verdict);
        const status = firstReviewStatus(tx, departmentId);
        const { visitors: _v, invitations: _i, ...fields } = input;
        const r = insertRequest(tx, {
          ...fields,
          expectedVisitors: expectedVisitorsOf(input),
          departmentId,
          filedByLabel: `${p.kind}:${p.label}`,
          filedByUserId: p.userId,
          status,
          queue: verdict.groupReview ? 'group' : 'normal',
          ruleVersion: rv.version,
          createdAt: now,
          updatedAt: now,
        });
        insertVisitors(tx, r.id, prepared, verdict);
        const invited = syncInvitations(tx, r.id, input.invitations, now, newLinkToken, removeVisitor);
        addHistory(tx, happened, r.id, now, `${p.kind}:${p.label}`, 'filed', null, status);
        sendInvitations(tx, happened, invited, now);
        recordAudit(tx, now, p, c.get('requestId'), {
          action: 'request.file',
          entity: 'visit_request',
          entityId: r.id,
          after: { status, visitors: prepared.length, invitations: invited.length, ruleVersion: rv.version },
        });
        const body = requestView(tx, r, now, { detail: true });
        if (key) storeReply(tx, { scope, key, requestHash: bodyHash, status: 201, body, createdAt: now });
        return { replayed: false, body };
      });
      if (out.replayed) c.header('Idempotent-Replayed', 'true');
      return c.json(out.body, 201);
    },
    (result, c) => everyFilingIssue(result, c),
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['filing'],
      summary: 'List requests: a filer sees their department’s, the office all',
      middleware: [requireRole('filer', 'office', { scope: 'requests:file' })] as const,
      request: {
        query: PageQuerySchema.extend({
          status: RequestStatusSchema.optional(),
          from: IsoDateSchema.optional(),
          to: IsoDateSchema.optional(),
          departmentId: z.coerce.number().int().positive().optional(),
        }),
      },
      responses: { 200: jsonContent(pageOf(RequestViewSchema), 'A page of requests, newest first'), ...errors },
    }),
    (c) => {
      const { db } = c.get('deps');
      const p = principalOf(c);
      const q = c.req.valid('query');
      const after = decodeCursor(q.cursor, z.tuple([z.number().int()]));
      const rows = requestPage(
        db,
        {
          departmentId: p.role === 'filer' ? p.departmentId : q.departmentId,
          status: q.status,
          from: q.from,
          to: q.to,
          beforeId: after?.[0],
        },
        q.limit,
      );
      const page = pageFrom(rows, q.limit, (r) => [r.id]);
      return c.json({ ...page, items: requestViews(db, page.items, c.get('deps').clock.now()) }, 200);
    },
  )
  .openapi(exportRequestsRoute, async (c) => {
    const { db, clock } = c.get('deps');
    const p = principalOf(c);
    const q = c.req.valid('query');
    const { timezone } = currentRules(db).rules;
    const departmentId = p.role === 'filer' ? p.departmentId : q.departmentId;
    // Every match, not a page: an export is the whole list the screen filters.
    const rows = requestPage(db, { departmentId, status: q.status, from: q.from, to: q.to }, 100_000);
    const names = new Map(listDepartments(db).map((d) => [d.id, d.name]));
    const views = requestViews(db, rows, clock.now()).map((v) => ({
      ...v,
      department: names.get(v.departmentId) ?? '',
    }));
    db.transaction((tx) =>
      recordAudit(tx, clock.now(), p, c.get('requestId'), {
        action: 'request.export',
        entity: 'visit_request',
        after: { ...q, departmentId: departmentId ?? null, rows: views.length },
      }),
    );
    return exportResponse(
      {
        title: 'Gatehouse 来访备案 Visit requests',
        filters: {
          status: q.status ?? 'all',
          from: q.from ?? '—',
          to: q.to ?? '—',
          department: departmentId ? (names.get(departmentId) ?? String(departmentId)) : 'all',
        },
        timezone,
        columns: requestColumns(timezone),
        rows: views,
      },
      q.format,
      `gatehouse-requests-${q.status ?? 'all'}`,
    );
  })
  .openapi(exportVisitorsRoute, async (c) => {
    const { db, clock, publicOrigin } = c.get('deps');
    const p = principalOf(c);
    const { id } = c.req.valid('param');
    const { format } = c.req.valid('query');
    const { timezone } = currentRules(db).rules;
    const view = requestView(db, loadVisibleRequest(db, p, id), clock.now(), { detail: true });
    const rows = ('visitors' in view ? view.visitors : []).map((v) => ({
      ...v,
      link: v.pass ? `${publicOrigin()}${v.pass.link}` : null,
    }));
    db.transaction((tx) =>
      recordAudit(tx, clock.now(), p, c.get('requestId'), {
        action: 'request.visitors_export',
        entity: 'visit_request',
        entityId: String(id),
        after: { format, rows: rows.length },
      }),
    );
    return exportResponse(
      {
        title: `Gatehouse 来访人员 Visitors · #${id}`,
        filters: { request: String(id), dates: `${view.visitDateFrom}–${view.visitDateTo}` },
        timezone,
        columns: visitorColumns(timezone),
        rows,
      },
      format,
      `gatehouse-request-${id}-visitors`,
    );
  })
  .openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      tags: ['filing'],
      summary: 'One request with its visitors, passes and history',
      middleware: [requireRole('filer', 'office', { scope: 'requests:file' })] as const,
      request: { params: IdParamSchema },
      responses: { 200: jsonContent(RequestViewSchema, 'The request'), ...errors },
    }),
    (c) => {
      const { db } = c.get('deps');
      const r = loadVisibleRequest(db, principalOf(c), c.req.valid('param').id);
      return c.json(requestView(db, r, c.get('deps').clock.now(), { detail: true }), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'put',
      path: '/{id}',
      tags: ['filing'],
      summary: 'Edit a request before approval (it returns to review), or backfill an emergency admit',
      middleware: [requireRole('filer', { scope: 'requests:file' })] as const,
      request: { params: IdParamSchema, ...jsonBody(RequestInputSchema) },
      responses: {
        200: jsonContent(RequestViewSchema, 'Changed'),
        ...errors,
        409: errorContent('No longer editable', 'not_editable'),
      },
    }),
    (c) => {
      const { db, events, clock, idHashKey } = c.get('deps');
      const p = principalOf(c);
      const { id } = c.req.valid('param');
      const emergency = requestById(db, id)?.emergency ?? false;
      const input = minimalInput(normalized(c.req.valid('json')), currentRules(db).rules, emergency);
      const now = clock.now();
      const prepared = prepareVisitors(input, idHashKey, keptVisitorIds(db, id));
      const body = events.transact(db, (tx, happened) => {
        const before = loadVisibleRequest(tx, p, id);
        const backfill = before.emergency && before.backfilledAt === null;
        if (!backfill && !EDITABLE.has(before.status))
          throw new ApiError(409, 'not_editable', `A request that is ${before.status} cannot be edited`);
        // A backfill documents a visit that already happened: the lead time cannot apply to it.
        const { rv, verdict } = evaluateFiling(tx, now, input, prepared, { checkLeadTime: !backfill });
        assertFilingValid(tx, input, verdict);
        const status = backfill ? before.status : firstReviewStatus(tx, before.departmentId);
        const { visitors: _v, invitations: _i, ...fields } = input;
        updateRequest(tx, id, {
          ...fields,
          expectedVisitors: expectedVisitorsOf(input),
          status,
          queue: verdict.groupReview ? 'group' : 'normal',
          ruleVersion: rv.version,
          reviewReasons: null,
          updatedAt: now,
          ...(backfill ? { backfilledAt: now } : {}),
        });
        replaceVisitors(tx, id, prepared, verdict, now, { backfill });
        const invited = backfill ? [] : syncInvitations(tx, id, input.invitations, now, newLinkToken, removeVisitor);
        addHistory(
          tx,
          happened,
          id,
          now,
          `${p.kind}:${p.label}`,
          backfill ? 'backfilled' : 'edited',
          before.status,
          status,
        );
        sendInvitations(tx, happened, invited, now);
        recordAudit(tx, now, p, c.get('requestId'), {
          action: backfill ? 'request.backfill' : 'request.edit',
          entity: 'visit_request',
          entityId: id,
          before: { status: before.status },
          after: { status, visitors: prepared.length },
        });
        const after = requestById(tx, id);
        if (!after) throw new Error('request vanished inside its own transaction');
        return requestView(tx, after, now, { detail: true });
      });
      return c.json(body, 200);
    },
    (result, c) => everyEditIssue(result, c),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/{id}/cancel',
      tags: ['filing'],
      summary:
        'Cancel a request before its visit ends; its passes are revoked (an approved one needs a reason in `note`)',
      middleware: [requireRole('filer', 'office', { scope: 'requests:file' })] as const,
      request: { params: IdParamSchema, ...jsonBody(z.object({ note: z.string().trim().max(500).default('') })) },
      responses: {
        200: jsonContent(RequestViewSchema, 'Cancelled'),
        ...errors,
        409: errorContent('Already over or closed', 'not_cancellable'),
      },
    }),
    (c) => {
      const { db, events, clock } = c.get('deps');
      const p = principalOf(c);
      const { id } = c.req.valid('param');
      const { note } = c.req.valid('json');
      const now = clock.now();
      const body = events.transact(db, (tx, happened) => {
        const before = loadVisibleRequest(tx, p, id);
        const today = campusDate(now, currentRules(tx).rules.timezone);
        if (before.status === 'cancelled' || before.status === 'rejected')
          throw new ApiError(409, 'not_cancellable', `The request is already ${before.status}`);
        if (before.visitDateTo < today) throw new ApiError(409, 'not_cancellable', 'The visit is already over');
        // Approved visitors hold passes they may be on their way with: say why they stop working.
        if (before.status === 'approved' && note.length < 2)
          throw fieldError(['note'], 'reason_required', 'Cancelling an approved visit needs a reason');
        updateRequest(tx, id, { status: 'cancelled', updatedAt: now });
        revokePasses(tx, id, now, 'cancelled');
        addHistory(
          tx,
          happened,
          id,
          now,
          `${p.kind}:${p.label}`,
          'cancelled',
          before.status,
          'cancelled',
          note || null,
        );
        recordAudit(tx, now, p, c.get('requestId'), {
          action: 'request.cancel',
          entity: 'visit_request',
          entityId: id,
          before: { status: before.status },
          after: { status: 'cancelled' },
          reason: note || null,
        });
        return requestView(tx, { ...before, status: 'cancelled' }, now, { detail: true });
      });
      return c.json(body, 200);
    },
  )
  .openapi(importVisitorsRoute, async (c) => {
    filerDepartment(principalOf(c));
    return c.json(await parseVisitorFile(await uploadedFile(c, 'visitor list')), 200);
  })
  .openapi(visitorTemplateRoute, async (c) => {
    const format = c.req.valid('query').format;
    return downloadResponse(new Uint8Array(await visitorTemplate(format)), format, 'gatehouse-visitors-template');
  });

import { createRoute, z } from '@hono/zod-openapi';
import { IsoDateTime } from '../lib/schemas';
import { gateById } from '../gates/store';
import { visitorById } from '../requests/store';
import { recordAudit } from '../lib/audit';
import { ApiError, ErrorBodySchema, notFound } from '../lib/errors';
import { exportResponse, localTime } from '../lib/export';
import { createRouter, fileContent, FileFormatSchema, guardResponses, jsonContent } from '../lib/router';
import { requireRole } from '../middleware/auth';
import type { Deps, Principal } from '../lib/context';
import { currentRules } from '../rules/store';
import { coPresence, findVisitors, passages } from './queries';
import { maskPhone } from '../domain/names';

const PassageSchema = z
  .object({
    at: z.string(),
    gateId: z.number().int(),
    gateName: z.string(),
    type: z.string(),
    verdict: z.string().nullable(),
    passId: z.string().nullable(),
    visitorId: z.number().int().nullable(),
    visitorName: z.string().nullable(),
    phone: z.string().nullable(),
    idLast4: z.string().nullable(),
    department: z.string().nullable(),
  })
  .openapi('Passage');
const StaySchema = z
  .object({
    visitorId: z.number().int(),
    visitorName: z.string(),
    phone: z.string(),
    department: z.string(),
    from: z.string(),
    to: z.string(),
    end: z.enum(['exit', 'expired_not_signed_out', 'inside']),
  })
  .openapi('Stay');
const OverlapSchema = StaySchema.extend({ overlapFrom: z.string(), overlapTo: z.string() }).openapi('Overlap');

const MAX_SPAN_MS = 31 * 86_400_000;
/** Every tracing query states why (a health authority's request number, say): it is audit-logged with it. */
const VisitorHitSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    idLast4: z.string(),
    phone: z.string().openapi({ description: 'Masked' }),
    visitDateFrom: z.string(),
    visitDateTo: z.string(),
    department: z.string(),
  })
  .openapi('TracingVisitorHit');
const Why = z.string().trim().min(4).max(300).openapi({ description: 'Why this query is made; kept in the audit log' });
const Window = {
  from: IsoDateTime,
  to: IsoDateTime,
  reason: Why,
};
const FileFormat = { format: FileFormatSchema };
/** Both languages in one cell, as in every export. */
const VERDICT_TEXT: Record<string, string> = { admit: '放行 admitted', refuse: '劝返 refused' };

const file = fileContent('The file (format csv or xlsx)');
const PassagesQuery = z.object({ ...Window, gateId: z.coerce.number().int().positive().optional() });
const CoPresenceQuery = z.object({ ...Window, visitorId: z.coerce.number().int().positive() });

type Ctx = { get(k: 'deps'): Deps; get(k: 'requestId'): string; get(k: 'principal'): Principal | null };

/** Runs a passages query and records it, with its reason, in the audit log (JSON and exports alike). */
function auditedPassages(c: Ctx, q: z.infer<typeof PassagesQuery>, format: string) {
  const { db, clock } = c.get('deps');
  const { from, to } = span(q.from, q.to);
  if (q.gateId && !gateById(db, q.gateId)) throw notFound(`Gate ${q.gateId}`);
  const rows = passages(db, { from, to, gateId: q.gateId });
  const now = clock.now();
  db.transaction((tx) =>
    recordAudit(tx, now, c.get('principal'), c.get('requestId'), {
      action: 'tracing.passages',
      entity: 'gate_events',
      reason: q.reason,
      after: { from: q.from, to: q.to, gateId: q.gateId ?? null, format, rows: rows.length },
    }),
  );
  return rows;
}

function auditedCoPresence(c: Ctx, q: z.infer<typeof CoPresenceQuery>, format: string) {
  const { db, clock } = c.get('deps');
  const { from, to } = span(q.from, q.to);
  if (!visitorById(db, q.visitorId)) throw notFound(`Visitor ${q.visitorId}`);
  const now = clock.now();
  const { rules } = currentRules(db);
  const result = coPresence(db, { visitorId: q.visitorId, from, to, now, timezone: rules.timezone });
  db.transaction((tx) =>
    recordAudit(tx, now, c.get('principal'), c.get('requestId'), {
      action: 'tracing.co_presence',
      entity: 'visitor',
      entityId: q.visitorId,
      reason: q.reason,
      after: { from: q.from, to: q.to, format, rows: result.others.length },
    }),
  );
  return { result, timezone: rules.timezone };
}

function span(fromText: string, toText: string) {
  const from = new Date(fromText);
  const to = new Date(toText);
  if (to <= from || to.getTime() - from.getTime() > MAX_SPAN_MS) {
    throw new ApiError(400, 'validation_failed', 'to must be after from, at most 31 days later', {
      issues: [{ path: ['to'], code: 'bad_span', message: 'to must be after from, at most 31 days later' }],
    });
  }
  return { from, to };
}

export const tracingRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/visitors',
      tags: ['tracing'],
      summary: 'Find whom to trace by full name, phone number or ID last four; audit-logged with its reason',
      middleware: [requireRole('office')] as const,
      request: { query: z.object({ q: z.string().trim().min(2).max(60), reason: Why }) },
      responses: {
        200: jsonContent(z.array(VisitorHitSchema), 'Up to 20 visitors, newest first'),
        400: jsonContent(ErrorBodySchema, 'Invalid'),
        ...guardResponses,
      },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const q = c.req.valid('query');
      const hits = findVisitors(db, q.q);
      db.transaction((tx) =>
        recordAudit(tx, clock.now(), c.get('principal'), c.get('requestId'), {
          action: 'tracing.find_visitor',
          entity: 'visitor',
          reason: q.reason,
          after: { found: hits.length },
        }),
      );
      return c.json(
        hits.map((h) => ({ ...h, phone: maskPhone(h.phone) })),
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/passages',
      tags: ['tracing'],
      summary: 'Who passed gate G (or any gate) between two instants; audit-logged with its reason',
      middleware: [requireRole('office')] as const,
      request: { query: PassagesQuery },
      responses: {
        200: jsonContent(z.object({ rows: z.array(PassageSchema) }), 'Passages, oldest first'),
        400: jsonContent(ErrorBodySchema, 'Invalid'),
        404: jsonContent(ErrorBodySchema, 'No such gate'),
        ...guardResponses,
      },
    }),
    (c) => c.json({ rows: auditedPassages(c, c.req.valid('query'), 'json') }, 200),
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/passages/export',
      tags: ['tracing'],
      summary: 'The same passages as CSV or XLSX, with the query and time zone above the table; audit-logged',
      middleware: [requireRole('office')] as const,
      request: { query: PassagesQuery.extend(FileFormat) },
      responses: {
        200: file,
        400: jsonContent(ErrorBodySchema, 'Invalid'),
        404: jsonContent(ErrorBodySchema, 'No such gate'),
        ...guardResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const rows = auditedPassages(c, q, q.format);
      const tz = currentRules(c.get('deps').db).rules.timezone;
      return exportResponse(
        {
          title: 'Gatehouse 通行记录 Passages',
          filters: { from: q.from, to: q.to, gate: q.gateId ? String(q.gateId) : 'all', reason: q.reason },
          timezone: tz,
          rows,
          columns: [
            { header: `时间 Time (${tz})`, value: (r) => localTime(r.at, tz) },
            { header: '校门 Gate', value: (r) => r.gateName },
            { header: '类型 Type', value: (r) => (r.type === 'exit' ? '离校 exit' : '入校 entry') },
            { header: '结果 Verdict', value: (r) => (r.verdict ? (VERDICT_TEXT[r.verdict] ?? r.verdict) : null) },
            { header: '姓名 Name', value: (r) => r.visitorName },
            { header: '电话 Phone', value: (r) => r.phone },
            { header: '证件后四位 ID last 4', value: (r) => r.idLast4 },
            { header: '接待单位 Host', value: (r) => r.department },
          ],
        },
        q.format,
        'gatehouse-passages',
      );
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/co-presence',
      tags: ['tracing'],
      summary: 'Who was on campus at the same time as a visitor, within a period; audit-logged with its reason',
      middleware: [requireRole('office')] as const,
      request: { query: CoPresenceQuery },
      responses: {
        200: jsonContent(
          z.object({ stays: z.array(StaySchema), others: z.array(OverlapSchema) }),
          'The visitor’s stays and the overlapping ones',
        ),
        400: jsonContent(ErrorBodySchema, 'Invalid'),
        404: jsonContent(ErrorBodySchema, 'No such visitor'),
        ...guardResponses,
      },
    }),
    (c) => c.json(auditedCoPresence(c, c.req.valid('query'), 'json').result, 200),
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/co-presence/export',
      tags: ['tracing'],
      summary: 'The overlapping stays as CSV or XLSX, with the query and time zone above the table; audit-logged',
      middleware: [requireRole('office')] as const,
      request: { query: CoPresenceQuery.extend(FileFormat) },
      responses: {
        200: file,
        400: jsonContent(ErrorBodySchema, 'Invalid'),
        404: jsonContent(ErrorBodySchema, 'No such visitor'),
        ...guardResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const { result, timezone } = auditedCoPresence(c, q, q.format);
      return exportResponse(
        {
          title: 'Gatehouse 同时在校 Co-presence',
          filters: { visitorId: String(q.visitorId), from: q.from, to: q.to, reason: q.reason },
          timezone,
          rows: result.others,
          columns: [
            { header: '姓名 Name', value: (r) => r.visitorName },
            { header: '电话 Phone', value: (r) => r.phone },
            { header: '接待单位 Host', value: (r) => r.department },
            { header: `在校自 Stay from (${timezone})`, value: (r) => localTime(r.from, timezone) },
            { header: `在校至 Stay to (${timezone})`, value: (r) => localTime(r.to, timezone) },
            { header: `重叠自 Overlap from (${timezone})`, value: (r) => localTime(r.overlapFrom, timezone) },
            { header: `重叠至 Overlap to (${timezone})`, value: (r) => localTime(r.overlapTo, timezone) },
          ],
        },
        q.format,
        'gatehouse-co-presence',
      );
    },
  );

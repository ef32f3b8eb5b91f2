import { createRoute, z } from '@hono/zod-openapi';
import { decodeCursor, IsoDateSchema, PageQuerySchema, pageFrom, pageOf, IdParamSchema } from '../lib/schemas';
import { addDays, campusDate } from '../domain/dates';
import { recordAudit } from '../lib/audit';
import { ApiError, ErrorBodySchema, conflict, notFound } from '../lib/errors';
import { exportResponse, localTime, type Column } from '../lib/export';
import {
  createRouter,
  errorContent,
  fileContent,
  FileFormatSchema,
  guardResponses,
  jsonBody,
  jsonContent,
} from '../lib/router';
import { principalOf, requireRole } from '../middleware/auth';
import { currentRules } from '../rules/store';
import { isZeroDay } from '../domain/report-figures';
import { CAMPUS, REFUSAL_GROUPS, type RefusalGroup } from './figures';
import {
  ensureDailyReports,
  listReports,
  reopen,
  reportKey,
  reportById,
  reportHistory,
  reportRow,
  signOff,
  todaySoFar,
  trend,
  type ReportView,
} from './store';

const Day = IsoDateSchema;
const Scope = z
  .string()
  .regex(/^(campus|\d{1,9})$/)
  .optional()
  .openapi({ description: '"campus" or a gate id; all when absent' });
const Filter = z.object({ from: Day.optional(), to: Day.optional(), scope: Scope });
const int = () => z.number().int();
export const DayFiguresSchema = z
  .object({
    entrants: int(),
    admitted: int(),
    refused: int(),
    refusedBy: z.object(
      Object.fromEntries(REFUSAL_GROUPS.map((g) => [g, int()])) as Record<
        (typeof REFUSAL_GROUPS)[number],
        ReturnType<typeof int>
      >,
    ),
    feverRetests: int(),
    exits: int(),
    emergencyAdmits: int(),
    overrideAdmits: int(),
    paperPathAdmits: int(),
    selfDeclaredAdmits: int(),
    overdueBackfills: int(),
    overstays: int(),
    expiredNotSignedOut: int(),
    tabletOfflineMinutes: int(),
    lateEvents: int(),
    memberExits: int(),
    memberReturns: int(),
    memberExitsRefused: int(),
    memberEntriesRefused: int(),
    memberRefusedNoLeave: int(),
    memberRefusedNoCheckIn: int(),
    memberRefusedRiskHold: int(),
    overdueLeaves: int(),
    missingCheckIns: int().openapi({ description: 'Campus only: active members with no check-in that day' }),
  })
  .openapi('DayFigures');
export const ReportSchema = z
  .object({
    id: int().nullable().openapi({ description: 'null for today so far (not yet a report)' }),
    day: z.string(),
    scope: z.string().openapi({ description: '`campus` or a gate id' }),
    gateId: int().nullable(),
    gateName: z.string(),
    gateNameEn: z.string(),
    status: z.enum(['in_progress', 'open', 'signed_off']),
    figures: DayFiguresSchema,
    signedOffBy: z.string().nullable(),
    signedOffAt: z.string().nullable(),
    lateSinceSignOff: int().openapi({ description: 'Events of the day that reached the server after the sign-off' }),
  })
  .openapi('DailyReport');

/** Yesterday when no dates are given: the last finished day, the one the office signs off. */
function range(q: z.infer<typeof Filter>, timezone: string, now: Date) {
  const yesterday = addDays(campusDate(now, timezone), -1);
  const from = q.from ?? q.to ?? yesterday;
  const to = q.to ?? q.from ?? yesterday;
  if (from > to)
    throw new ApiError(400, 'validation_failed', 'from is after to', {
      issues: [{ path: ['from'], code: 'range_reversed', message: 'from is after to' }],
    });
  return { from, to, scope: q.scope };
}

/** Both languages in one cell: an export is read by people, not by `signed_off` or `劝返:courier_delivery`. */
const STATUS_TEXT: Record<ReportView['status'], string> = {
  in_progress: '进行中 in progress',
  open: '待签收 open',
  signed_off: '已签收 signed off',
};
const GROUP_TEXT: Record<RefusalGroup, string> = {
  courier_delivery: '快递外卖 courier/delivery',
  no_pass: '无通行码 no pass',
  forged_pass: '伪造或篡改的通行码 forged or altered pass',
  pass_invalid: '通行码无效 invalid pass',
  fever: '发热 fever',
  code_colour: '健康码异常 code colour',
  test_missing: '无核酸证明 no test proof',
  block_list: '禁入名单 block list',
  id_mismatch: '证件不符 ID mismatch',
  stale_data: '门岗数据过旧 stale gate data',
  other: '其他 other',
};

const bothNames = (zh: string, en: string) => (en && en !== zh ? `${zh} ${en}` : zh);

const columns = (tz: string): Column<ReportView>[] => [
  { header: '日期 Day', value: (r) => r.day },
  { header: '范围 Scope', value: (r) => (r.scope === CAMPUS ? '全校 Campus' : bothNames(r.gateName, r.gateNameEn)) },
  { header: '状态 Status', value: (r) => STATUS_TEXT[r.status] },
  { header: '零报告 Zero report', value: (r) => (isZeroDay(r.figures) ? '是 yes' : '否 no') },
  { header: '入校人次 Entrants', value: (r) => r.figures.entrants },
  { header: '放行 Admitted', value: (r) => r.figures.admitted },
  { header: '劝返 Refused', value: (r) => r.figures.refused },
  ...REFUSAL_GROUPS.map((g) => ({
    header: `劝返：${GROUP_TEXT[g]}`,
    value: (r: ReportView) => r.figures.refusedBy[g],
  })),
  { header: '体温复测 Fever re-tests', value: (r) => r.figures.feverRetests },
  { header: '离校 Exits', value: (r) => r.figures.exits },
  { header: '应急放行 Emergency admits', value: (r) => r.figures.emergencyAdmits },
  { header: '特批放行 Override admits', value: (r) => r.figures.overrideAdmits },
  { header: '纸质承诺放行 Paper-path admits', value: (r) => r.figures.paperPathAdmits },
  { header: '自助申报放行 Self-declared admits', value: (r) => r.figures.selfDeclaredAdmits },
  { header: '补录逾期 Overdue backfills', value: (r) => r.figures.overdueBackfills },
  { header: '超时滞留 Overstays', value: (r) => r.figures.overstays },
  { header: '未登记离校 Expired, not signed out', value: (r) => r.figures.expiredNotSignedOut },
  { header: '平板离线分钟 Tablet offline min', value: (r) => r.figures.tabletOfflineMinutes },
  { header: '迟到同步 Late events', value: (r) => r.figures.lateEvents },
  { header: '师生离校 Member exits', value: (r) => r.figures.memberExits },
  { header: '师生返校 Member returns', value: (r) => r.figures.memberReturns },
  { header: '不准离校 Member exits refused', value: (r) => r.figures.memberExitsRefused },
  { header: '师生拒绝入校 Member entries refused', value: (r) => r.figures.memberEntriesRefused },
  { header: '无请假 Refused: no leave', value: (r) => r.figures.memberRefusedNoLeave },
  { header: '未打卡 Refused: no check-in', value: (r) => r.figures.memberRefusedNoCheckIn },
  { header: '风险地区返校 Refused: risk-area hold', value: (r) => r.figures.memberRefusedRiskHold },
  { header: '请假逾期 Overdue leaves', value: (r) => r.figures.overdueLeaves },
  { header: '未打卡人数 Missing check-ins', value: (r) => r.figures.missingCheckIns },
  { header: '签收人 Signed off by', value: (r) => r.signedOffBy },
  { header: `签收时间 Signed off at (${tz})`, value: (r) => localTime(r.signedOffAt, tz) },
  { header: '签收后到达 Late since sign-off', value: (r) => r.lateSinceSignOff },
];

/** The report just written by this request's own transaction. */
function committedReport(...args: Parameters<typeof reportById>) {
  const view = reportById(...args);
  if (!view) throw new Error(`report ${args[1]} vanished after its own commit`);
  return view;
}

export const reportRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/daily',
      tags: ['reports'],
      summary: 'Daily reports per gate and for the campus (zero reports included), newest first, a page at a time',
      middleware: [requireRole('office', { scope: 'reports:read' })] as const,
      request: { query: Filter.extend(PageQuerySchema.shape) },
      responses: {
        200: jsonContent(
          pageOf(ReportSchema).extend({ total: z.number().int(), from: z.string(), to: z.string() }),
          'A page of reports, with how many match and the range',
        ),
        400: jsonContent(ErrorBodySchema, 'Invalid'),
        ...guardResponses,
      },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const { rules } = currentRules(db);
      const q = c.req.valid('query');
      const now = clock.now();
      const f = range(q, rules.timezone, now);
      ensureDailyReports(db, now, rules, f); // the daily job makes them; this fills in a gate added since
      const after = decodeCursor(q.cursor, z.tuple([IsoDateSchema, z.number().int().min(0)]));
      const { total, rows } = listReports(db, f, rules, now, { limit: q.limit, after });
      return c.json({ ...pageFrom(rows, q.limit, reportKey), total, from: f.from, to: f.to }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/daily/export',
      tags: ['reports'],
      summary:
        'The same reports as CSV or XLSX: same filters, every page, a header line with the filters and time zone',
      middleware: [requireRole('office', { scope: 'reports:read' })] as const,
      request: { query: Filter.extend({ format: FileFormatSchema }) },
      responses: {
        200: fileContent('The file'),
        400: jsonContent(ErrorBodySchema, 'Invalid'),
        ...guardResponses,
      },
    }),
    async (c) => {
      const { db, clock } = c.get('deps');
      const { rules } = currentRules(db);
      const q = c.req.valid('query');
      const now = clock.now();
      const f = range(q, rules.timezone, now);
      ensureDailyReports(db, now, rules, f);
      const { rows } = listReports(db, f, rules, now);
      db.transaction((tx) =>
        recordAudit(tx, now, principalOf(c), c.get('requestId'), {
          action: 'report.export',
          entity: 'daily_report',
          after: { ...f, format: q.format, rows: rows.length },
        }),
      );
      return exportResponse(
        {
          title: 'Gatehouse 日报 Daily reports',
          filters: { from: f.from, to: f.to, scope: f.scope ?? 'all' },
          timezone: rules.timezone,
          columns: columns(rules.timezone),
          rows,
        },
        q.format,
        `gatehouse-daily-${f.from}-${f.to}`,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/today',
      tags: ['reports'],
      summary: 'Today so far, per gate and for the campus (not a report yet)',
      middleware: [requireRole('office', { scope: 'reports:read' })] as const,
      responses: { 200: jsonContent(z.array(ReportSchema), 'Figures so far'), ...guardResponses },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      return c.json(todaySoFar(db, currentRules(db).rules, clock.now()), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/trend',
      tags: ['reports'],
      summary: 'Entrants, admits, refusals and fever re-tests per day for the last 7 or 30 days',
      middleware: [requireRole('office', { scope: 'reports:read' })] as const,
      request: {
        query: z.object({
          days: z.coerce
            .number()
            .int()
            .refine((d) => d === 7 || d === 30, '7 or 30')
            .default(7),
          scope: z
            .string()
            .regex(/^(campus|\d{1,9})$/)
            .default(CAMPUS),
        }),
      },
      responses: {
        200: jsonContent(
          z.array(
            z.object({
              day: z.string(),
              entrants: z.number(),
              admitted: z.number(),
              refused: z.number(),
              feverRetests: z.number(),
            }),
          ),
          'Series',
        ),
        400: jsonContent(ErrorBodySchema, 'Invalid'),
        ...guardResponses,
      },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const { days, scope } = c.req.valid('query');
      return c.json(trend(db, days, scope, currentRules(db).rules, clock.now()), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/daily/{id}',
      tags: ['reports'],
      summary: 'One daily report with its sign-off history',
      middleware: [requireRole('office', { scope: 'reports:read' })] as const,
      request: { params: IdParamSchema },
      responses: {
        200: jsonContent(
          z.object({
            report: ReportSchema,
            history: z.array(
              z.object({
                reportId: z.number(),
                action: z.string(),
                at: z.string(),
                reason: z.string().nullable(),
                by: z.string(),
              }),
            ),
          }),
          'Report',
        ),
        404: jsonContent(ErrorBodySchema, 'No such report'),
        400: jsonContent(ErrorBodySchema, 'Invalid'),
        ...guardResponses,
      },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const { id } = c.req.valid('param');
      const report = reportById(db, id, currentRules(db).rules, clock.now());
      if (!report) throw notFound(`Report ${id}`);
      return c.json({ report, history: reportHistory(db, [id]).map((h) => ({ ...h, at: h.at.toISOString() })) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/daily/{id}/sign-off',
      tags: ['reports'],
      summary: 'Sign the report off as the signed-in office user: its figures are frozen',
      middleware: [requireRole('office')] as const,
      request: { params: IdParamSchema },
      responses: {
        200: jsonContent(ReportSchema, 'Signed off'),
        404: jsonContent(ErrorBodySchema, 'No such report'),
        409: errorContent('Already signed off', 'already_signed_off'),
        400: jsonContent(ErrorBodySchema, 'Invalid'),
        ...guardResponses,
      },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const p = principalOf(c);
      const { id } = c.req.valid('param');
      const now = clock.now();
      const { rules } = currentRules(db);
      db.transaction((tx) => {
        const row = reportRow(tx, id);
        if (row.signedOffAt)
          throw conflict('already_signed_off', `Report ${id} was signed off at ${row.signedOffAt.toISOString()}`);
        signOff(tx, row, p.userId!, rules, now);
        recordAudit(tx, now, p, c.get('requestId'), {
          action: 'report.sign_off',
          entity: 'daily_report',
          entityId: id,
          after: { day: row.day, scope: row.scope },
        });
      });
      return c.json(committedReport(db, id, rules, now), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/daily/{id}/reopen',
      tags: ['reports'],
      summary: 'Reopen a signed-off report; a reason is required and kept',
      middleware: [requireRole('office')] as const,
      request: { params: IdParamSchema, ...jsonBody(z.object({ reason: z.string().trim().min(4).max(500) })) },
      responses: {
        200: jsonContent(ReportSchema, 'Reopened'),
        404: jsonContent(ErrorBodySchema, 'No such report'),
        409: errorContent('Not signed off', 'not_signed_off'),
        400: jsonContent(ErrorBodySchema, 'Invalid'),
        ...guardResponses,
      },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const p = principalOf(c);
      const { id } = c.req.valid('param');
      const { reason } = c.req.valid('json');
      const now = clock.now();
      db.transaction((tx) => {
        const row = reportRow(tx, id);
        if (!row.signedOffAt) throw conflict('not_signed_off', `Report ${id} is open already`);
        reopen(tx, row, p.userId!, reason, now);
        recordAudit(tx, now, p, c.get('requestId'), {
          action: 'report.reopen',
          entity: 'daily_report',
          entityId: id,
          reason,
        });
      });
      return c.json(committedReport(db, id, currentRules(db).rules, now), 200);
    },
  );

import { createRoute, z } from '@hono/zod-openapi';
import { localTime, type Column } from '../lib/export';
import { ErrorBodySchema } from '../lib/errors';
import { fileContent, FileFormatSchema, jsonContent } from '../lib/router';
import { IdParamSchema, IsoDateSchema } from '../lib/schemas';
import { requireRole } from '../middleware/auth';
import type { RequestStatus } from '../db/schema';
import { RequestStatusSchema } from './schemas';
import type { IdType } from '../domain/id-number';
import { regionName } from '../regions/data';
import type { requestView, requestViews } from './store';

/** A status as both languages read it: an export is for people, not for `needs_review`. */
const STATUS_TEXT: Record<RequestStatus, string> = {
  pending_dept: '待部门审批 awaiting the department',
  pending: '待审核 pending',
  approved: '已批准 approved',
  rejected: '已驳回 rejected',
  cancelled: '已取消 cancelled',
  needs_review: '需复核 needs review',
};

type Row = ReturnType<typeof requestViews>[number] & { department: string };

export const requestColumns = (tz: string): Column<Row>[] => [
  { header: '编号 No.', value: (r) => r.id },
  { header: '部门 Department', value: (r) => r.department },
  {
    header: '来访日期 Dates',
    value: (r) => (r.visitDateFrom === r.visitDateTo ? r.visitDateFrom : `${r.visitDateFrom} – ${r.visitDateTo}`),
  },
  { header: '时间 Time', value: (r) => `${r.timeFrom}–${r.timeTo}` },
  { header: '事由 Purpose', value: (r) => r.purpose },
  { header: '前往地点 Destination', value: (r) => r.destination },
  { header: '接洽人 Escort', value: (r) => r.escortName },
  { header: '人数 People', value: (r) => Math.max(r.visitorCount, r.expectedVisitors ?? 0) },
  { header: '状态 Status', value: (r) => STATUS_TEXT[r.status as RequestStatus] ?? r.status },
  { header: `提交时间 Filed at (${tz})`, value: (r) => localTime(r.createdAt, tz) },
];

export const exportRequestsRoute = createRoute({
  method: 'get',
  path: '/export',
  tags: ['filing'],
  summary: 'The request list as CSV or XLSX, with the list’s filters: every match, times in the campus zone',
  middleware: [requireRole('filer', 'office', { scope: 'requests:file' })] as const,
  request: {
    query: z.object({
      format: FileFormatSchema,
      status: RequestStatusSchema.optional(),
      from: IsoDateSchema.optional(),
      to: IsoDateSchema.optional(),
      departmentId: z.coerce.number().int().positive().optional(),
    }),
  },
  responses: {
    200: fileContent('The file'),
    400: jsonContent(ErrorBodySchema, 'Invalid filter'),
    401: jsonContent(ErrorBodySchema, 'Not signed in'),
    403: jsonContent(ErrorBodySchema, 'Role not allowed'),
  },
});

const ID_TYPE_TEXT: Record<IdType, string> = {
  resident_id: '居民身份证 resident ID',
  passport: '护照 passport',
  hk_macau_permit: '港澳通行证 HK/Macau permit',
  taiwan_permit: '台胞证 Taiwan permit',
  other: '其他 other',
};

type Detail = Extract<ReturnType<typeof requestView>, { visitors: unknown }>;
type VisitorRow = Detail['visitors'][number] & { link: string | null };

const passText = (v: VisitorRow) => {
  if (!v.pass) return '未发放 not issued';
  if (v.pass.revoked) return '已撤销 revoked';
  return v.pass.entriesUsed >= v.pass.entriesAllowed ? '已用完 used up' : '有效 valid';
};

/**
 * A request's visitors, for the filer to send each their link or check who came: ID numbers never
 * (only their last four), links in full so they can be pasted into a message as they are.
 */
export const visitorColumns = (tz: string): Column<VisitorRow>[] => [
  { header: '姓名 Name', value: (v) => v.name },
  { header: '证件类型 ID type', value: (v) => ID_TYPE_TEXT[v.idType as IdType] ?? v.idType },
  { header: '证件后四位 ID last 4', value: (v) => v.idLast4 },
  { header: '手机 Phone', value: (v) => v.phone },
  { header: '邮箱 Email', value: (v) => v.email },
  { header: '来源地 From', value: (v) => regionName(v.fromRegion) ?? v.fromRegion },
  { header: '外地来访 Out of city', value: (v) => (v.outOfCity ? '是 yes' : '否 no') },
  {
    header: '申报 Declared by',
    value: (v) => (v.declaredBy === 'visitor' ? '访客本人 the visitor' : '部门代填 the department (paper at the gate)'),
  },
  { header: `承诺签署 Commitment signed (${tz})`, value: (v) => localTime(v.commitment?.signedAt ?? null, tz) },
  { header: `核酸时间 Test taken (${tz})`, value: (v) => localTime(v.testTakenAt, tz) },
  { header: '通行码 Pass', value: passText },
  {
    header: '已入校次数 Entries used',
    value: (v) => (v.pass ? `${v.pass.entriesUsed}/${v.pass.entriesAllowed}` : null),
  },
  { header: '通行码链接 Pass link', value: (v) => v.link },
];

export const exportVisitorsRoute = createRoute({
  method: 'get',
  path: '/{id}/visitors/export',
  tags: ['filing'],
  summary: 'A request’s visitors as CSV or XLSX: their pass state and full pass links, ID numbers as last four only',
  middleware: [requireRole('filer', 'office', { scope: 'requests:file' })] as const,
  request: { params: IdParamSchema, query: z.object({ format: FileFormatSchema }) },
  responses: {
    200: fileContent('The file'),
    400: jsonContent(ErrorBodySchema, 'Invalid format'),
    401: jsonContent(ErrorBodySchema, 'Not signed in'),
    403: jsonContent(ErrorBodySchema, 'Role not allowed'),
    404: jsonContent(ErrorBodySchema, 'No such request (or not this department’s)'),
  },
});

import { createRoute, z } from '@hono/zod-openapi';
import { localTime, type Column } from '../lib/export';
import { ErrorBodySchema } from '../lib/errors';
import { fileContent, FileFormatSchema, jsonContent } from '../lib/router';
import { IsoDateSchema } from '../lib/schemas';
import { requireRole } from '../middleware/auth';
import type { RequestStatus } from '../db/schema';
import { RequestStatusSchema } from './schemas';
import type { requestViews } from './store';

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

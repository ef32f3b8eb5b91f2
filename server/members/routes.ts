import { downloadResponse } from '../lib/export';
import { createRoute, z } from '@hono/zod-openapi';
import { recordAudit } from '../lib/audit';
import { ApiError, ErrorBodySchema } from '../lib/errors';
import {
  createRouter,
  errorContent,
  fileContent,
  FileFormatSchema,
  fileUploadBody,
  guardResponses,
  inputGuardResponses,
  jsonBody,
  jsonContent,
  uploadedFile,
} from '../lib/router';
import { decodeCursor, IdParamSchema, pageFrom, pageOf } from '../lib/schemas';
import { principalOf, requireRole } from '../middleware/auth';
import { currentRules } from '../rules/store';
import { memberTemplate, parseMemberFile } from './import';
import {
  ExitPermitSchema,
  LeaveDecisionSchema,
  LeaveListQuerySchema,
  LeaveSchema,
  MemberImportSchema,
  MemberLinkSchema,
  MemberListQuerySchema,
  MemberSchema,
  MemberSummarySchema,
} from './schemas';
import {
  assertMayDecide,
  clearHold,
  deactivate,
  decideLeave,
  departmentResolver,
  grantExitPermit,
  importMembers,
  leaveById,
  leaveForDecision,
  leaveView,
  listLeaves,
  listMembers,
  memberById,
  memberFlags,
  memberPage,
  memberSummary,
  memberView,
  reissueLink,
} from './store';
import { activeRiskAreas } from '../risk-areas/store';
import type { Principal } from '../lib/context';

/** An approver sees their own department's members; the office every department's. */
const scopeOf = (p: Principal) => (p.role === 'office' ? null : (p.departmentId ?? -1));

const LeaveWithMemberSchema = LeaveSchema.extend({
  member: z.object({
    number: z.string(),
    name: z.string(),
    type: z.string(),
    unit: z.string(),
    department: z.string().nullable(),
    departmentEn: z.string().nullable(),
  }),
}).openapi('LeaveWithMember');

export const memberRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'post',
      path: '/import',
      tags: ['members'],
      summary:
        'Import members and long-term workers (CSV in UTF-8 or GBK, or XLSX): every row is checked first; `save=true` saves only a file without bad rows, by member number, and reports what changed',
      middleware: [requireRole('office')] as const,
      request: {
        query: z.object({ save: z.enum(['true', 'false']).default('false') }),
        ...fileUploadBody,
      },
      responses: {
        200: jsonContent(MemberImportSchema, 'Each row checked, and what saving changes (or changed)'),
        ...inputGuardResponses,
        409: errorContent('Bad rows: nothing was saved', 'import_has_errors'),
      },
    }),
    async (c) => {
      const { db, clock, idHashKey } = c.get('deps');
      const file = await uploadedFile(c, 'member list');
      const save = c.req.valid('query').save === 'true';
      const parsed = await parseMemberFile(file);
      const now = clock.now();
      const result = db.transaction((tx) => {
        const department = departmentResolver(tx);
        const rows = parsed.map((r) => {
          if (!r.member) return r;
          const departmentId = department(r.member.department);
          if (departmentId === undefined)
            return {
              ...r,
              member: null,
              issues: [
                { path: ['department'], code: 'unknown_department', message: 'no department has this code or name' },
              ],
            };
          return { ...r, departmentId };
        });
        const good = rows.flatMap((r) =>
          r.member && 'departmentId' in r ? [{ ...r.member, departmentId: r.departmentId ?? null }] : [],
        );
        const invalid = rows.filter((r) => !r.member).length;
        if (save && invalid)
          throw new ApiError(409, 'import_has_errors', 'Some rows have problems: mend the file, nothing was saved');
        const changes = importMembers(tx, good, now, idHashKey, save);
        if (save)
          recordAudit(tx, now, principalOf(c), c.get('requestId'), {
            action: 'member.import',
            entity: 'member',
            after: {
              file: file.name,
              created: changes.filter((x) => x.change === 'created').length,
              updated: changes.filter((x) => x.change === 'updated' || x.change === 'reactivated').length,
            },
          });
        return {
          rows: rows.map((r) => ({ row: r.row, number: r.number, issues: r.issues })),
          valid: good.length,
          invalid,
          changes,
          saved: save,
        };
      });
      return c.json(result, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/template',
      tags: ['members'],
      summary: 'The member file template (CSV or XLSX): the headers and example rows',
      middleware: [requireRole('office')] as const,
      request: { query: z.object({ format: FileFormatSchema }) },
      responses: {
        200: fileContent('The template'),
        ...inputGuardResponses,
      },
    }),
    async (c) => {
      const format = c.req.valid('query').format;
      return downloadResponse(new Uint8Array(await memberTemplate(format)), format, 'gatehouse-members-template');
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['members'],
      summary: 'Members: everyone, out now, overdue, not checked in today, held, or inactive',
      middleware: [requireRole('office', 'approver')] as const,
      request: { query: MemberListQuerySchema },
      responses: { 200: jsonContent(pageOf(MemberSchema), 'A page of members'), ...inputGuardResponses },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const q = c.req.valid('query');
      const { rules } = currentRules(db);
      const after = decodeCursor(q.cursor, z.tuple([z.number().int()]));
      const rows = listMembers(
        db,
        { filter: q.filter, departmentId: q.departmentId, q: q.q, afterId: after?.[0], limit: q.limit },
        clock.now(),
        rules,
        scopeOf(principalOf(c)),
      );
      return c.json(
        pageFrom(rows, q.limit, (m) => [m.id]),
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/summary',
      tags: ['members'],
      summary: 'Per department: members, out, overdue, not checked in today, held; and exits on an office permit',
      middleware: [requireRole('office', 'approver')] as const,
      responses: { 200: jsonContent(MemberSummarySchema, 'The summary'), ...guardResponses },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      return c.json(memberSummary(db, clock.now(), currentRules(db).rules, scopeOf(principalOf(c))), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/{id}/reissue',
      tags: ['members'],
      summary: 'A new personal link and credential: the old link dies and the old credential is refused at every gate',
      middleware: [requireRole('office')] as const,
      request: { params: IdParamSchema },
      responses: {
        200: jsonContent(MemberLinkSchema, 'The new link (give it to the member)'),
        ...inputGuardResponses,
        404: jsonContent(ErrorBodySchema, 'No such member'),
      },
    }),
    (c) => {
      const { db, clock, publicOrigin } = c.get('deps');
      const now = clock.now();
      const token = db.transaction((tx) => {
        const m = memberById(tx, c.req.valid('param').id);
        const t = reissueLink(tx, m, now);
        recordAudit(tx, now, principalOf(c), c.get('requestId'), {
          action: 'member.reissue',
          entity: 'member',
          entityId: m.id,
        });
        return t;
      });
      return c.json({ link: `${publicOrigin()}${memberPage(token)}` }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/{id}/link',
      tags: ['members'],
      summary: 'The member’s current personal link (to give it to them again); the reading is audited',
      middleware: [requireRole('office')] as const,
      request: { params: IdParamSchema },
      responses: {
        200: jsonContent(MemberLinkSchema, 'The link'),
        ...inputGuardResponses,
        404: jsonContent(ErrorBodySchema, 'No such member'),
      },
    }),
    (c) => {
      const { db, clock, publicOrigin } = c.get('deps');
      const now = clock.now();
      const token = db.transaction((tx) => {
        const m = memberById(tx, c.req.valid('param').id);
        recordAudit(tx, now, principalOf(c), c.get('requestId'), {
          action: 'member.link_read',
          entity: 'member',
          entityId: m.id,
        });
        return m.linkToken;
      });
      return c.json({ link: `${publicOrigin()}${memberPage(token)}` }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/{id}/deactivate',
      tags: ['members'],
      summary:
        'The member left the campus for good: refused at every gate, personal data purged after the retention days',
      middleware: [requireRole('office')] as const,
      request: { params: IdParamSchema },
      responses: {
        200: jsonContent(MemberSchema, 'Deactivated'),
        ...inputGuardResponses,
        404: jsonContent(ErrorBodySchema, 'No such member'),
      },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const now = clock.now();
      const { rules } = currentRules(db);
      const view = db.transaction((tx) => {
        const m = memberById(tx, c.req.valid('param').id);
        deactivate(tx, m, now);
        recordAudit(tx, now, principalOf(c), c.get('requestId'), {
          action: 'member.deactivate',
          entity: 'member',
          entityId: m.id,
        });
        const after = memberById(tx, m.id);
        return memberView(
          { ...after, department: null, departmentEn: null },
          memberFlags(tx, [m.id], now, rules).get(m.id)!,
        );
      });
      return c.json(view, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/{id}/exit-permit',
      tags: ['members'],
      summary:
        'The office lets a member out without a leave (a gate refusal overridden): recorded with who and why; the member scans again',
      middleware: [requireRole('office')] as const,
      request: { params: IdParamSchema, ...jsonBody(ExitPermitSchema) },
      responses: {
        200: jsonContent(LeaveSchema, 'The permit, approved by the office'),
        ...inputGuardResponses,
        404: jsonContent(ErrorBodySchema, 'No such member'),
        409: errorContent(
          'Inactive, already out, or ending in the past',
          'member_inactive',
          'leave_open',
          'leave_in_past',
        ),
      },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const now = clock.now();
      const { rules } = currentRules(db);
      const p = principalOf(c);
      const view = db.transaction((tx) => {
        const m = memberById(tx, c.req.valid('param').id);
        const l = grantExitPermit(tx, m, c.req.valid('json'), p.userId!, now);
        recordAudit(tx, now, p, c.get('requestId'), {
          action: 'member.exit_permit',
          entity: 'leave',
          entityId: l.id,
          reason: l.decisionNote,
        });
        return leaveView(leaveById(tx, l.id), now, activeRiskAreas(tx), rules.timezone);
      });
      return c.json(view, 200);
    },
  );

export const leaveRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['members'],
      summary: 'Leaves to decide and decided: an approver’s own department’s, the office’s every department’s',
      middleware: [requireRole('office', 'approver')] as const,
      request: { query: LeaveListQuerySchema },
      responses: { 200: jsonContent(pageOf(LeaveWithMemberSchema), 'A page of leaves'), ...inputGuardResponses },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const q = c.req.valid('query');
      const before = decodeCursor(q.cursor, z.tuple([z.number().int()]));
      const rows = listLeaves(db, q.status, clock.now(), currentRules(db).rules, scopeOf(principalOf(c)), {
        beforeId: before?.[0],
        limit: q.limit,
      });
      return c.json(
        pageFrom(rows, q.limit, (l) => [l.id]),
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/{id}/decision',
      tags: ['members'],
      summary: 'Approve or reject a leave (谁批准谁负责: the approver is recorded); a rejection says why',
      middleware: [requireRole('office', 'approver')] as const,
      request: { params: IdParamSchema, ...jsonBody(LeaveDecisionSchema) },
      responses: {
        200: jsonContent(LeaveSchema, 'Decided'),
        ...inputGuardResponses,
        404: jsonContent(ErrorBodySchema, 'No such leave (or not this approver’s department)'),
        409: errorContent('Already decided or cancelled', 'leave_decided'),
      },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const now = clock.now();
      const p = principalOf(c);
      const { approve, note } = c.req.valid('json');
      const { rules } = currentRules(db);
      const view = db.transaction((tx) => {
        const { leave, member } = leaveForDecision(tx, c.req.valid('param').id);
        assertMayDecide(p, member);
        decideLeave(tx, leave, approve, note ?? null, p.userId!, now);
        recordAudit(tx, now, p, c.get('requestId'), {
          action: approve ? 'leave.approve' : 'leave.reject',
          entity: 'leave',
          entityId: leave.id,
          reason: note ?? null,
        });
        return leaveView(leaveById(tx, leave.id), now, activeRiskAreas(tx), rules.timezone);
      });
      return c.json(view, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/{id}/clear',
      tags: ['members'],
      summary: 'Clear a member back from a risk area: the gate’s hold on their return ends',
      middleware: [requireRole('office')] as const,
      request: { params: IdParamSchema },
      responses: {
        200: jsonContent(LeaveSchema, 'Cleared'),
        ...inputGuardResponses,
        404: jsonContent(ErrorBodySchema, 'No such leave'),
      },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const now = clock.now();
      const p = principalOf(c);
      const { rules } = currentRules(db);
      const view = db.transaction((tx) => {
        const l = clearHold(tx, c.req.valid('param').id, p.userId!, now);
        recordAudit(tx, now, p, c.get('requestId'), { action: 'leave.clear_hold', entity: 'leave', entityId: l.id });
        return leaveView(leaveById(tx, l.id), now, activeRiskAreas(tx), rules.timezone);
      });
      return c.json(view, 200);
    },
  );

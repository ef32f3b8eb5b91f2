import { createRoute, z } from '@hono/zod-openapi';
import { searchRegions } from '../regions/data';
import { RegionHitSchema, RegionQuerySchema } from '../visit/schemas';
import { ErrorBodySchema } from '../lib/errors';
import { createRouter, errorContent, jsonBody, jsonContent } from '../lib/router';
import { limited, unknownLink, visitRateLimit } from '../visit/routes';
import { currentRules } from '../rules/store';
import { IdParamSchema } from '../lib/schemas';
import { CheckInInputSchema, LeaveInputSchema, MemberPageSchema, MemberTokenParam } from './schemas';
import { cancelLeave, checkIn, fileLeave, memberByToken, memberPageView as pageOf } from './store';

/** The member's own phone page (`/m/<token>`): no sign-in, the unguessable link is the credential. */
export const memberPageRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/{token}',
      tags: ['member page'],
      summary:
        'The member’s own page: their signed credential (the phone shows it with a live code), leaves and check-in',
      middleware: [visitRateLimit] as const,
      request: { params: MemberTokenParam },
      responses: {
        200: jsonContent(MemberPageSchema, 'The page'),
        400: jsonContent(ErrorBodySchema, 'Malformed link'),
        ...unknownLink,
        ...limited,
      },
    }),
    (c) => {
      const { db, clock, keys } = c.get('deps');
      c.header('Cache-Control', 'no-store');
      const page = db.transaction((tx) => pageOf(tx, memberByToken(tx, c.req.valid('param').token), clock.now(), keys));
      return c.json(page, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/{token}/leaves',
      tags: ['member page'],
      summary: 'File a leave (请假): from, to, destination, reason; the department’s approver decides',
      middleware: [visitRateLimit] as const,
      request: { params: MemberTokenParam, ...jsonBody(LeaveInputSchema) },
      responses: {
        200: jsonContent(MemberPageSchema, 'Filed: the page as it is now'),
        400: jsonContent(ErrorBodySchema, 'Invalid fields'),
        ...unknownLink,
        409: errorContent(
          'The destination is a risk area under the level in force, a leave is already open, it ends in the past, or the member is inactive',
          'destination_risk_area',
          'leave_open',
          'leave_in_past',
          'member_inactive',
        ),
        ...limited,
      },
    }),
    (c) => {
      const { db, clock, keys, events } = c.get('deps');
      const now = clock.now();
      const page = events.transact(db, (tx, happened) => {
        const m = memberByToken(tx, c.req.valid('param').token);
        const leave = fileLeave(tx, m, c.req.valid('json'), now, currentRules(tx).rules);
        happened({ type: 'leave.filed', leaveId: leave.id, at: now });
        return pageOf(tx, m, now, keys);
      });
      return c.json(page, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/{token}/leaves/{id}/cancel',
      tags: ['member page'],
      summary: 'Cancel a pending or approved leave not yet used',
      middleware: [visitRateLimit] as const,
      request: {
        params: MemberTokenParam.extend(IdParamSchema.shape),
      },
      responses: {
        200: jsonContent(MemberPageSchema, 'Cancelled'),
        400: jsonContent(ErrorBodySchema, 'Malformed'),
        404: jsonContent(ErrorBodySchema, 'No such link or leave'),
        409: errorContent('Already used, decided against or cancelled', 'leave_not_open'),
        ...limited,
      },
    }),
    (c) => {
      const { db, clock, keys } = c.get('deps');
      const now = clock.now();
      const { token, id } = c.req.valid('param');
      const page = db.transaction((tx) => {
        const m = memberByToken(tx, token);
        cancelLeave(tx, m, id, now);
        return pageOf(tx, m, now, keys);
      });
      return c.json(page, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/{token}/check-in',
      tags: ['member page'],
      summary: 'Today’s health check-in (每日健康打卡): the fields the campus asks; again the same day replaces it',
      middleware: [visitRateLimit] as const,
      request: { params: MemberTokenParam, ...jsonBody(CheckInInputSchema) },
      responses: {
        200: jsonContent(MemberPageSchema, 'Checked in'),
        400: jsonContent(ErrorBodySchema, 'Invalid or missing fields'),
        ...unknownLink,
        409: errorContent('The member is inactive', 'member_inactive'),
        ...limited,
      },
    }),
    (c) => {
      const { db, clock, keys } = c.get('deps');
      const now = clock.now();
      const page = db.transaction((tx) => {
        const m = memberByToken(tx, c.req.valid('param').token);
        checkIn(tx, m, c.req.valid('json'), now, currentRules(tx).rules);
        return pageOf(tx, m, now, keys);
      });
      return c.json(page, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/{token}/regions',
      tags: ['member page'],
      summary: 'Search GB/T 2260 regions by Chinese name or code: where the member goes, where they are',
      middleware: [visitRateLimit] as const,
      request: {
        params: MemberTokenParam,
        query: RegionQuerySchema,
      },
      responses: {
        200: jsonContent(z.array(RegionHitSchema), 'Matches'),
        400: jsonContent(ErrorBodySchema, 'Invalid'),
        ...unknownLink,
        ...limited,
      },
    }),
    (c) => {
      memberByToken(c.get('deps').db, c.req.valid('param').token);
      const { q, limit } = c.req.valid('query');
      return c.json(searchRegions(q, limit), 200);
    },
  );

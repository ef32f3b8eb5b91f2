import { createRoute, z } from '@hono/zod-openapi';
import { createMiddleware } from 'hono/factory';
import { clientAddress } from '../lib/client-address';
import { ApiError, ErrorBodySchema } from '../lib/errors';
import { createRouter, errorContent, jsonBody, jsonContent } from '../lib/router';
import { LOCALES } from '../requests/schemas';
import { declare, linkOr404, markOpened, requestErasure, visitPage } from './store';
import {
  DeclarationInputSchema,
  RegionHitSchema,
  RegionQuerySchema,
  VisitPageSchema,
  VisitTokenParam,
} from './schemas';
import { searchRegions } from '../regions/data';
import type { AppEnv } from '../lib/context';

/**
 * The visitors' and members' own pages are open to anyone holding a link, so each address gets VISIT_RATE_LIMIT
 * requests a minute across them: a guessed link costs the same as a real one.
 */
export const visitRateLimit = createMiddleware<AppEnv>(async (c, next) => {
  const { clock, config, visitLimiter } = c.get('deps');
  const address = clientAddress(c, config.TRUST_PROXY);
  const now = clock.now().getTime();
  const wait = visitLimiter.blockedFor(address, now);
  if (wait !== null)
    throw new ApiError(429, 'rate_limited', 'Too many requests from this address; wait and try again', {
      headers: { 'Retry-After': String(wait) },
    });
  visitLimiter.record(address, now);
  await next();
});

export const limited = { 429: errorContent('Too many requests from this address; see Retry-After', 'rate_limited') };
export const unknownLink = { 404: jsonContent(ErrorBodySchema, 'No such link (or it was re-issued)') };

export const visitRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/{token}',
      tags: ['visit'],
      summary:
        'The visitor’s own page (no sign-in: the unguessable link is the credential): the invitation, their declaration, then their pass',
      middleware: [visitRateLimit] as const,
      request: { params: VisitTokenParam },
      responses: {
        200: jsonContent(VisitPageSchema, 'The page'),
        400: jsonContent(ErrorBodySchema, 'Malformed link'),
        ...unknownLink,
        ...limited,
      },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const resolved = linkOr404(db, c.req.valid('param').token);
      c.header('Cache-Control', 'no-store');
      return c.json(visitPage(db, resolved, clock.now()), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/{token}/opened',
      tags: ['visit'],
      summary: 'The visitor opened their page (the department sees it), in their phone’s language',
      middleware: [visitRateLimit] as const,
      request: { params: VisitTokenParam, ...jsonBody(z.object({ locale: z.enum(LOCALES) })) },
      responses: {
        204: { description: 'Noted' },
        400: jsonContent(ErrorBodySchema, 'Invalid'),
        ...unknownLink,
        ...limited,
      },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const resolved = linkOr404(db, c.req.valid('param').token);
      db.transaction((tx) => markOpened(tx, resolved, clock.now(), c.req.valid('json').locale));
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/{token}/declaration',
      tags: ['visit'],
      summary:
        'Fill in (or correct, until the review) the visitor’s own part: consents, ID number, travel, test, the signed commitment',
      middleware: [visitRateLimit] as const,
      request: { params: VisitTokenParam, ...jsonBody(DeclarationInputSchema) },
      responses: {
        200: jsonContent(
          VisitPageSchema,
          'Saved: the page as it is now (a group link answers with the visitor’s own link)',
        ),
        400: jsonContent(ErrorBodySchema, 'Invalid fields (in zh and en), a missing consent or signature'),
        ...unknownLink,
        409: errorContent(
          'Locked (reviewed, over, cancelled or withdrawn), everyone of the group filled in, or this ID number is already on the visit',
          'declaration_closed',
          'group_full',
          'already_declared',
        ),
        ...limited,
      },
    }),
    (c) => {
      const { db, events, clock, idHashKey } = c.get('deps');
      const now = clock.now();
      const input = c.req.valid('json');
      const page = events.transact(db, (tx, happened) => {
        const resolved = linkOr404(tx, c.req.valid('param').token);
        const visitor = declare(tx, happened, resolved, input, now, idHashKey);
        return visitPage(tx, { ...resolved, visitor }, now);
      });
      return c.json(page, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/{token}/erasure',
      tags: ['visit'],
      summary: 'After the visit: ask for the visitor’s personal data to be erased (the office is told)',
      middleware: [visitRateLimit] as const,
      request: { params: VisitTokenParam },
      responses: {
        200: jsonContent(VisitPageSchema, 'Asked: the page says by when'),
        400: jsonContent(ErrorBodySchema, 'Malformed link'),
        ...unknownLink,
        409: errorContent('Not yet (the visit is not over), already asked, or already erased', 'erasure_not_allowed'),
        ...limited,
      },
    }),
    (c) => {
      const { db, events, clock } = c.get('deps');
      const now = clock.now();
      const page = events.transact(db, (tx, happened) => {
        const resolved = linkOr404(tx, c.req.valid('param').token);
        const before = visitPage(tx, resolved, now);
        if (!resolved.visitor || !before.erasure.allowed)
          throw new ApiError(409, 'erasure_not_allowed', 'Erasure can be asked once, after the visit');
        requestErasure(tx, happened, resolved.visitor, now);
        return visitPage(tx, linkOr404(tx, c.req.valid('param').token), now);
      });
      return c.json(page, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/{token}/regions',
      tags: ['visit'],
      summary: 'Search GB/T 2260 regions by Chinese name or code, for the visitor filling in where they come from',
      middleware: [visitRateLimit] as const,
      request: {
        params: VisitTokenParam,
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
      linkOr404(c.get('deps').db, c.req.valid('param').token);
      const { q, limit } = c.req.valid('query');
      return c.json(searchRegions(q, limit), 200);
    },
  );

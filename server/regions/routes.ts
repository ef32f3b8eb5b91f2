import { createRoute, z } from '@hono/zod-openapi';
import { ErrorBodySchema } from '../lib/errors';
import { createRouter, jsonContent, guardResponses } from '../lib/router';
import { requireRole } from '../middleware/auth';
import { ROLES } from '../domain/roles';
import { searchRegions } from './data';

export const regionRoutes = createRouter().openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags: ['filing'],
    summary:
      'Search GB/T 2260 regions by Chinese name, pinyin (jinshui, Jinshui District), initials (jsq) or code prefix',
    middleware: [requireRole(...ROLES)] as const,
    request: {
      query: z.object({
        q: z.string().trim().min(1).max(30),
        limit: z.coerce.number().int().min(1).max(50).default(20),
      }),
    },
    responses: {
      200: jsonContent(z.array(z.object({ code: z.string(), name: z.string(), fullName: z.string() })), 'Matches'),
      400: jsonContent(ErrorBodySchema, 'Invalid'),
      ...guardResponses,
    },
  }),
  (c) => {
    const { q, limit } = c.req.valid('query');
    return c.json(searchRegions(q, limit), 200);
  },
);

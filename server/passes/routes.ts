import { createRoute, z } from '@hono/zod-openapi';
import { passById, revokePass } from './store';
import { recordAudit } from '../lib/audit';
import { ApiError, ErrorBodySchema, notFound } from '../lib/errors';
import { createRouter, jsonBody, jsonContent, errorContent, guardResponses } from '../lib/router';
import { principalOf, requireRole } from '../middleware/auth';
import { loadVisibleRequest } from '../requests/scope';
import { addHistory } from '../requests/store';
import { currentRules } from '../rules/store';
import { publicKeys, rotateSigningKey } from './keys';
import { PassIdParamSchema } from '../lib/schemas';

export const passRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/keys',
      tags: ['passes'],
      summary: 'Public pass-verification keys, for kiosks',
      middleware: [requireRole('guard', 'office', 'admin')] as const,
      responses: {
        200: jsonContent(
          z.array(
            z.object({
              kid: z.number().int(),
              publicKey: z.string(),
              rotatedAt: z.string().nullable(),
              acceptUntil: z.string().nullable().openapi({ description: 'A rotated-out key is refused after this' }),
            }),
          ),
          'Keys in use (retired ones are no longer listed)',
        ),
        ...guardResponses,
      },
    }),
    (c) =>
      c.json(
        publicKeys(c.get('deps').db).map((k) => ({
          kid: k.kid,
          publicKey: k.publicKey,
          rotatedAt: k.rotatedAt?.toISOString() ?? null,
          acceptUntil: k.acceptUntil?.toISOString() ?? null,
        })),
        200,
      ),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/keys',
      tags: ['passes'],
      summary:
        'Rotate the pass-signing key: new passes use a new key; passes already issued stay valid until they end, then the old key is retired',
      middleware: [requireRole('admin')] as const,
      request: jsonBody(z.object({ reason: z.string().trim().min(2).max(500) })),
      responses: {
        200: jsonContent(
          z.object({
            kid: z.number().int(),
            rotated: z.array(z.object({ kid: z.number().int(), acceptUntil: z.string().nullable() })),
          }),
          'The new key id and the keys rotated out',
        ),
        400: jsonContent(ErrorBodySchema, 'Invalid'),
        ...guardResponses,
      },
    }),
    (c) => {
      const { db, clock, keys } = c.get('deps');
      const p = principalOf(c);
      const { reason } = c.req.valid('json');
      const now = clock.now();
      const out = db.transaction((tx) => {
        const { kid, rotated } = rotateSigningKey(
          tx,
          now,
          keys.signingKeyWrap,
          currentRules(tx).rules.clockToleranceMinutes * 60_000,
        );
        const views = publicKeys(tx)
          .filter((k) => rotated.includes(k.kid))
          .map((k) => ({ kid: k.kid, acceptUntil: k.acceptUntil?.toISOString() ?? null }));
        recordAudit(tx, now, p, c.get('requestId'), {
          action: 'signing_key.rotate',
          entity: 'signing_key',
          entityId: kid,
          after: { kid, rotated: views },
          reason,
        });
        return { kid, rotated: views };
      });
      return c.json(out, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/{id}/revoke',
      tags: ['passes'],
      summary: 'Revoke one pass; kiosks learn it at their next sync',
      middleware: [requireRole('office', 'filer')] as const,
      request: {
        params: PassIdParamSchema,
        ...jsonBody(z.object({ reason: z.string().trim().min(1).max(200) })),
      },
      responses: {
        200: jsonContent(z.object({ id: z.string(), revoked: z.boolean() }), 'Revoked'),
        400: jsonContent(ErrorBodySchema, 'Invalid'),
        ...guardResponses,
        404: jsonContent(ErrorBodySchema, 'No such pass'),
        409: errorContent('Already revoked', 'already_revoked'),
      },
    }),
    (c) => {
      const { db, events, clock } = c.get('deps');
      const p = principalOf(c);
      const { id } = c.req.valid('param');
      const { reason } = c.req.valid('json');
      const now = clock.now();
      events.transact(db, (tx, happened) => {
        const pass = passById(tx, id);
        if (!pass) throw notFound(`Pass ${id}`);
        loadVisibleRequest(tx, p, pass.requestId); // a filer may revoke only their department's passes
        if (pass.revokedAt) throw new ApiError(409, 'already_revoked', 'The pass is already revoked');
        revokePass(tx, id, now, reason);
        addHistory(
          tx,
          happened,
          pass.requestId,
          now,
          `${p.kind}:${p.label}`,
          'pass_revoked',
          null,
          null,
          `${id}: ${reason}`,
        );
        recordAudit(tx, now, p, c.get('requestId'), { action: 'pass.revoke', entity: 'pass', entityId: id, reason });
      });
      return c.json({ id, revoked: true }, 200);
    },
  );

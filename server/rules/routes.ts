import { createRoute, z } from '@hono/zod-openapi';
import { RulesSchema } from '../domain/rules';
import { recordAudit } from '../lib/audit';
import { createRouter, jsonBody, jsonContent, inputGuardResponses } from '../lib/router';
import { decodeCursor, PageQuerySchema, pageFrom, pageOf } from '../lib/schemas';
import { principalOf, requireRole } from '../middleware/auth';
import { ROLES } from '../domain/roles';
import { applyRecheck, recheckImpact } from '../requests/recheck';
import { currentCommitment, currentRules, publishCommitment, ruleHistoryPage, saveRuleVersion } from './store';

const RulesOut = z.object({ version: z.number().int(), rules: RulesSchema }).openapi('RuleVersion');
const ImpactSchema = z
  .array(
    z.object({
      requestId: z.number().int(),
      departmentId: z.number().int(),
      visitDateFrom: z.string(),
      reasons: z.array(z.string()),
    }),
  )
  .openapi('RecheckImpact');
const RulesChange = z.object({ rules: RulesSchema, reason: z.string().trim().min(2).max(500) });

export const ruleRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['rules'],
      summary: 'The rules in force and their version',
      middleware: [requireRole(...ROLES)] as const,
      responses: { 200: jsonContent(RulesOut, 'Current rules'), ...inputGuardResponses },
    }),
    (c) => c.json(currentRules(c.get('deps').db), 200),
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/history',
      tags: ['rules'],
      summary: 'Every version, newest first, with who and why',
      middleware: [requireRole('office', 'admin')] as const,
      request: { query: PageQuerySchema },
      responses: {
        200: jsonContent(
          pageOf(z.object({ version: z.number().int(), at: z.string(), actor: z.string(), reason: z.string() })),
          'A page of versions',
        ),
        ...inputGuardResponses,
      },
    }),
    (c) => {
      const { limit, cursor } = c.req.valid('query');
      const after = decodeCursor(cursor, z.tuple([z.number().int()]));
      const rows = ruleHistoryPage(c.get('deps').db, limit + 1, after?.[0]);
      const page = pageFrom(rows, limit, (r) => [r.id]);
      return c.json(
        {
          ...page,
          items: page.items.map((r) => ({
            version: r.id,
            at: r.createdAt.toISOString(),
            actor: r.actorLabel,
            reason: r.reason,
          })),
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/preview',
      tags: ['rules'],
      summary: 'Which approved future visits would fail under proposed rules (nothing saved)',
      middleware: [requireRole('office')] as const,
      request: jsonBody(RulesChange),
      responses: { 200: jsonContent(ImpactSchema, 'Affected requests'), ...inputGuardResponses },
    }),
    (c) =>
      c.json(recheckImpact(c.get('deps').db, c.get('deps').clock.now(), { rules: c.req.valid('json').rules }), 200),
  )
  .openapi(
    createRoute({
      method: 'put',
      path: '/',
      tags: ['rules'],
      summary: 'Save new rules as a new version; failing approved visits move to needs review',
      middleware: [requireRole('office')] as const,
      request: jsonBody(RulesChange),
      responses: { 200: jsonContent(RulesOut.extend({ impact: ImpactSchema }), 'Saved'), ...inputGuardResponses },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const p = principalOf(c);
      const { rules, reason } = c.req.valid('json');
      const now = clock.now();
      const out = db.transaction((tx) => {
        const before = currentRules(tx);
        const saved = saveRuleVersion(tx, now, `${p.kind}:${p.label}`, reason, rules);
        const impact = applyRecheck(tx, now, `${p.kind}:${p.label}`, `rules v${saved.version}`);
        recordAudit(tx, now, p, c.get('requestId'), {
          action: 'rules.update',
          entity: 'rules',
          entityId: saved.version,
          before: before.rules,
          after: rules,
          reason,
        });
        return { ...saved, impact };
      });
      return c.json(out, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/commitment',
      tags: ['rules'],
      summary: 'The current health commitment text and its version',
      middleware: [requireRole(...ROLES)] as const,
      responses: {
        200: jsonContent(z.object({ version: z.number().int(), zh: z.string(), en: z.string() }), 'Text'),
        ...inputGuardResponses,
      },
    }),
    (c) => {
      const t = currentCommitment(c.get('deps').db);
      return c.json({ version: t?.id ?? 0, zh: t?.textZh ?? '', en: t?.textEn ?? '' }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'put',
      path: '/commitment',
      tags: ['rules'],
      summary: 'Publish a new health commitment text (a new version)',
      middleware: [requireRole('office')] as const,
      request: jsonBody(z.object({ zh: z.string().trim().min(10).max(5000), en: z.string().trim().min(10).max(5000) })),
      responses: {
        200: jsonContent(z.object({ version: z.number().int(), zh: z.string(), en: z.string() }), 'Published'),
        ...inputGuardResponses,
      },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const p = principalOf(c);
      const { zh, en } = c.req.valid('json');
      const row = db.transaction((tx) => {
        const r = publishCommitment(tx, { zh, en, byUserId: p.userId });
        recordAudit(tx, clock.now(), p, c.get('requestId'), {
          action: 'commitment.publish',
          entity: 'commitment',
          entityId: r.id,
        });
        return r;
      });
      return c.json({ version: row.id, zh: row.textZh, en: row.textEn }, 200);
    },
  );

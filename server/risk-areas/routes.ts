import { createRoute, z } from '@hono/zod-openapi';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { riskAreas } from '../db/schema';
import { RISK_LEVELS } from '../domain/rules';
import { recordAudit } from '../lib/audit';
import { ApiError, ErrorBodySchema, notFound } from '../lib/errors';
import { createRouter, jsonBody, jsonContent } from '../lib/router';
import { IdParamSchema } from '../lib/schemas';
import { principalOf, requireRole } from '../middleware/auth';
import { ROLES } from '../domain/roles';
import { applyRecheck, recheckImpact } from '../requests/recheck';
import { IsoDateSchema } from '../requests/schemas';
import { currentRules, saveRuleVersion } from '../rules/store';
import { regionName } from '../regions/data';
import { activeRiskAreas } from './store';

const RiskAreaSchema = z
  .object({ id: z.number().int(), regionCode: z.string(), regionName: z.string(), level: z.enum(RISK_LEVELS), effectiveFrom: z.string(), effectiveTo: z.string().nullable(), note: z.string() })
  .openapi('RiskArea');
const RiskAreaInput = z
  .object({ regionCode: z.string().regex(/^\d{6}$/), level: z.enum(RISK_LEVELS), effectiveFrom: IsoDateSchema, effectiveTo: IsoDateSchema.nullable().default(null), note: z.string().trim().max(200).default(''), reason: z.string().trim().min(2).max(500) })
  .refine((a) => a.effectiveTo === null || a.effectiveTo >= a.effectiveFrom, { path: ['effectiveTo'], message: 'must not be before effectiveFrom' });
const ImpactSchema = z.array(z.object({ requestId: z.number().int(), departmentId: z.number().int(), visitDateFrom: z.string(), reasons: z.array(z.string()) }));
const errors = {
  400: jsonContent(ErrorBodySchema, 'Invalid'),
  401: jsonContent(ErrorBodySchema, 'Not signed in'),
  403: jsonContent(ErrorBodySchema, 'Role not allowed'),
};
const view = (r: typeof riskAreas.$inferSelect) => ({ id: r.id, regionCode: r.regionCode, regionName: regionName(r.regionCode) ?? '', level: r.level, effectiveFrom: r.effectiveFrom, effectiveTo: r.effectiveTo, note: r.note });

function assertKnownRegion(code: string) {
  if (!regionName(code)) throw new ApiError(400, 'validation_failed', 'Unknown region', { issues: [{ path: ['regionCode'], code: 'unknown_region', message: `No GB/T 2260 region ${code}` }] });
}

/** The office's list of medium- and high-risk areas (rule 4); each change is a new rule version. */
export const riskAreaRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get', path: '/', tags: ['rules'], summary: 'Risk areas in the list (removed ones excluded)',
      middleware: [requireRole(...ROLES)] as const,
      responses: { 200: jsonContent(z.array(RiskAreaSchema), 'Areas'), ...errors },
    }),
    (c) => c.json(c.var.deps.db.select().from(riskAreas).where(isNull(riskAreas.removedAt)).orderBy(desc(riskAreas.id)).all().map(view), 200),
  )
  .openapi(
    createRoute({
      method: 'post', path: '/preview', tags: ['rules'], summary: 'Which approved future visits adding this area would stop (nothing saved)',
      middleware: [requireRole('office')] as const,
      request: jsonBody(RiskAreaInput),
      responses: { 200: jsonContent(ImpactSchema, 'Affected requests'), ...errors },
    }),
    (c) => {
      const { db, clock } = c.var.deps;
      const a = c.req.valid('json');
      assertKnownRegion(a.regionCode);
      return c.json(recheckImpact(db, clock.now(), { riskAreas: [...activeRiskAreas(db), a] }), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post', path: '/', tags: ['rules'], summary: 'Add a risk area; approved visits that now fail move to needs review',
      middleware: [requireRole('office')] as const,
      request: jsonBody(RiskAreaInput),
      responses: { 201: jsonContent(RiskAreaSchema.extend({ ruleVersion: z.number().int(), impact: ImpactSchema }), 'Added'), ...errors },
    }),
    (c) => {
      const { db, clock } = c.var.deps;
      const p = principalOf(c);
      const { reason, ...a } = c.req.valid('json');
      assertKnownRegion(a.regionCode);
      const now = clock.now();
      const actor = `${p.kind}:${p.label}`;
      const out = db.transaction((tx) => {
        const row = tx.insert(riskAreas).values(a).returning().get();
        const { version } = saveRuleVersion(tx, now, actor, `risk area ${a.regionCode} ${a.level}: ${reason}`, currentRules(tx).rules);
        const impact = applyRecheck(tx, now, actor, `risk area ${a.regionCode}`);
        recordAudit(tx, now, p, c.var.requestId, { action: 'risk_area.add', entity: 'risk_area', entityId: row.id, after: view(row), reason });
        return { ...view(row), ruleVersion: version, impact };
      });
      return c.json(out, 201);
    },
  )
  .openapi(
    createRoute({
      method: 'delete', path: '/{id}', tags: ['rules'], summary: 'Remove a risk area from the list (kept for history)',
      middleware: [requireRole('office')] as const,
      request: { params: IdParamSchema },
      responses: { 200: jsonContent(RiskAreaSchema.extend({ ruleVersion: z.number().int() }), 'Removed'), ...errors, 404: jsonContent(ErrorBodySchema, 'No such area') },
    }),
    (c) => {
      const { db, clock } = c.var.deps;
      const p = principalOf(c);
      const { id } = c.req.valid('param');
      const now = clock.now();
      const out = db.transaction((tx) => {
        const row = tx.select().from(riskAreas).where(and(eq(riskAreas.id, id), isNull(riskAreas.removedAt))).get();
        if (!row) throw notFound(`Risk area ${id}`);
        tx.update(riskAreas).set({ removedAt: now }).where(eq(riskAreas.id, id)).run();
        const { version } = saveRuleVersion(tx, now, `${p.kind}:${p.label}`, `risk area ${row.regionCode} removed`, currentRules(tx).rules);
        recordAudit(tx, now, p, c.var.requestId, { action: 'risk_area.remove', entity: 'risk_area', entityId: id, before: view(row) });
        return { ...view(row), ruleVersion: version };
      });
      return c.json(out, 200);
    },
  );

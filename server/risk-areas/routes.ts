import { createRoute, z } from '@hono/zod-openapi';
import { RISK_LEVELS } from '../domain/rules';
import { recordAudit } from '../lib/audit';
import { ApiError, ErrorBodySchema, notFound } from '../lib/errors';
import { createRouter, jsonBody, jsonContent, inputGuardResponses } from '../lib/router';
import { IdParamSchema } from '../lib/schemas';
import { principalOf, requireRole } from '../middleware/auth';
import { ROLES } from '../domain/roles';
import { recheckImpact } from '../requests/recheck';
import { IsoDateSchema, RecheckImpactSchema } from '../requests/schemas';
import { currentRules } from '../rules/store';
import { changeRules } from '../rules/change';
import { regionName } from '../regions/data';
import { activeRiskAreas, insertRiskArea, listedRiskAreas, removeRiskArea, type RiskAreaRow } from './store';
import { parseCsv } from '../lib/csv';

const RiskAreaSchema = z
  .object({
    id: z.number().int(),
    regionCode: z.string(),
    regionName: z.string(),
    level: z.enum(RISK_LEVELS),
    effectiveFrom: z.string(),
    effectiveTo: z.string().nullable(),
    note: z.string(),
  })
  .openapi('RiskArea');
const RiskAreaInput = z
  .object({
    regionCode: z.string().regex(/^\d{6}$/),
    level: z.enum(RISK_LEVELS),
    effectiveFrom: IsoDateSchema,
    effectiveTo: IsoDateSchema.nullable().default(null),
    note: z.string().trim().max(200).default(''),
    reason: z.string().trim().min(2).max(500),
  })
  .refine((a) => a.effectiveTo === null || a.effectiveTo >= a.effectiveFrom, {
    path: ['effectiveTo'],
    message: 'must not be before effectiveFrom',
  });
const view = (r: RiskAreaRow) => ({
  id: r.id,
  regionCode: r.regionCode,
  regionName: regionName(r.regionCode) ?? '',
  level: r.level,
  effectiveFrom: r.effectiveFrom,
  effectiveTo: r.effectiveTo,
  note: r.note,
});

const CSV_COLUMNS = ['region_code', 'level', 'effective_from', 'effective_to', 'note'] as const;
const RiskAreaRow = z
  .object({
    regionCode: z.string().regex(/^\d{6}$/),
    level: z.enum(RISK_LEVELS),
    effectiveFrom: IsoDateSchema,
    effectiveTo: IsoDateSchema.nullable(),
    note: z.string().trim().max(200),
  })
  .refine((a) => a.effectiveTo === null || a.effectiveTo >= a.effectiveFrom, {
    path: ['effectiveTo'],
    message: 'must not be before effectiveFrom',
  });

/** Checks every row (and its region code against GB/T 2260) before anything is saved; errors name row and column. */
function parseRiskAreaCsv(text: string) {
  const [header, ...rows] = parseCsv(text);
  const cols = (header ?? []).map((h) => h.trim().toLowerCase());
  const missing = CSV_COLUMNS.filter((c) => c !== 'note' && c !== 'effective_to' && !cols.includes(c));
  if (missing.length)
    throw new ApiError(400, 'validation_failed', 'The CSV header lacks columns', {
      issues: missing.map((m) => ({ path: ['csv', 0, m], code: 'missing_column', message: `column ${m} is missing` })),
    });
  const issues: { path: (string | number)[]; code: string; message: string }[] = [];
  const out = rows.map((r, i) => {
    const get = (c: (typeof CSV_COLUMNS)[number]) => (cols.includes(c) ? (r[cols.indexOf(c)] ?? '').trim() : '');
    const parsed = RiskAreaRow.safeParse({
      regionCode: get('region_code'),
      level: get('level'),
      effectiveFrom: get('effective_from'),
      effectiveTo: get('effective_to') || null,
      note: get('note'),
    });
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        issues.push({ path: ['csv', i + 1, String(issue.path[0] ?? '')], code: issue.code, message: issue.message });
      return null;
    }
    if (!regionName(parsed.data.regionCode))
      issues.push({
        path: ['csv', i + 1, 'regionCode'],
        code: 'unknown_region',
        message: `No GB/T 2260 region ${parsed.data.regionCode}`,
      });
    return parsed.data;
  });
  if (rows.length === 0) issues.push({ path: ['csv'], code: 'empty', message: 'no rows under the header' });
  if (issues.length)
    throw new ApiError(400, 'validation_failed', 'Some rows are invalid; nothing was saved', {
      issues: issues.slice(0, 100),
    });
  return out.filter((a): a is NonNullable<typeof a> => a !== null);
}

function assertKnownRegion(code: string) {
  if (!regionName(code))
    throw new ApiError(400, 'validation_failed', 'Unknown region', {
      issues: [{ path: ['regionCode'], code: 'unknown_region', message: `No GB/T 2260 region ${code}` }],
    });
}

/** The office's list of medium- and high-risk areas (rule 4); each change is a new rule version. */
export const riskAreaRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['rules'],
      summary: 'Risk areas in the list (removed ones excluded)',
      middleware: [requireRole(...ROLES)] as const,
      responses: { 200: jsonContent(z.array(RiskAreaSchema), 'Areas'), ...inputGuardResponses },
    }),
    (c) => c.json(listedRiskAreas(c.get('deps').db).map(view), 200),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/preview',
      tags: ['rules'],
      summary: 'Which approved future visits adding this area would stop (nothing saved)',
      middleware: [requireRole('office')] as const,
      request: jsonBody(RiskAreaInput),
      responses: { 200: jsonContent(RecheckImpactSchema, 'Affected requests'), ...inputGuardResponses },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const a = c.req.valid('json');
      assertKnownRegion(a.regionCode);
      return c.json(recheckImpact(db, clock.now(), { riskAreas: [...activeRiskAreas(db), a] }), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['rules'],
      summary: 'Add a risk area; approved visits that now fail move to needs review',
      middleware: [requireRole('office')] as const,
      request: jsonBody(RiskAreaInput),
      responses: {
        201: jsonContent(
          RiskAreaSchema.extend({ ruleVersion: z.number().int(), impact: RecheckImpactSchema }),
          'Added',
        ),
        ...inputGuardResponses,
      },
    }),
    (c) => {
      const { db, events, clock } = c.get('deps');
      const p = principalOf(c);
      const { reason, ...a } = c.req.valid('json');
      assertKnownRegion(a.regionCode);
      const now = clock.now();
      const actor = `${p.kind}:${p.label}`;
      const out = events.transact(db, (tx, happened) => {
        const row = insertRiskArea(tx, a);
        const { version, impact } = changeRules(tx, happened, {
          now,
          actor,
          reason: `risk area ${a.regionCode} ${a.level}: ${reason}`,
          rules: currentRules(tx).rules,
          trigger: () => `risk area ${a.regionCode}`,
        });
        recordAudit(tx, now, p, c.get('requestId'), {
          action: 'risk_area.add',
          entity: 'risk_area',
          entityId: row.id,
          after: view(row),
          reason,
        });
        return { ...view(row), ruleVersion: version, impact };
      });
      return c.json(out, 201);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/import',
      tags: ['rules'],
      summary:
        'Add risk areas from CSV (region_code, level, effective_from, effective_to, note): all rows or none, one rule version; with dryRun, only the impact',
      middleware: [requireRole('office')] as const,
      request: jsonBody(
        z.object({
          csv: z.string().min(1).max(500_000),
          reason: z.string().trim().min(2).max(500),
          dryRun: z.boolean().default(false),
        }),
      ),
      responses: {
        200: jsonContent(
          z.object({ rows: z.number().int(), ruleVersion: z.number().int().nullable(), impact: RecheckImpactSchema }),
          'Imported (or previewed)',
        ),
        ...inputGuardResponses,
      },
    }),
    (c) => {
      const { db, events, clock } = c.get('deps');
      const p = principalOf(c);
      const { csv, reason, dryRun } = c.req.valid('json');
      const areas = parseRiskAreaCsv(csv);
      const now = clock.now();
      if (dryRun)
        return c.json(
          {
            rows: areas.length,
            ruleVersion: null,
            impact: recheckImpact(db, now, { riskAreas: [...activeRiskAreas(db), ...areas] }),
          },
          200,
        );
      const actor = `${p.kind}:${p.label}`;
      const out = events.transact(db, (tx, happened) => {
        for (const a of areas) insertRiskArea(tx, a);
        const { version, impact } = changeRules(tx, happened, {
          now,
          actor,
          reason: `risk areas imported (${areas.length}): ${reason}`,
          rules: currentRules(tx).rules,
          trigger: () => `risk areas imported (${areas.length})`,
        });
        recordAudit(tx, now, p, c.get('requestId'), {
          action: 'risk_area.import',
          entity: 'risk_area',
          after: { rows: areas.length },
          reason,
        });
        return { rows: areas.length, ruleVersion: version, impact };
      });
      return c.json(out, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/{id}',
      tags: ['rules'],
      summary: 'Remove a risk area from the list (kept for history)',
      middleware: [requireRole('office')] as const,
      request: { params: IdParamSchema },
      responses: {
        200: jsonContent(RiskAreaSchema.extend({ ruleVersion: z.number().int() }), 'Removed'),
        ...inputGuardResponses,
        404: jsonContent(ErrorBodySchema, 'No such area'),
      },
    }),
    (c) => {
      const { db, events, clock } = c.get('deps');
      const p = principalOf(c);
      const { id } = c.req.valid('param');
      const now = clock.now();
      const out = events.transact(db, (tx, happened) => {
        const row = removeRiskArea(tx, id, now);
        if (!row) throw notFound(`Risk area ${id}`);
        const { version } = changeRules(tx, happened, {
          now,
          actor: `${p.kind}:${p.label}`,
          reason: `risk area ${row.regionCode} removed`,
          rules: currentRules(tx).rules,
          trigger: () => `risk area ${row.regionCode} removed`,
        });
        recordAudit(tx, now, p, c.get('requestId'), {
          action: 'risk_area.remove',
          entity: 'risk_area',
          entityId: id,
          before: view(row),
        });
        return { ...view(row), ruleVersion: version };
      });
      return c.json(out, 200);
    },
  );

import { createRoute, z } from '@hono/zod-openapi';
import { RulesSchema, type Rules } from '../domain/rules';
import { fieldError } from '../lib/errors';
import { recordAudit } from '../lib/audit';
import { createRouter, jsonBody, jsonContent, inputGuardResponses } from '../lib/router';
import { decodeCursor, PageQuerySchema, pageFrom, pageOf } from '../lib/schemas';
import { principalOf, requireRole } from '../middleware/auth';
import { ROLES } from '../domain/roles';
import { recheckImpact } from '../requests/recheck';
import { changeRules } from './change';
import { RecheckImpactSchema } from '../requests/schemas';
import { regionName } from '../regions/data';
import { currentCommitment, currentRules, publishCommitment, ruleHistoryPage, type RuleVersion } from './store';
import type { Context } from 'hono';
import type { AppEnv } from '../lib/context';

const RulesOut = z.object({ version: z.number().int(), rules: RulesSchema }).openapi('RuleVersion');
const RulesChange = z.object({ rules: RulesSchema, reason: z.string().trim().min(2).max(500) });
const LevelChange = z.object({
  level: z.string().min(1).max(32).openapi({ description: 'The id of one of the levels in the rules in force' }),
  reason: z.string().trim().min(2).max(500),
});

/** The campus city decides who is from out of town: it must be a region GB/T 2260 knows. */
function assertKnownCity(rules: Rules) {
  if (!regionName(rules.campusRegionCode))
    throw fieldError(['rules', 'campusRegionCode'], 'unknown_region', `No GB/T 2260 region ${rules.campusRegionCode}`);
}

/**
 * Saves a new rule version in one transaction: approved visits re-checked against it, the change
 * audited, and subscribers (the live wall, the tablets' next snapshot) told once it commits.
 */
function saveAndRecheck(
  c: Context<AppEnv>,
  change: (before: RuleVersion) => {
    rules: Rules;
    reason: string;
    audit: { action: string; before: unknown; after: unknown; reason?: string };
  },
) {
  const { db, clock, events } = c.get('deps');
  const p = principalOf(c);
  const now = clock.now();
  const actor = `${p.kind}:${p.label}`;
  return events.transact(db, (tx, happened) => {
    const before = currentRules(tx);
    const { rules, reason, audit } = change(before);
    const saved = changeRules(tx, happened, {
      now,
      actor,
      reason,
      rules,
      trigger: (v) => `${audit.action} (rules v${v})`,
    });
    recordAudit(tx, now, p, c.get('requestId'), {
      entity: 'rules',
      entityId: saved.version,
      reason,
      ...audit,
    });
    return saved;
  });
}

/** The rules in force with another level: an unknown level id is the caller's mistake, on `level`. */
function withLevel(rules: Rules, level: string): Rules {
  if (!rules.levels.some((l) => l.id === level))
    throw fieldError(
      ['level'],
      'unknown_level',
      `No level ${level}; the levels are ${rules.levels.map((l) => l.id).join(', ')}`,
    );
  return { ...rules, level };
}

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
      responses: { 200: jsonContent(RecheckImpactSchema, 'Affected requests'), ...inputGuardResponses },
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
      responses: {
        200: jsonContent(RulesOut.extend({ impact: RecheckImpactSchema }), 'Saved'),
        ...inputGuardResponses,
      },
    }),
    (c) => {
      const { rules, reason } = c.req.valid('json');
      assertKnownCity(rules);
      return c.json(
        saveAndRecheck(c, (before) => ({
          rules,
          reason,
          audit: { action: 'rules.update', before: before.rules, after: rules },
        })),
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/level/preview',
      tags: ['rules'],
      summary: 'Which approved future visits would fail if the campus switched to this alert level (nothing saved)',
      middleware: [requireRole('office')] as const,
      request: jsonBody(LevelChange),
      responses: { 200: jsonContent(RecheckImpactSchema, 'Affected requests'), ...inputGuardResponses },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const rules = withLevel(currentRules(db).rules, c.req.valid('json').level);
      return c.json(recheckImpact(db, clock.now(), { rules }), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'put',
      path: '/level',
      tags: ['rules'],
      summary:
        'Switch the campus alert level in one step: a new rule version; approved visits that fail move to review, tablets take it with their next snapshot',
      middleware: [requireRole('office')] as const,
      request: jsonBody(LevelChange),
      responses: {
        200: jsonContent(RulesOut.extend({ impact: RecheckImpactSchema }), 'Switched'),
        ...inputGuardResponses,
      },
    }),
    (c) => {
      const { level, reason } = c.req.valid('json');
      return c.json(
        saveAndRecheck(c, (before) => ({
          rules: withLevel(before.rules, level),
          reason: `level ${before.rules.level} → ${level}: ${reason}`,
          audit: { action: 'rules.level', before: { level: before.rules.level }, after: { level }, reason },
        })),
        200,
      );
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
      summary:
        'Publish a new health commitment text (a new version) with the reason: visits filed from now on sign it, those filed before keep the version they signed',
      middleware: [requireRole('office')] as const,
      request: jsonBody(
        z.object({
          zh: z.string().trim().min(10).max(5000),
          en: z.string().trim().min(10).max(5000),
          reason: z.string().trim().min(2).max(500),
        }),
      ),
      responses: {
        200: jsonContent(z.object({ version: z.number().int(), zh: z.string(), en: z.string() }), 'Published'),
        ...inputGuardResponses,
      },
    }),
    (c) => {
      const { db, clock } = c.get('deps');
      const p = principalOf(c);
      const { zh, en, reason } = c.req.valid('json');
      const row = db.transaction((tx) => {
        const before = currentCommitment(tx);
        const r = publishCommitment(tx, { zh, en, byUserId: p.userId });
        recordAudit(tx, clock.now(), p, c.get('requestId'), {
          action: 'commitment.publish',
          entity: 'commitment',
          entityId: r.id,
          before: before ? { version: before.id, zh: before.textZh, en: before.textEn } : null,
          after: { version: r.id, zh, en },
          reason,
        });
        return r;
      });
      return c.json({ version: row.id, zh: row.textZh, en: row.textEn }, 200);
    },
  );

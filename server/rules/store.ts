import { desc, lt } from 'drizzle-orm';
import { commitmentTexts, ruleSets } from '../db/schema';
import { DEFAULT_RULES, parseStoredRules, type Rules } from '../domain/rules';
import { INITIAL_RULES_REASON } from '../domain/initial-rules';
import type { Db, Tx } from '../db/open';

export interface RuleVersion {
  version: number;
  rules: Rules;
}

export const DEFAULT_COMMITMENT = {
  zh: '本人承诺：近14天内未到过中高风险地区，无新冠肺炎确诊、疑似病例或无症状感染者密切接触史，当前健康码为绿码，无发热、咳嗽等症状。如有隐瞒或虚报，愿承担相应法律责任。',
  en: 'I declare that in the last 14 days I have not been to a medium- or high-risk area, have had no close contact with a confirmed, suspected or asymptomatic case, that my health code is green and that I have no fever, cough or similar symptoms. I accept legal responsibility for any concealment or false statement.',
};

/** The rules in force: the latest version. Every database has one (ensureRulesAndTexts at start). */
export function currentRules(db: Tx): RuleVersion {
  const row = db.select().from(ruleSets).orderBy(desc(ruleSets.id)).limit(1).get();
  if (!row) return { version: 0, rules: DEFAULT_RULES };
  return { version: row.id, rules: parseStoredRules(row.settings) };
}

/** A new version of the rules; risk-area and block-list changes also call this, so versions count every change. */
export function saveRuleVersion(tx: Tx, at: Date, actorLabel: string, reason: string, rules: Rules): RuleVersion {
  const row = tx.insert(ruleSets).values({ createdAt: at, actorLabel, reason, settings: rules }).returning().get();
  return { version: row.id, rules };
}

export function currentCommitment(db: Tx) {
  return db.select().from(commitmentTexts).orderBy(desc(commitmentTexts.id)).limit(1).get() ?? null;
}

export function ensureRulesAndTexts(db: Db, timezone: string) {
  db.transaction((tx) => {
    if (currentRules(tx).version === 0)
      saveRuleVersion(tx, new Date(), 'system', INITIAL_RULES_REASON, { ...DEFAULT_RULES, timezone });
    if (!currentCommitment(tx))
      tx.insert(commitmentTexts).values({ textZh: DEFAULT_COMMITMENT.zh, textEn: DEFAULT_COMMITMENT.en }).run();
  });
}

/** Rule versions newest first, up to `limit`, older than `beforeVersion` when given (a page's cursor). */
export function ruleHistoryPage(tx: Tx, limit: number, beforeVersion: number | undefined) {
  return tx
    .select()
    .from(ruleSets)
    .where(beforeVersion === undefined ? undefined : lt(ruleSets.id, beforeVersion))
    .orderBy(desc(ruleSets.id))
    .limit(limit)
    .all();
}

/** A new version of the health commitment's text; filings from now on sign this one. */
export function publishCommitment(tx: Tx, { zh, en, byUserId }: { zh: string; en: string; byUserId: number | null }) {
  return tx.insert(commitmentTexts).values({ textZh: zh, textEn: en, createdByUserId: byUserId }).returning().get();
}

import { applyRecheck } from '../requests/recheck';
import { saveRuleVersion } from './store';
import type { Rules } from '../domain/rules';
import type { Tx } from '../db/open';
import type { Happened } from '../events';

/**
 * The one way a rule change lands, whatever made it (the rules page, a level switch, the risk-area
 * list, the block list): a new version saved, approved visits re-checked against it (the failing
 * ones back to review, said per request), and `rules.changed` said, so the live wall and the
 * tablets' next snapshot follow at once.
 */
export function changeRules(
  tx: Tx,
  happened: Happened,
  change: { now: Date; actor: string; reason: string; rules: Rules; trigger: (version: number) => string },
) {
  const saved = saveRuleVersion(tx, change.now, change.actor, change.reason, change.rules);
  const impact = applyRecheck(tx, happened, change.now, change.actor, change.trigger(saved.version));
  happened({ type: 'rules.changed', version: saved.version, level: change.rules.level });
  return { ...saved, impact };
}

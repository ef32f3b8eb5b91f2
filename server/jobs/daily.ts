import { closeUnsignedOut } from '../presence/store';
import { ensureDailyReports } from '../reports/store';
import { purgePersonalData } from '../retention/store';
import { currentRules } from '../rules/store';
import { retireSpentKeys } from '../passes/keys';
import type { Logger } from '../lib/logger';
import type { Db } from '../db/open';

/**
 * The office's daily work the server does by itself, in this order: close the day's unsigned-out
 * visitors, make every missing daily report (zero reports included), then purge personal data
 * past retention; the reports are made before the data they count is thinned. Idempotent, so
 * main.ts simply runs it at start and every few minutes.
 */
export function runDailyJobs(db: Db, now: Date, logger: Pick<Logger, 'info'>) {
  const { rules } = currentRules(db);
  const closed = closeUnsignedOut(db, now, rules);
  const reports = ensureDailyReports(db, now, rules);
  const purged = purgePersonalData(db, now, rules);
  // A rotated-out signing key whose last pass has ended stops being sent to the tablets.
  const keysRetired = db.transaction((tx) => retireSpentKeys(tx, now));
  if (
    closed ||
    reports ||
    purged.visitors ||
    purged.eventInputs ||
    purged.idempotencyReplies ||
    purged.notifications ||
    purged.members ||
    purged.checkIns ||
    keysRetired
  ) {
    logger.info('daily jobs', {
      closedNotSignedOut: closed,
      reportsMade: reports,
      ...purged,
      signingKeysRetired: keysRetired,
    });
  }
  return { closed, reports, purged, keysRetired };
}

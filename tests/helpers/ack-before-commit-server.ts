/**
 * A deliberately WRONG server, for one test only: it answers a tablet's events at once and
 * writes them 100 ms later in a batch ("write-behind"), i.e. it acknowledges before the commit.
 * tests/e2e/kill-under-load.test.ts shows that its crash test catches this server losing
 * acknowledged events, so a pass against the real server means something.
 */
import { serve } from '@hono/node-server';
import { createApp } from '../../server/app';
import { bootstrapFirstAdmin } from '../../server/bootstrap';
import { migrateDatabase, openDatabase } from '../../server/db/open';
import { loadConfig } from '../../server/env';
import { createLogger } from '../../server/lib/logger';
import { randomBytes } from 'node:crypto';
import { deriveKey } from '../../server/lib/secrets';
import { ensureSigningKey } from '../../server/passes/keys';
import { ensureRulesAndTexts } from '../../server/rules/store';

const config = loadConfig(process.env);
const logger = createLogger(config.LOG_LEVEL);
const { db } = openDatabase(config.DATABASE_PATH, { synchronous: config.SQLITE_SYNCHRONOUS });
migrateDatabase(db);
ensureRulesAndTexts(db, config.CAMPUS_TIMEZONE);
const idHashKey = randomBytes(32);
ensureSigningKey(db, new Date(), deriveKey(idHashKey, 'signing-key-wrap'));
bootstrapFirstAdmin(db, config, logger, () => {});
const app = createApp({ db, config, logger, idHashKey });

const behind: Request[] = [];
setInterval(() => {
  for (const req of behind.splice(0)) void app.fetch(req);
}, 100);

serve(
  {
    fetch: async (req) => {
      if (req.method !== 'POST' || !new URL(req.url).pathname.endsWith('/kiosk/events')) return app.fetch(req);
      const later = req.clone();
      const { events } = (await req.json()) as { events: { id: string }[] };
      behind.push(later);
      return Response.json({ acked: events.map((e) => e.id), duplicates: [], rejected: [] });
    },
    port: config.PORT,
    hostname: config.HOST,
  },
  (info) => logger.info('listening', { port: info.port }),
);

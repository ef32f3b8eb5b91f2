import { serve } from '@hono/node-server';
import { createApp, ROOT_DIR } from './app';
import { dirname, join } from 'node:path';
import { migrateDatabase, openDatabase } from './db/open';
import { bootstrapFirstAdmin } from './bootstrap';
import { seedDemo, seedDemoMembers } from './demo/seed';
import { buildStaleFrontends, FRONTENDS, isStale } from './frontend-build';
import { ConfigError, loadConfig, type Config } from './env';
import { createLogger } from './lib/logger';
import { deriveKey, loadIdHashKey } from './lib/secrets';
import { ensureSigningKey } from './passes/keys';
import { ensureRulesAndTexts } from './rules/store';
import { runDailyJobs } from './jobs/daily';
import { createEvents } from './events';
import { systemClock } from './lib/clock';
import { createNotifier, publicOrigin } from './notifications/deliver';
import { describeCertificate } from './tls/inspect';
import { createHttpsServer, httpsOptions, readTlsFiles, startRedirectListener, watchCertificates } from './tls/listen';

/** The entry point: read the environment, build the front ends if stale, migrate, serve. */
async function main() {
  const demo = process.argv.includes('--demo');
  let config: Config;
  try {
    config = loadConfig(demo ? { DATABASE_PATH: './data/demo.db', ...process.env } : process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.LOG_LEVEL);

  // Compiled (npm run build, server-dist/): the front ends were built with it, and a production machine
  // (npm ci --omit=dev) has no Vite to rebuild them; from TypeScript, stale front ends are rebuilt here.
  const compiled = import.meta.url.endsWith('.js');
  if (!config.SKIP_FRONTEND_BUILD) {
    if (!compiled) await buildStaleFrontends(ROOT_DIR, logger.info);
    else
      for (const name of FRONTENDS)
        if (isStale(ROOT_DIR, name)) logger.warn('front end older than its sources: run npm run build', { name });
  }

  const { db, sqlite, settings } = openDatabase(config.DATABASE_PATH, {
    synchronous: config.SQLITE_SYNCHRONOUS,
    busyTimeoutMs: config.SQLITE_BUSY_TIMEOUT_MS,
  });
  logger.info('database opened', { path: config.DATABASE_PATH, ...settings });
  // An upgrade copies the database first (data/backups/pre-migration-…): the way back if it goes wrong.
  const { schemaVersion, backup } = migrateDatabase(db, {
    backupDir: join(dirname(config.DATABASE_PATH), 'backups'),
  });
  logger.info('migrations applied', { schemaVersion, ...(backup ? { backupBeforeMigrating: backup } : {}) });

  ensureRulesAndTexts(db, config.CAMPUS_TIMEZONE);
  const idHashKey = loadIdHashKey(config);
  const signingKeyWrap = deriveKey(idHashKey, 'signing-key-wrap');
  ensureSigningKey(db, new Date(), signingKeyWrap);
  const demoPass = demo ? seedDemo(db, config, console.log, { signingKeyWrap }) : null;
  const demoMember = demo ? seedDemoMembers(db, new Date(), idHashKey) : null;
  if (!demo) bootstrapFirstAdmin(db, config, logger);

  const events = createEvents(logger);
  // Links in messages: PUBLIC_ORIGIN, else this server's own address once it listens (PORT may be 0).
  let origin = publicOrigin(config);
  const app = createApp({ db, config, logger, serveFrontends: true, idHashKey, events, origin: () => origin });
  // The outbox's sender: what a commit wrote is delivered after it, and what a crash left pending at start.
  const notifier = createNotifier({
    db,
    clock: systemClock,
    logger,
    secretsKey: deriveKey(idHashKey, 'notification-secrets'),
    origin: () => origin,
    events,
  });
  // Reports, end-of-day closures and the retention purge: idempotent, so simply run often.
  const dailyJobs = () => {
    try {
      runDailyJobs(db, new Date(), logger);
    } catch (err) {
      logger.error('daily jobs failed', { err: err instanceof Error ? err.message : String(err) });
    }
  };
  const jobs = setInterval(dailyJobs, 5 * 60_000);
  // TLS_CERT_FILE / TLS_KEY_FILE: the server speaks HTTPS itself (tablets' cameras need a secure origin).
  const tls = readTlsFiles(config);
  const scheme = tls ? 'https' : 'http';
  if (tls) logger.info('TLS certificate', describeCertificate(tls.cert));
  let listeningPort = config.PORT;
  const server = serve(
    {
      fetch: app.fetch,
      port: config.PORT,
      hostname: config.HOST,
      ...(tls ? { createServer: createHttpsServer, serverOptions: httpsOptions(tls) } : {}),
    },
    (info) => {
      listeningPort = info.port;
      if (!config.PUBLIC_ORIGIN)
        origin = `${scheme}://${info.address === '0.0.0.0' || info.address === '::' ? 'localhost' : info.address}:${info.port}`;
      logger.info('listening', {
        url: `${scheme}://${info.address === '0.0.0.0' ? '127.0.0.1' : info.address}:${info.port}`,
        port: info.port,
        demo,
      });
      // After listening: a first run after an upgrade may make months of reports.
      setImmediate(dailyJobs);
      // What a crash left in the outbox goes out now, with links to where this server listens.
      notifier.start();
      if (demoPass)
        console.log(
          `  A visitor expected today at 北门: ${origin}${demoPass}\n  (enroll a tablet under 门岗平板 first)\n`,
        );
      if (demoMember)
        console.log(
          `  A student's own page (credential, leave, check-in): ${origin}${demoMember}\n  (their counsellor signs in as counsellor)\n`,
        );
    },
  );
  const stopWatching = tls ? watchCertificates(server as import('node:https').Server, config, logger) : () => {};
  const redirect = tls && config.HTTP_REDIRECT_PORT ? startRedirectListener(config, () => listeningPort, logger) : null;

  const shutdown = (signal: string) => {
    logger.info('shutting down', { signal });
    clearInterval(jobs);
    stopWatching();
    redirect?.close();
    server.close(() => {
      void notifier.stop().finally(() => {
        sqlite.close();
        process.exit(0);
      });
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err) => {
  console.error('Gatehouse failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});

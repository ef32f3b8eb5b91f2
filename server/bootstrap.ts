import { count } from 'drizzle-orm';
import { campuses, users } from './db/schema';
import { recordAudit } from './lib/audit';
import { hashPassword, randomToken } from './lib/crypto';
import { insertUser } from './users/store';
import type { Db } from './db/open';
import type { Config } from './env';
import type { Logger } from './lib/logger';

/**
 * First start on an empty database: one campus and one `admin` account. The password comes from
 * GATEHOUSE_ADMIN_PASSWORD or is generated and printed once; it is never logged again.
 */
export function bootstrapFirstAdmin(
  db: Db,
  config: Config,
  logger: Logger,
  print: (line: string) => void = console.log,
) {
  const existing = db.select({ n: count() }).from(users).get()?.n ?? 0;
  if (existing > 0) return null;
  const password = config.GATEHOUSE_ADMIN_PASSWORD ?? randomToken(12);
  const passwordHash = hashPassword(password);
  db.transaction((tx) => {
    if ((tx.select({ n: count() }).from(campuses).get()?.n ?? 0) === 0) {
      tx.insert(campuses).values({ name: '本校区', nameEn: 'Main campus', timezone: config.CAMPUS_TIMEZONE }).run();
    }
    const admin = insertUser(tx, {
      username: 'admin',
      displayName: '系统管理员',
      role: 'admin',
      departmentId: null,
      gateIds: [],
      passwordHash,
    });
    recordAudit(tx, new Date(), null, undefined, { action: 'user.bootstrap', entity: 'user', entityId: admin.id });
  });
  logger.info('created the first admin account', {
    username: 'admin',
    passwordFrom: config.GATEHOUSE_ADMIN_PASSWORD ? 'env' : 'generated',
  });
  if (!config.GATEHOUSE_ADMIN_PASSWORD) {
    print(
      `\n  First start: sign in at /admin/ as "admin" with password: ${password}\n  (shown once; change it under Account)\n`,
    );
  }
  return { username: 'admin', password };
}

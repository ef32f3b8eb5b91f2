import { isTimeZone } from './domain/dates';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/**
 * Every setting Gatehouse reads from the environment, read once at start-up.
 * The README's configuration table documents each one; keep the two in step.
 * Rules of the gate (thresholds, lead times) are NOT here: they are data the office edits.
 */
export const EnvSchema = z.object({
  PORT: int(0, 65535).default(8787),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_PATH: z.string().min(1).default('./data/gatehouse.db'),
  SQLITE_SYNCHRONOUS: z.enum(['OFF', 'NORMAL', 'FULL', 'EXTRA']).default('FULL'),
  SQLITE_BUSY_TIMEOUT_MS: int(0, 60_000).default(5000),
  GATEHOUSE_ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters').optional(),
  SESSION_IDLE_MINUTES: int(1, 24 * 60).default(30),
  SESSION_MAX_HOURS: int(1, 24 * 30).default(12),
  LOGIN_RATE_LIMIT: int(1, 10_000).default(10),
  LOGIN_RATE_WINDOW_SECONDS: int(1, 86_400).default(300),
  /** Sign-ins to one account a minute, successful ones included: a valid password is no way to flood scrypt. */
  LOGIN_ACCOUNT_LIMIT: int(1, 10_000).default(20),
  /** Requests a minute to the visitors' public pages from one address (a guessed link costs one too). */
  VISIT_RATE_LIMIT: int(1, 100_000).default(60),
  TRUST_PROXY: bool.default(false),
  PUBLIC_ORIGIN: z.url().optional(),
  BODY_LIMIT_BYTES: int(1024, 64 * 1024 * 1024).default(2 * 1024 * 1024),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  CAMPUS_TIMEZONE: z
    .string()
    .default('Asia/Shanghai')
    .refine(isTimeZone, 'must be an IANA time zone such as Asia/Shanghai'),
  /** Key for the keyed hash of ID numbers (64 hex characters). Default: read or created at ID_HASH_KEY_FILE. */
  ID_HASH_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (32 bytes)')
    .optional(),
  /** Where the ID hash key lives when ID_HASH_KEY is unset; default: beside the database, as id-hash.key. */
  ID_HASH_KEY_FILE: z.string().min(1).optional(),
  /** PEM certificate chain and key: set both and the server itself speaks HTTPS, re-reading them when they change. */
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: z.string().min(1).optional(),
  /** With TLS: a plain-HTTP port that only redirects to HTTPS (308). Unset: plain HTTP is not served at all. */
  HTTP_REDIRECT_PORT: int(1, 65535).optional(),
  /** Bearer token for GET /metrics (Prometheus text format). Unset: /metrics answers 404. */
  METRICS_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Skip the front-end build check (tests build once up front; containers build at image time). */
  SKIP_FRONTEND_BUILD: bool.default(false),
});

export type Config = z.infer<typeof EnvSchema>;

/** Settings that only make sense together. */
function crossCheck(c: Config): string[] {
  const problems: string[] = [];
  if (!c.TLS_CERT_FILE !== !c.TLS_KEY_FILE) problems.push('TLS_CERT_FILE and TLS_KEY_FILE: set both or neither');
  if (c.HTTP_REDIRECT_PORT && !c.TLS_CERT_FILE)
    problems.push('HTTP_REDIRECT_PORT: only with TLS_CERT_FILE and TLS_KEY_FILE');
  if (c.HTTP_REDIRECT_PORT && c.HTTP_REDIRECT_PORT === c.PORT)
    problems.push('HTTP_REDIRECT_PORT: must differ from PORT');
  return problems;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Reads the configuration from an environment; a bad value throws a ConfigError naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings count as unset, as shells and .env files often leave them.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const problems = crossCheck(parsed.data);
  if (problems.length > 0) throw new ConfigError(problems);
  return parsed.data;
}

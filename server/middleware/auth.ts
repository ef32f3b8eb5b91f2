import type Database from 'better-sqlite3';
import { eq } from 'drizzle-orm';
import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { sessions, userGates, users, type Role } from '../db/schema';
import { TOKEN_SCOPES, type TokenScope } from '../domain/roles';
import { sha256 } from '../lib/crypto';
import { ApiError } from '../lib/errors';
import type { AppEnv, Principal } from '../lib/context';
import type { Db } from '../db/open';

export const SESSION_COOKIE = 'gh_session';

/** Don't rewrite last_seen_at on every request: a minute's precision is enough for idle timeouts. */
const TOUCH_EVERY_MS = 60_000;

export function gateIdsOf(db: Db, userId: number): number[] {
  return db
    .select({ gateId: userGates.gateId })
    .from(userGates)
    .where(eq(userGates.userId, userId))
    .all()
    .map((r) => r.gateId);
}

interface TokenRow {
  id: number;
  name: string;
  role: Role;
  departmentId: number | null;
  gateId: number | null;
  /** JSON text of the scopes; null for a tablet's token. */
  scopes: string | null;
  expiresAt: number | null;
  lastUsedAt: number | null;
  /** The enrolled (not revoked) tablet holding this token, if any: `devices` columns, d_ prefixed. */
  d_id: number | null;
  d_gateId: number;
  d_name: string;
  d_appVersion: string;
  d_enrolledAt: number;
  d_enrolledByUserId: number | null;
  d_lastSeenAt: number | null;
  d_lastSnapshotAt: number | null;
  d_outboxPending: number;
  d_storage: 'persisted' | 'evictable' | null;
  d_snapshotCursor: string | null;
  d_snapshotDigest: string | null;
  d_resyncRequestedAt: number | null;
  d_clockSkewMs: number | null;
}
const date = (ms: number | null) => (ms === null ? null : new Date(ms));

function deviceFrom(t: TokenRow): Principal['device'] {
  if (t.d_id === null) return null;
  return {
    id: t.d_id,
    gateId: t.d_gateId,
    name: t.d_name,
    apiTokenId: t.id,
    appVersion: t.d_appVersion,
    enrolledAt: new Date(t.d_enrolledAt),
    enrolledByUserId: t.d_enrolledByUserId,
    lastSeenAt: date(t.d_lastSeenAt),
    lastSnapshotAt: date(t.d_lastSnapshotAt),
    outboxPending: t.d_outboxPending,
    storage: t.d_storage,
    snapshotCursor: t.d_snapshotCursor,
    snapshotDigest: t.d_snapshotDigest,
    resyncRequestedAt: date(t.d_resyncRequestedAt),
    clockSkewMs: t.d_clockSkewMs,
    revokedAt: null,
  };
}

/**
 * Tablets sync through bearer tokens many times a minute per gate: the token and the tablet
 * behind it are one prepared statement, not a query built per request and then a second one
 * for the device (docs/benchmarks.md, ingest).
 */
const prepared = new WeakMap<
  Db['$client'],
  { byHash: Database.Statement<[string], TokenRow>; touch: Database.Statement<[number, number]> }
>();
function tokenStatements(db: Db) {
  let s = prepared.get(db.$client);
  if (!s) {
    s = {
      byHash: db.$client.prepare(
        `select t.id, t.name, t.role, t.department_id as departmentId, t.gate_id as gateId, t.scopes, t.expires_at as expiresAt, t.last_used_at as lastUsedAt,
           d.id as d_id, d.gate_id as d_gateId, d.name as d_name, d.app_version as d_appVersion, d.enrolled_at as d_enrolledAt,
           d.enrolled_by_user_id as d_enrolledByUserId, d.last_seen_at as d_lastSeenAt, d.last_snapshot_at as d_lastSnapshotAt, d.outbox_pending as d_outboxPending, d.storage as d_storage,
           d.snapshot_cursor as d_snapshotCursor, d.snapshot_digest as d_snapshotDigest, d.resync_requested_at as d_resyncRequestedAt, d.clock_skew_ms as d_clockSkewMs
         from api_tokens t left join devices d on d.api_token_id = t.id and d.revoked_at is null
         where t.token_hash = ? and t.revoked_at is null`,
      ),
      touch: db.$client.prepare('update api_tokens set last_used_at = ? where id = ?'),
    };
    prepared.set(db.$client, s);
  }
  return s;
}

/**
 * Resolves the caller from a bearer token or the session cookie. Both paths read the database
 * on every request, so a logout, a disabled account or a revoked token takes effect at once.
 */
export const authenticate = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const { db, clock, config } = c.get('deps');
    const now = clock.now();
    let principal: Principal | null = null;

    const authz = c.req.header('authorization');
    if (authz) {
      const match = /^Bearer\s+(\S+)$/i.exec(authz);
      if (!match?.[1]) throw new ApiError(401, 'unauthenticated', 'The Authorization header must be "Bearer <token>"');
      const token = tokenStatements(db).byHash.get(sha256(match[1]));
      if (!token) throw new ApiError(401, 'unauthenticated', 'The bearer token is unknown or revoked');
      if (token.expiresAt !== null && token.expiresAt <= now.getTime()) {
        throw new ApiError(
          401,
          'token_expired',
          `The token expired at ${new Date(token.expiresAt).toISOString()}; an admin can make a new one`,
        );
      }
      if (!token.lastUsedAt || now.getTime() - token.lastUsedAt > TOUCH_EVERY_MS)
        tokenStatements(db).touch.run(now.getTime(), token.id);
      principal = {
        kind: 'token',
        role: token.role,
        userId: null,
        tokenId: token.id,
        label: token.name,
        departmentId: token.departmentId,
        gateIds: token.gateId ? [token.gateId] : [],
        sessionId: null,
        scopes: scopesOf(token.scopes),
        device: deviceFrom(token),
      };
    } else {
      const cookie = getCookie(c, SESSION_COOKIE);
      if (cookie) {
        const id = sha256(cookie);
        const row = db
          .select({ session: sessions, user: users })
          .from(sessions)
          .innerJoin(users, eq(users.id, sessions.userId))
          .where(eq(sessions.id, id))
          .get();
        const idleMs = config.SESSION_IDLE_MINUTES * 60_000;
        const live =
          row &&
          !row.user.disabledAt &&
          row.session.expiresAt.getTime() > now.getTime() &&
          now.getTime() - row.session.lastSeenAt.getTime() < idleMs;
        if (row && !live) db.delete(sessions).where(eq(sessions.id, id)).run();
        if (row && live) {
          if (now.getTime() - row.session.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
            db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, id)).run();
          }
          principal = {
            kind: 'user',
            role: row.user.role,
            userId: row.user.id,
            tokenId: null,
            label: row.user.username,
            departmentId: row.user.departmentId,
            gateIds: gateIdsOf(db, row.user.id),
            sessionId: id,
            scopes: null,
            device: null,
          };
        }
      }
    }
    c.set('principal', principal);
    await next();
  });

/** Scopes as stored (JSON text), keeping only known ones: a stray value grants nothing. */
function scopesOf(json: string | null): TokenScope[] | null {
  if (json === null) return null;
  const parsed: unknown = JSON.parse(json);
  return Array.isArray(parsed) ? TOKEN_SCOPES.filter((s) => parsed.includes(s)) : [];
}

/**
 * Route guard: 401 without a principal, 403 when the caller's role is not among the roles named.
 * An integration token is let through only where the route names one of its scopes
 * (`requireRole('office', { scope: 'reports:read' })`), whatever its role.
 */
export const requireRole = (...allowed: (Role | { scope: TokenScope })[]) => {
  const roles = allowed.filter((a): a is Role => typeof a === 'string');
  const scope = allowed.find((a): a is { scope: TokenScope } => typeof a !== 'string')?.scope;
  return createMiddleware<AppEnv>(async (c, next) => {
    const p = c.get('principal');
    if (!p) throw new ApiError(401, 'unauthenticated', 'Sign in first');
    if (p.scopes) {
      if (!scope || !p.scopes.includes(scope))
        throw new ApiError(
          403,
          'scope_missing',
          scope ? `This token needs the scope ${scope}` : 'Integration tokens may not use this route',
        );
    } else if (!roles.includes(p.role)) {
      throw new ApiError(403, 'forbidden', `This needs one of the roles: ${roles.join(', ')}`);
    }
    await next();
  });
};

/** Any caller who is someone: a person, a tablet or an integration token of any scope. */
export const requireSignedIn = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (!c.get('principal')) throw new ApiError(401, 'unauthenticated', 'Sign in first');
    await next();
  });

/** The principal after requireRole has run: handlers use this instead of a non-null assertion. */
export function principalOf(c: { get(key: 'principal'): Principal | null }): Principal {
  const p = c.get('principal');
  if (!p) throw new ApiError(401, 'unauthenticated', 'Sign in first');
  return p;
}

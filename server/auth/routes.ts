import { createRoute } from '@hono/zod-openapi';
import { deleteCookie, setCookie } from 'hono/cookie';
import { ROLES } from '../domain/roles';
import { deleteSession, endSessions, insertSession, updateUser, userById, userByUsername } from '../users/store';
import { recordAudit } from '../lib/audit';
import { clientAddress, isHttps } from '../lib/client-address';
import {
  assertPasswordFor,
  dummyPasswordHash,
  hashPasswordAsync,
  randomToken,
  sha256,
  verifyPasswordAsync,
} from '../lib/crypto';
import { ApiError, ErrorBodySchema } from '../lib/errors';
import { createRouter, jsonBody, jsonContent, errorContent, guardResponses } from '../lib/router';
import { gateIdsOf, principalOf, requireRole, requireSignedIn, SESSION_COOKIE } from '../middleware/auth';
import { LoginSchema, MeSchema, PasswordChangeSchema, ProfileSchema } from './schemas';
import type { Principal } from '../lib/context';
import type { Db } from '../db/open';

const errors = {
  400: jsonContent(ErrorBodySchema, 'Invalid request'),
  401: guardResponses[401],
};
const wrongPassword = {
  401: errorContent('Wrong username or password, or the account is disabled', 'invalid_credentials'),
};

function meOf(db: Db, p: Principal) {
  if (p.kind === 'user' && p.userId != null) {
    const u = userById(db, p.userId);
    if (u)
      return {
        kind: 'user' as const,
        id: u.id,
        username: u.username,
        displayName: u.displayName,
        role: u.role,
        departmentId: u.departmentId,
        gateIds: p.gateIds,
        scopes: null,
        email: u.email,
        locale: u.locale,
        deptApprover: u.role === 'filer' && u.deptApprover,
      };
  }
  return {
    kind: 'token' as const,
    id: p.tokenId ?? 0,
    username: p.label,
    displayName: p.label,
    role: p.role,
    departmentId: p.departmentId,
    gateIds: p.gateIds,
    scopes: p.scopes ? [...p.scopes] : null,
    email: null,
    locale: 'zh' as const,
    deptApprover: false,
  };
}

const login = createRoute({
  method: 'post',
  path: '/login',
  tags: ['auth'],
  summary: 'Sign in with username and password; sets the session cookie',
  request: jsonBody(LoginSchema),
  responses: {
    200: jsonContent(MeSchema, 'Signed in'),
    ...errors,
    ...wrongPassword,
    429: jsonContent(ErrorBodySchema, 'Too many attempts from this address; see Retry-After'),
  },
});

const logout = createRoute({
  method: 'post',
  path: '/logout',
  tags: ['auth'],
  summary: 'End the current session',
  responses: { 204: { description: 'Signed out' } },
});

const me = createRoute({
  method: 'get',
  path: '/me',
  tags: ['auth'],
  summary: 'Who am I (any signed-in person or token: an integrator checks its token’s scopes here)',
  middleware: [requireSignedIn()] as const,
  responses: { 200: jsonContent(MeSchema, 'The caller'), ...errors },
});

const changeProfile = createRoute({
  method: 'patch',
  path: '/me',
  tags: ['auth'],
  summary: 'Set my e-mail address and the language of my notifications',
  middleware: [requireRole(...ROLES)] as const,
  request: jsonBody(ProfileSchema),
  responses: {
    200: jsonContent(MeSchema, 'Changed'),
    ...errors,
    403: jsonContent(ErrorBodySchema, 'Not a user account'),
  },
});

const changePassword = createRoute({
  method: 'post',
  path: '/password',
  tags: ['auth'],
  summary: 'Change my own password; ends my other sessions',
  middleware: [requireRole(...ROLES)] as const,
  request: jsonBody(PasswordChangeSchema),
  responses: {
    204: { description: 'Changed' },
    ...errors,
    401: errorContent('Not signed in, or the current password is wrong', 'invalid_credentials'),
    403: jsonContent(ErrorBodySchema, 'Not a user account'),
  },
});

export const authRoutes = createRouter()
  .openapi(login, async (c) => {
    const { db, clock, config, loginLimiter, accountLimiter } = c.get('deps');
    const now = clock.now();
    const address = clientAddress(c, config.TRUST_PROXY);
    const retryAfter = loginLimiter.blockedFor(address, now.getTime());
    if (retryAfter !== null) {
      throw new ApiError(429, 'rate_limited', 'Too many failed sign-ins from this address; wait and try again', {
        headers: { 'Retry-After': String(retryAfter) },
      });
    }
    const { username, password } = c.req.valid('json');
    // Each sign-in costs a scrypt: even the right password may not be used to flood the server.
    const accountKey = `account:${username.toLowerCase()}`;
    const accountWait = accountLimiter.blockedFor(accountKey, now.getTime());
    if (accountWait !== null) {
      throw new ApiError(429, 'rate_limited', 'Too many sign-ins to this account; wait and try again', {
        headers: { 'Retry-After': String(accountWait) },
      });
    }
    const user = userByUsername(db, username);
    const ok = await verifyPasswordAsync(password, user?.passwordHash ?? dummyPasswordHash());
    if (!user || !ok || user.disabledAt) {
      loginLimiter.record(address, now.getTime());
      throw new ApiError(401, 'invalid_credentials', 'Wrong username or password, or the account is disabled');
    }
    accountLimiter.record(accountKey, now.getTime());
    const token = randomToken();
    const session = {
      id: sha256(token),
      userId: user.id,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + config.SESSION_MAX_HOURS * 3_600_000),
    };
    const principal: Principal = {
      kind: 'user',
      role: user.role,
      userId: user.id,
      tokenId: null,
      label: user.username,
      departmentId: user.departmentId,
      gateIds: gateIdsOf(db, user.id),
      sessionId: session.id,
      scopes: null,
      device: null,
    };
    db.transaction((tx) => {
      insertSession(tx, session);
      recordAudit(tx, now, principal, c.get('requestId'), { action: 'auth.login', entity: 'user', entityId: user.id });
    });
    setCookie(c, SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'Strict',
      secure: isHttps(c, config.TRUST_PROXY, config.PUBLIC_ORIGIN),
      path: '/',
      maxAge: config.SESSION_MAX_HOURS * 3600,
    });
    return c.json(meOf(db, principal), 200);
  })
  .openapi(logout, (c) => {
    const { db } = c.get('deps');
    const sessionId = c.get('principal')?.sessionId;
    if (sessionId) deleteSession(db, sessionId);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.body(null, 204);
  })
  .openapi(me, (c) => c.json(meOf(c.get('deps').db, principalOf(c)), 200))
  .openapi(changeProfile, (c) => {
    const { db, clock } = c.get('deps');
    const p = principalOf(c);
    if (p.kind !== 'user' || p.userId == null) throw new ApiError(403, 'forbidden', 'Tokens have no profile');
    const userId = p.userId;
    const patch = c.req.valid('json');
    const set = {
      ...(patch.email !== undefined ? { email: patch.email } : {}),
      ...(patch.locale ? { locale: patch.locale } : {}),
    };
    if (Object.keys(set).length === 0) return c.json(meOf(db, p), 200);
    db.transaction((tx) => {
      updateUser(tx, userId, set);
      recordAudit(tx, clock.now(), p, c.get('requestId'), {
        action: 'user.profile',
        entity: 'user',
        entityId: userId,
        after: { fields: Object.keys(patch) },
      });
    });
    return c.json(meOf(db, p), 200);
  })
  .openapi(changePassword, async (c) => {
    const { db, clock } = c.get('deps');
    const p = principalOf(c);
    if (p.kind !== 'user' || p.userId == null) throw new ApiError(403, 'forbidden', 'Tokens have no password');
    const userId = p.userId;
    const { currentPassword, newPassword } = c.req.valid('json');
    const user = userById(db, userId);
    if (!user || !(await verifyPasswordAsync(currentPassword, user.passwordHash))) {
      throw new ApiError(401, 'invalid_credentials', 'The current password is wrong');
    }
    assertPasswordFor(newPassword, user.username, ['newPassword']);
    const passwordHash = await hashPasswordAsync(newPassword); // scrypt is slow: keep it out of the write lock
    db.transaction((tx) => {
      updateUser(tx, userId, { passwordHash });
      // Other sessions may belong to whoever learned the old password.
      endSessions(tx, userId, p.sessionId);
      recordAudit(tx, clock.now(), p, c.get('requestId'), {
        action: 'auth.password_changed',
        entity: 'user',
        entityId: userId,
      });
    });
    return c.body(null, 204);
  });

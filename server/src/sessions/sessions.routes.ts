import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { toCredentialAccountEntity } from '../accounts/accounts.serialize.ts';
import { authRateLimit } from '../oauth/auth-rate-limit.ts';
import { currentAccount, requireScope } from '../plugins/auth.ts';
import { Forbidden, Unauthorized } from '../shared/errors.ts';
import { IdParams } from '../shared/schemas.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';
import { crossOriginProblem } from './csrf.ts';
import { readSessionCookie, sessionCookie, setCookieHeader } from './session-cookie.ts';
import { sessionIdOf, toSessionEntity } from './sessions.serialize.ts';

const SignInBody = Type.Object(
  {
    /** A username or an email address. */
    login: Type.String({ minLength: 1, maxLength: 320 }),
    password: Type.String({ minLength: 1, maxLength: 1000 }),
  },
  { additionalProperties: false },
);

const COOKIE_MAX_AGE_S = 30 * 24 * 3600;

/**
 * The web app's sign-in: a session cookie (HttpOnly, SameSite=Lax) instead of a token the page could leak,
 * plus a CSRF token the app sends back in X-CSRF-Token on every unsafe request.
 */
export async function sessionsRoutes(instance: FastifyInstance, { config, services }: RouteDeps): Promise<void> {
  const app = typed(instance);
  const cookie = sessionCookie(config.publicUrl);
  const origin = { publicUrl: config.publicUrl, domain: config.domain };
  const credentialEntity = async (accountId: string) => {
    const account = await services.accounts.get(accountId);
    return toCredentialAccountEntity(account, origin, await services.follows.pendingRequestCount(accountId));
  };

  app.post('/api/v1/kith/session', {
    schema: { tags: ['kith', 'sessions'], summary: 'Sign in with a username or email and password; sets the session cookie', body: SignInBody },
    config: { rateLimit: authRateLimit(config) },
  }, async (request, reply) => {
    // Login CSRF: another site must not sign the browser into an account of its choosing.
    const problem = crossOriginProblem(request, config.publicUrl);
    if (problem) throw new Forbidden(problem);
    const { session, secret, account } = await services.sessions.signIn(request.body.login, request.body.password, {
      userAgent: request.headers['user-agent'] ?? '',
      ip: request.ip,
    });
    reply.header('set-cookie', setCookieHeader(cookie, secret, COOKIE_MAX_AGE_S));
    reply.header('cache-control', 'no-store');
    return { id: session._id, csrf_token: session.csrfToken, account: await credentialEntity(account._id) };
  });

  app.get('/api/v1/kith/session', {
    schema: { tags: ['kith', 'sessions'], summary: "The session cookie's session: its id, CSRF token and account" },
  }, async (request, reply) => {
    const secret = readSessionCookie(request, cookie);
    const found = secret === null ? null : await services.sessions.authenticate(secret);
    if (!found || found.auth.account?.suspended) throw new Unauthorized('Not signed in');
    reply.header('cache-control', 'no-store');
    return { id: found.sessionId, csrf_token: found.csrfToken, account: await credentialEntity(found.auth.account!._id) };
  });

  app.delete('/api/v1/kith/session', {
    schema: { tags: ['kith', 'sessions'], summary: 'Sign out: ends the session and clears its cookie' },
  }, async (request, reply) => {
    // The auth plugin has checked the CSRF token: a cookie session is in request.auth only if it passed.
    const sessionId = sessionIdOf(request.auth?.tokenId);
    if (sessionId === null || !request.auth?.account) throw new Unauthorized('Not signed in');
    await services.sessions.revoke(request.auth.account._id, sessionId);
    reply.header('set-cookie', setCookieHeader(cookie, '', 0));
    return {};
  });

  app.get('/api/v1/kith/sessions', {
    schema: { tags: ['kith', 'sessions'], summary: "The signed-in account's web sessions, newest first" },
    preHandler: requireScope('read:accounts'),
  }, async (request) => {
    const sessions = await services.sessions.list(currentAccount(request)._id);
    return sessions.map((session) => toSessionEntity(session, sessionIdOf(request.auth?.tokenId)));
  });

  app.delete('/api/v1/kith/sessions/:id', {
    schema: { tags: ['kith', 'sessions'], summary: 'End one of your web sessions (sign a browser out)', params: IdParams },
    preHandler: requireScope('write:accounts'),
  }, async (request) => {
    await services.sessions.revoke(currentAccount(request)._id, request.params.id);
    return {};
  });
}

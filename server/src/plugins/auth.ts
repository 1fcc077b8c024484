import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { Forbidden, Unauthorized } from '../shared/errors.ts';
import type { AccountRecord } from '../accounts/accounts.store.ts';
import { readSessionCookie, sessionCookie } from '../sessions/session-cookie.ts';
import { crossOriginProblem, csrfTokenMatches, needsCsrfToken } from '../sessions/csrf.ts';

/** Who is calling: an account's token, or an app's client-credentials token (account null). */
export interface AuthContext {
  tokenId: string;
  account: AccountRecord | null;
  appId: string | null;
  scopes: string[];
}

/** Resolves a bearer token to its caller; implemented by the oauth domain. */
export interface TokenAuthenticator {
  authenticate(bearerToken: string): Promise<AuthContext | null>;
}

/** Resolves the web app's session cookie to its caller and CSRF token; implemented by the sessions domain. */
export interface CookieAuthenticator {
  authenticate(secret: string): Promise<{ csrfToken: string; auth: AuthContext } | null>;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext | null;
  }
  interface FastifyContextConfig {
    /** The route checks credentials of its own (GET /metrics: the operator's token): no OAuth token or cookie is read. */
    ownCredentials?: boolean;
  }
}

// Mastodon's legacy "follow" scope covers these granular scopes.
const FOLLOW_SCOPES = new Set(['read:follows', 'write:follows', 'read:blocks', 'write:blocks', 'read:mutes', 'write:mutes']);

/** Whether the granted scopes include `required` ("read" covers "read:statuses", and so on). */
export function hasScope(granted: readonly string[], required: string): boolean {
  if (granted.includes(required)) return true;
  const parts = required.split(':');
  for (let i = parts.length - 1; i > 0; i--) {
    if (granted.includes(parts.slice(0, i).join(':'))) return true;
  }
  return FOLLOW_SCOPES.has(required) && granted.includes('follow');
}

function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match ? match[1]! : null;
  }
  // Browsers cannot set headers on WebSocket upgrades; Mastodon accepts the token as a query parameter there.
  const query = request.query as Record<string, unknown> | undefined;
  return typeof query?.access_token === 'string' ? query.access_token : null;
}

export interface AuthPluginOptions {
  authenticator: TokenAuthenticator;
  /**
   * Runs once the caller is known (request.auth set, or null) and before a bad token is refused, so the
   * rate limit can count by account and still count requests with invalid tokens (by address).
   */
  afterAuthentication?: preHandlerAsyncHookHandler;
  /** The web app's session cookie, accepted when no bearer token is given (with CSRF checks). */
  cookies?: { authenticator: CookieAuthenticator; publicUrl: string };
}

/**
 * The caller of a request that carries the session cookie and no bearer token: its auth context, or a
 * reason to refuse it (a cross-origin or forged unsafe request). A stale cookie, or one sent along with a
 * cross-origin read, counts as no credentials (routes that need a user then answer 401).
 */
async function cookieCaller(request: FastifyRequest, cookies: NonNullable<AuthPluginOptions['cookies']>): Promise<{ auth: AuthContext | null; refusal: string | null }> {
  // The web app calls the API only; other pages (the OAuth sign-in and consent forms) have their own cookies
  // and CSRF tokens, and the browser sends this cookie along to them too.
  if (!request.url.startsWith('/api/')) return { auth: null, refusal: null };
  const cookie = sessionCookie(cookies.publicUrl);
  const secret = readSessionCookie(request, cookie);
  if (secret === null) return { auth: null, refusal: null };
  const problem = crossOriginProblem(request, cookies.publicUrl);
  const unsafe = needsCsrfToken(request);
  if (problem) return { auth: null, refusal: unsafe ? problem : null };
  const found = await cookies.authenticator.authenticate(secret);
  if (!found) return { auth: null, refusal: null };
  if (unsafe && !csrfTokenMatches(request, found.csrfToken)) return { auth: null, refusal: 'Missing or invalid CSRF token' };
  return { auth: found.auth, refusal: null };
}

/** Reads the bearer token (or else the web session cookie) on every request into request.auth (null when absent). */
export const authPlugin = fp<AuthPluginOptions>(async (app: FastifyInstance, { authenticator, afterAuthentication, cookies }) => {
  app.decorateRequest('auth', null);
  app.addHook('preHandler', async function authenticate(request, reply) {
    if (request.routeOptions.config?.ownCredentials) return;
    const token = bearerToken(request);
    const fromCookie = token === null && cookies ? await cookieCaller(request, cookies) : null;
    const auth = token === null ? (fromCookie?.auth ?? null) : await authenticator.authenticate(token);
    if (auth && !auth.account?.suspended) request.auth = auth;
    if (afterAuthentication) await afterAuthentication.call(this, request, reply);
    if (fromCookie?.refusal) throw new Forbidden(fromCookie.refusal);
    if (token !== null && !auth) throw new Unauthorized();
    if (auth?.account?.suspended) throw new Forbidden('Your login is currently disabled');
  });
});

/** A preHandler that demands a token with `scope`, and by default a user (not an app-only token). */
export function requireScope(scope: string, options: { user?: boolean } = {}): preHandlerAsyncHookHandler {
  const needsUser = options.user ?? true;
  return async (request) => {
    const auth = request.auth;
    if (!auth) throw new Unauthorized('The access token is invalid');
    if (!hasScope(auth.scopes, scope)) throw new Forbidden('This action is outside the authorized scopes');
    if (needsUser && !auth.account) throw new Unauthorized('This method requires an authenticated user');
  };
}

/** A preHandler for routes anyone may call, that check `scope` when a token is given. */
export function optionalScope(scope: string): preHandlerAsyncHookHandler {
  return async (request) => {
    const auth = request.auth;
    if (auth && !hasScope(auth.scopes, scope)) throw new Forbidden('This action is outside the authorized scopes');
  };
}

/** The account a read acts for, or null for an app-only token or no token. */
export function viewerOf(request: FastifyRequest): AccountRecord | null {
  return request.auth?.account ?? null;
}

/** The calling account; only valid after requireScope(…, { user: true }). */
export function currentAccount(request: FastifyRequest): AccountRecord {
  const account = request.auth?.account;
  if (!account) throw new Unauthorized('This method requires an authenticated user');
  return account;
}

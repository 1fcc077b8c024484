import cookie from '@fastify/cookie';
import { Type, type Static } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccountRecord } from '../accounts/accounts.store.ts';
import { KithError } from '../shared/errors.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';
import { authRateLimit } from './auth-rate-limit.ts';
import { AuthorizeFailure, type AuthorizationRequest, type AuthorizeParams } from './authorization.ts';
import { pageSecurityPolicy, renderCodePage, renderConsentPage, renderErrorPage } from './authorize-page.ts';
import { newSecret } from './secrets.ts';
import { isTrue } from '../shared/schemas.ts';

const Field = Type.Optional(Type.String({ maxLength: 2000 }));
const OAuthFields = {
  response_type: Field,
  client_id: Field,
  redirect_uri: Field,
  scope: Field,
  state: Field,
  code_challenge: Field,
  code_challenge_method: Field,
  force_login: Type.Optional(Type.Union([Type.Boolean(), Type.String({ maxLength: 10 })])),
  lang: Field,
};
const AuthorizeQuery = Type.Object(OAuthFields, { additionalProperties: true });
const AuthorizeForm = Type.Object(
  {
    ...OAuthFields,
    csrf_token: Field,
    username: Type.Optional(Type.String({ maxLength: 320 })),
    password: Type.Optional(Type.String({ maxLength: 1000 })),
    decision: Type.Optional(Type.Union([Type.Literal('approve'), Type.Literal('deny')])),
  },
  { additionalProperties: true },
);
type AuthorizeInput = Static<typeof AuthorizeQuery>;

// The browser cookie binds CSRF tokens to one browser; the session cookie remembers who signed in.
const BROWSER_COOKIE = 'kith_oauth_browser';
const SESSION_COOKIE = 'kith_oauth_session';

function oauthParams(input: AuthorizeInput): AuthorizeParams {
  const { response_type, client_id, redirect_uri, scope, state, code_challenge, code_challenge_method } = input;
  return { response_type, client_id, redirect_uri, scope, state, code_challenge, code_challenge_method };
}

/** The sign-in and consent page of the authorization-code flow (GET shows it, POST decides). */
export async function authorizeRoutes(instance: FastifyInstance, { config, services }: RouteDeps): Promise<void> {
  await instance.register(cookie);
  const app = typed(instance);
  const flow = services.oauth.authorization;
  const cookieOptions = { path: '/oauth', httpOnly: true, sameSite: 'lax' as const, secure: config.publicUrl.startsWith('https:') };

  const html = (reply: FastifyReply, status: number, body: string, redirectUri: string | null = null) =>
    reply
      .status(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-security-policy', pageSecurityPolicy(redirectUri))
      .send(body);

  const failure = (reply: FastifyReply, error: AuthorizeFailure) =>
    error.redirectTo ? reply.redirect(error.redirectTo, 302) : html(reply, error.status, renderErrorPage(config.instanceName, 'Authorization failed', error.description));

  const browserId = (request: FastifyRequest, reply: FastifyReply): string => {
    const existing = request.cookies[BROWSER_COOKIE];
    if (existing && /^[\w-]{20,100}$/.test(existing)) return existing;
    const id = newSecret();
    reply.setCookie(BROWSER_COOKIE, id, { ...cookieOptions, maxAge: 24 * 3600 });
    return id;
  };

  const consentPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    checked: AuthorizationRequest,
    options: { status: number; account: AccountRecord | null; forceLogin: boolean; login?: string; error?: string },
  ) => {
    const csrfToken = await flow.issueCsrfToken(browserId(request, reply));
    const page = renderConsentPage({
      instanceName: config.instanceName,
      appName: checked.app.name,
      appWebsite: checked.app.website,
      scopes: checked.scopes,
      params: checked.params,
      csrfToken,
      signedInAs: options.account?.username ?? null,
      forceLogin: options.forceLogin,
      login: options.login,
      error: options.error,
    });
    return html(reply, options.status, page, checked.redirectUri);
  };

  app.get('/oauth/authorize', {
    schema: { tags: ['oauth'], summary: 'The sign-in and consent page (HTML)', querystring: AuthorizeQuery, security: [] },
  }, async (request, reply) => {
    let checked: AuthorizationRequest;
    try {
      checked = await flow.check(oauthParams(request.query));
    } catch (error) {
      if (error instanceof AuthorizeFailure) return failure(reply, error);
      throw error;
    }
    const forceLogin = isTrue(request.query.force_login);
    const sessionId = request.cookies[SESSION_COOKIE];
    const account = !forceLogin && sessionId ? await flow.sessionAccount(sessionId) : null;
    return consentPage(request, reply, checked, { status: 200, account, forceLogin });
  });

  app.post('/oauth/authorize', {
    schema: { tags: ['oauth'], summary: 'Approve or deny an authorization request (HTML form)', body: AuthorizeForm, security: [] },
    config: { rateLimit: authRateLimit(config) },
  }, async (request, reply) => {
    const form = request.body;
    const browser = request.cookies[BROWSER_COOKIE];
    if (!browser || !form.csrf_token || !(await flow.consumeCsrfToken(browser, form.csrf_token))) {
      return html(reply, 403, renderErrorPage(config.instanceName, 'This form has expired', 'Go back to the application and start signing in again.'));
    }
    let checked: AuthorizationRequest;
    try {
      checked = await flow.check(oauthParams(form));
    } catch (error) {
      if (error instanceof AuthorizeFailure) return failure(reply, error);
      throw error;
    }
    const forceLogin = isTrue(form.force_login);
    const allowed = form.decision !== 'deny';
    let account: AccountRecord | null = null;
    if (form.username || form.password) {
      try {
        account = await flow.signIn(form.username ?? '', form.password ?? '');
      } catch (error) {
        if (!(error instanceof KithError)) throw error;
        return consentPage(request, reply, checked, { status: error.statusCode, account: null, forceLogin, login: form.username, error: error.message });
      }
      const previous = request.cookies[SESSION_COOKIE];
      if (previous) await flow.endSession(previous);
      reply.setCookie(SESSION_COOKIE, await flow.startSession(account._id), { ...cookieOptions, maxAge: 14 * 24 * 3600 });
    } else if (!forceLogin && request.cookies[SESSION_COOKIE]) {
      account = await flow.sessionAccount(request.cookies[SESSION_COOKIE]);
    }
    if (allowed && !account) {
      return consentPage(request, reply, checked, { status: 401, account: null, forceLogin, error: 'Sign in to authorize this application.' });
    }
    try {
      const outcome = await flow.decide(checked, account, allowed);
      if ('code' in outcome) return html(reply, 200, renderCodePage(config.instanceName, checked.app.name, outcome.code));
      return reply.redirect(outcome.redirectTo, 302);
    } catch (error) {
      if (error instanceof AuthorizeFailure) return failure(reply, error);
      throw error;
    }
  });
}

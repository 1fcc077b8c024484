import OAuth2Server from '@node-oauth/oauth2-server';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { AccountRecord } from '../accounts/accounts.store.ts';
import { Forbidden, Unauthorized } from '../shared/errors.ts';
import type { OAuthUser } from './oauth.model.ts';
import { PERSONAL_APP_ID, type AppRecord, type OAuthStore } from './oauth.store.ts';
import { DEFAULT_SCOPES, scopesAllowed, splitScopes } from './scopes.ts';
import type { SignInSessions } from './sign-in-sessions.ts';

const OOB = 'urn:ietf:wg:oauth:2.0:oob';

/** The query (GET) or form (POST) fields of an authorization request. */
export interface AuthorizeParams {
  response_type?: string;
  client_id?: string;
  redirect_uri?: string;
  scope?: string;
  state?: string;
  code_challenge?: string;
  code_challenge_method?: string;
}

/** A checked authorization request: the app, where to send the answer, and the scopes asked for. */
export interface AuthorizationRequest {
  app: AppRecord;
  redirectUri: string;
  scopes: string[];
  /** The request's fields, with redirect_uri filled in and scope normalized, to carry through the form. */
  params: AuthorizeParams;
}

/**
 * A failed authorization request. With redirectTo (only after the user denied access), the client is
 * told through its redirect URI; otherwise the page shows the error.
 */
export class AuthorizeFailure extends Error {
  readonly status: number;
  readonly error: string;
  readonly description: string;
  readonly redirectTo: string | null;

  constructor(status: number, error: string, description: string, redirectTo: string | null = null) {
    super(description);
    this.status = status;
    this.error = error;
    this.description = description;
    this.redirectTo = redirectTo;
  }
}

/** The outcome of an approved or denied request: a redirect to the client, or a code to show (oob). */
export type AuthorizationOutcome = { redirectTo: string } | { code: string };

/** The authorization-code flow behind the sign-in and consent page; the OAuth library issues the codes. */
export class AuthorizationFlow {
  private readonly server: OAuth2Server;
  private readonly store: OAuthStore;
  private readonly accounts: AccountsService;
  private readonly sessions: SignInSessions;

  constructor(server: OAuth2Server, store: OAuthStore, accounts: AccountsService, sessions: SignInSessions) {
    this.server = server;
    this.store = store;
    this.accounts = accounts;
    this.sessions = sessions;
  }

  /**
   * Checks an authorization request before the page is shown. Throws AuthorizeFailure, never with a
   * redirect: anyone can register an app, so redirecting a bad request to the app's URI without the
   * user acting would make this server an open redirector (RFC 9700, 4.11).
   */
  async check(params: AuthorizeParams): Promise<AuthorizationRequest> {
    const app = params.client_id ? await this.store.findAppByClientId(params.client_id) : null;
    if (!app || app._id === PERSONAL_APP_ID) {
      throw new AuthorizeFailure(400, 'invalid_client', 'This application is unknown. Ask its developer to register it with this server again.');
    }
    let redirectUri = params.redirect_uri;
    if (!redirectUri && app.redirectUris.length === 1) redirectUri = app.redirectUris[0]!;
    if (!redirectUri || !app.redirectUris.includes(redirectUri)) {
      throw new AuthorizeFailure(400, 'invalid_redirect_uri', 'The redirect URI is not registered for this application.');
    }
    const fail = (error: string, description: string) => new AuthorizeFailure(400, error, description);
    if (params.response_type !== 'code') {
      throw fail('unsupported_response_type', 'The authorization server does not support this response type.');
    }
    const requested = splitScopes(params.scope);
    const scopes = requested.length > 0 ? requested : [...DEFAULT_SCOPES];
    if (!scopesAllowed(scopes, app.scopes)) {
      throw fail('invalid_scope', 'The requested scope is invalid, unknown, or malformed.');
    }
    if (params.code_challenge_method && !['S256', 'plain'].includes(params.code_challenge_method)) {
      throw fail('invalid_request', 'The code challenge method must be S256 or plain.');
    }
    return { app, redirectUri, scopes, params: { ...params, redirect_uri: redirectUri, scope: scopes.join(' ') } };
  }

  /** The account for a username or email and password; Unauthorized or Forbidden (suspended) otherwise. */
  async signIn(login: string, password: string): Promise<AccountRecord> {
    const account = await this.accounts.authenticate(login.trim(), password);
    // One answer for an unknown login and a wrong password, so the form does not reveal who has an account.
    if (!account) throw new Unauthorized('Invalid username, email or password.');
    if (account.suspended) throw new Forbidden('Your login is currently disabled');
    return account;
  }

  /** Starts a sign-in session; returns its id for the session cookie. */
  startSession(accountId: string): Promise<string> {
    return this.sessions.start(accountId);
  }

  /** The signed-in account of a session, or null (unknown, expired, or the account is suspended). */
  async sessionAccount(sessionId: string): Promise<AccountRecord | null> {
    const accountId = await this.sessions.accountId(sessionId);
    if (!accountId) return null;
    const account = await this.accounts.find(accountId);
    if (!account || account.suspended) {
      await this.sessions.end(sessionId);
      return null;
    }
    return account;
  }

  /** Ends a sign-in session. */
  endSession(sessionId: string): Promise<void> {
    return this.sessions.end(sessionId);
  }

  /** A one-time CSRF token for the form shown to this browser. */
  issueCsrfToken(browserId: string): Promise<string> {
    return this.sessions.issueCsrfToken(browserId);
  }

  /** Whether the form's CSRF token was issued to this browser (and spends it). */
  consumeCsrfToken(browserId: string, token: string): Promise<boolean> {
    return this.sessions.consumeCsrfToken(browserId, token);
  }

  /**
   * Records the user's decision through the OAuth library: approving issues a code (10 minutes, one use,
   * bound to the PKCE challenge); denying sends access_denied. `account` may be null only when denying.
   */
  async decide(request: AuthorizationRequest, account: AccountRecord | null, allowed: boolean): Promise<AuthorizationOutcome> {
    const body: Record<string, string> = { allowed: allowed ? 'true' : 'false' };
    for (const [key, value] of Object.entries(request.params)) {
      if (typeof value === 'string' && value !== '') body[key] = value;
    }
    const oauthRequest = new OAuth2Server.Request({ method: 'POST', headers: {}, query: {}, body });
    const response = new OAuth2Server.Response();
    const user: OAuthUser = { accountId: account?._id ?? null };
    if (allowed && !account) throw new Unauthorized('Sign in first.');
    try {
      const code = await this.server.authorize(oauthRequest, response, { authenticateHandler: { handle: async () => user } });
      if (request.redirectUri === OOB) return { code: code.authorizationCode };
      return { redirectTo: String(response.get('location')) };
    } catch (error) {
      if (!(error instanceof OAuth2Server.OAuthError) || error.name === 'server_error') {
        throw (error as { inner?: unknown }).inner ?? error;
      }
      // Only a user's "deny" goes back to the client; anything else that fails shows the error page.
      const location = response.get('location') as string | undefined;
      const redirectTo = allowed || request.redirectUri === OOB || !location ? null : location;
      throw new AuthorizeFailure(error.code, error.name, error.message, redirectTo);
    }
  }
}

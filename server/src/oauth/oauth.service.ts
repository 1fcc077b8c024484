import OAuth2Server from '@node-oauth/oauth2-server';
import type { Redis } from 'ioredis';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { AccountRecord } from '../accounts/accounts.store.ts';
import type { AuthContext, TokenAuthenticator } from '../plugins/auth.ts';
import { Invalid, NotFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { AuthorizationFlow } from './authorization.ts';
import { createOAuthModel } from './oauth.model.ts';
import { INVALID_CLIENT_DESCRIPTION, OAuthProblem, fromLibraryError } from './oauth-errors.ts';
import { PERSONAL_APP_ID, type AppRecord, type OAuthStore, type TokenRecord } from './oauth.store.ts';
import { DEFAULT_SCOPES, SCOPES, splitScopes, unknownScopes } from './scopes.ts';
import { newSecret, secretMatches, sha256 } from './secrets.ts';
import { SignInSessions } from './sign-in-sessions.ts';
import { TokenCache } from './token-cache.ts';

export const OOB_REDIRECT_URI = 'urn:ietf:wg:oauth:2.0:oob';
const CODE_LIFETIME_S = 600;
const LIMITS = { name: 60, website: 2000, redirectUri: 2000, redirectUris: 20 } as const;

export interface NewApp {
  name: string;
  /** One URI, several separated by whitespace, or a list. */
  redirectUris: string | string[];
  /** Space-separated; Mastodon's default is "read". */
  scopes?: string;
  website?: string | null;
}

/** A token just issued: the secret (shown once) and what was granted. */
export interface IssuedToken {
  accessToken: string;
  scopes: string[];
  createdAt: Date;
  expiresAt: Date | null;
}

function isRedirectUri(uri: string): boolean {
  if (uri === OOB_REDIRECT_URI) return true;
  if (uri.length > LIMITS.redirectUri || /\s/.test(uri)) return false;
  try {
    const parsed = new URL(uri);
    // Absolute, with no fragment (RFC 6749 3.1.2); custom schemes of mobile apps are fine.
    return parsed.protocol.length > 1 && parsed.hash === '' && !uri.includes('#');
  } catch {
    return false;
  }
}

/**
 * Apps, tokens and the OAuth 2.0 endpoints (through @node-oauth/oauth2-server), and the bearer-token
 * check every request goes through. Tokens are stored as SHA-256 hashes; lookups are cached in Redis.
 */
export class OAuthService implements TokenAuthenticator {
  private readonly store: OAuthStore;
  private readonly accounts: AccountsService;
  private readonly cache: TokenCache;
  private readonly server: OAuth2Server;
  private personalApp: Promise<void> | null = null;
  /** The sign-in and consent page's flow (authorization codes, sign-in sessions, CSRF). */
  readonly authorization: AuthorizationFlow;

  constructor(store: OAuthStore, accounts: AccountsService, redis: Redis) {
    this.store = store;
    this.accounts = accounts;
    this.cache = new TokenCache(redis);
    this.server = new OAuth2Server({
      model: createOAuthModel(store, (token, appId, accountId, scopes, expiresAt) => this.saveToken(token, appId, accountId, scopes, expiresAt)),
      authorizationCodeLifetime: CODE_LIFETIME_S,
      allowEmptyState: true,
      // The library needs a lifetime, but saveToken ignores it: tokens live until revoked.
      accessTokenLifetime: 3600,
      enablePlainPKCE: true,
    } as OAuth2Server.ServerOptions);
    this.authorization = new AuthorizationFlow(this.server, store, accounts, new SignInSessions(redis));
  }

  /** Registers a client application; returns it with its client secret, which is never shown again. */
  async createApp(input: NewApp): Promise<{ app: AppRecord; clientSecret: string }> {
    const name = input.name.trim();
    if (name === '') throw new Invalid("Validation failed: Name can't be blank");
    if (name.length > LIMITS.name) throw new Invalid(`Validation failed: Name is too long (maximum is ${LIMITS.name} characters)`);
    const redirectUris = [...new Set((Array.isArray(input.redirectUris) ? input.redirectUris : [input.redirectUris]).flatMap((u) => u.split(/\s+/)).filter((u) => u !== ''))];
    if (redirectUris.length === 0) throw new Invalid("Validation failed: Redirect URI can't be blank");
    if (redirectUris.length > LIMITS.redirectUris) throw new Invalid(`Validation failed: Redirect URI may list at most ${LIMITS.redirectUris} URIs`);
    if (!redirectUris.every(isRedirectUri)) throw new Invalid('Validation failed: Redirect URI must be an absolute URI.');
    const scopes = splitScopes(input.scopes ?? '');
    const granted = scopes.length > 0 ? scopes : [...DEFAULT_SCOPES];
    if (unknownScopes(granted).length > 0) throw new Invalid("Validation failed: Scopes doesn't match configured on the server.");
    const website = input.website?.trim() || null;
    if (website !== null && (website.length > LIMITS.website || !/^https?:\/\/[^\s]+$/i.test(website) || !URL.canParse(website))) {
      throw new Invalid('Validation failed: Website is invalid');
    }
    const clientSecret = newSecret();
    const now = new Date();
    const app: AppRecord = {
      _id: newId(now),
      name,
      website,
      redirectUris,
      scopes: granted,
      clientId: newSecret(),
      clientSecretHash: sha256(clientSecret),
      createdAt: now,
    };
    await this.store.insertApp(app);
    return { app, clientSecret };
  }

  /** The app with this id; NotFound when there is none. */
  async getApp(id: string): Promise<AppRecord> {
    const app = await this.store.findApp(id);
    if (!app) throw new NotFound();
    return app;
  }

  /**
   * Resolves a bearer token to its caller, or null when it is unknown, revoked or expired. The token is
   * cached; the account is loaded on every call, so a suspension applies to the very next request.
   */
  async authenticate(bearerToken: string): Promise<AuthContext | null> {
    if (bearerToken.length > 512) return null;
    const tokenHash = sha256(bearerToken);
    let token = await this.cache.get(tokenHash);
    if (token === 'invalid') return null;
    if (token === null) {
      const record = await this.store.findTokenByHash(tokenHash);
      await this.cache.remember(tokenHash, record);
      if (!record) return null;
      token = { id: record._id, appId: record.appId, accountId: record.accountId, scopes: record.scopes, expiresAt: record.expiresAt?.getTime() ?? null };
    }
    if (token.expiresAt !== null && token.expiresAt <= Date.now()) return null;
    let account: AccountRecord | null = null;
    if (token.accountId !== null) {
      account = await this.accounts.find(token.accountId);
      if (!account) return null;
    }
    return { tokenId: token.id, account, appId: token.appId, scopes: token.scopes };
  }

  /**
   * Issues a token for an account without an OAuth flow (CLI `token`, tests), owned by a built-in
   * "personal access token" app. Throws Invalid for an unknown scope or account.
   */
  async issuePersonalToken(accountId: string, scopes: string[], options: { expiresAt?: Date | null } = {}): Promise<string> {
    if (!(await this.accounts.find(accountId))) throw new Invalid('Validation failed: Account does not exist');
    await this.ensurePersonalApp();
    const issued = await this.issueToken(PERSONAL_APP_ID, accountId, scopes, options.expiresAt ?? null);
    return issued.accessToken;
  }

  /** Issues a token for an app (and account, or null for an app-only token). Throws Invalid for unknown scopes. */
  async issueToken(appId: string, accountId: string | null, scopes: string[], expiresAt: Date | null = null): Promise<IssuedToken> {
    const granted = scopes.length > 0 ? [...new Set(scopes)] : [...DEFAULT_SCOPES];
    const unknown = unknownScopes(granted);
    if (unknown.length > 0) throw new Invalid(`Validation failed: Unknown scope ${unknown.join(', ')}`);
    const accessToken = newSecret();
    const record = await this.saveToken(accessToken, appId, accountId, granted, expiresAt);
    return { accessToken, scopes: record.scopes, createdAt: record.createdAt, expiresAt: record.expiresAt };
  }

  /**
   * The token endpoint: exchanges an authorization code (with PKCE) or client credentials for a token.
   * `params` are the form or JSON fields; `authorization` the Basic credentials header, if any.
   * Throws OAuthProblem for every protocol error.
   */
  async exchange(params: Record<string, string>, authorization?: string): Promise<IssuedToken> {
    const grantType = params.grant_type;
    if (grantType && grantType !== 'authorization_code' && grantType !== 'client_credentials') {
      throw new OAuthProblem(400, 'unsupported_grant_type', 'The authorization grant type is not supported by the authorization server.');
    }
    const body = { ...params };
    // Hand-built requests separate scopes with "+" (Mastodon accepts it); the library expects spaces.
    if (body.scope !== undefined) body.scope = body.scope.replace(/\+/g, ' ');
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '1' };
    if (authorization) headers.authorization = authorization;
    const request = new OAuth2Server.Request({ method: 'POST', headers, query: {}, body });
    try {
      const token = await this.server.token(request, new OAuth2Server.Response());
      return { accessToken: token.accessToken, scopes: token.scope ?? [], createdAt: token.createdAt as Date, expiresAt: null };
    } catch (error) {
      throw fromLibraryError(error);
    }
  }

  /**
   * Revokes a token issued to the calling client (RFC 7009, as Mastodon does it): unknown tokens are
   * fine (idempotent); another client's token is refused. Throws OAuthProblem.
   */
  async revoke(clientId: string | undefined, clientSecret: string | undefined, token: string | undefined): Promise<void> {
    const app = clientId ? await this.store.findAppByClientId(clientId) : null;
    if (!app || !clientSecret || !secretMatches(clientSecret, app.clientSecretHash)) {
      throw new OAuthProblem(401, 'invalid_client', INVALID_CLIENT_DESCRIPTION);
    }
    const notYours = new OAuthProblem(403, 'unauthorized_client', 'You are not authorized to revoke this token');
    if (!token) throw notYours;
    const tokenHash = sha256(token);
    const record = await this.store.findTokenByHash(tokenHash);
    if (!record) return;
    if (record.appId !== app._id) throw notYours;
    await this.store.deleteTokenByHash(tokenHash);
    await this.cache.revoke(tokenHash);
  }

  /** Revokes every token of the account except `keepTokenId` (null: all of them), effective on the next request. */
  async revokeAllForAccount(accountId: string, keepTokenId: string | null): Promise<void> {
    const removed = await this.store.deleteTokensForAccountExcept(accountId, keepTokenId);
    for (const token of removed) await this.cache.revoke(token.tokenHash);
  }

  private async saveToken(accessToken: string, appId: string, accountId: string | null, scopes: string[], expiresAt: Date | null): Promise<TokenRecord> {
    const now = new Date();
    const record: TokenRecord = { _id: newId(now), tokenHash: sha256(accessToken), appId, accountId, scopes, createdAt: now, expiresAt };
    await this.store.insertToken(record);
    return record;
  }

  private ensurePersonalApp(): Promise<void> {
    this.personalApp ??= this.store
      .ensureApp({
        _id: PERSONAL_APP_ID,
        name: 'Personal access token',
        website: null,
        redirectUris: [],
        scopes: [...SCOPES],
        clientId: 'kith-personal-tokens',
        // Nobody knows this secret: the app takes part in no OAuth flow.
        clientSecretHash: sha256(newSecret()),
        createdAt: new Date(),
      })
      .catch((error: unknown) => {
        this.personalApp = null;
        throw error;
      });
    return this.personalApp;
  }
}

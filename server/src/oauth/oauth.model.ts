// The storage "model" @node-oauth/oauth2-server drives: the library implements the protocol
// (grant checks, PKCE, redirect URI and code rules), this file only loads and saves.
import type OAuth2Server from '@node-oauth/oauth2-server';
import { newId } from '../shared/ids.ts';
import { DEFAULT_SCOPES, scopesAllowed } from './scopes.ts';
import { newSecret, secretMatches, sha256 } from './secrets.ts';
import { PERSONAL_APP_ID, type AppRecord, type OAuthStore, type TokenRecord } from './oauth.store.ts';

/** The resource owner as the library sees it: an account, or nobody for client-credentials tokens. */
export interface OAuthUser {
  accountId: string | null;
}

/** A client as the library sees it, carrying our app record. */
export interface OAuthClient extends OAuth2Server.Client {
  id: string;
  redirectUris: string[];
  grants: string[];
  app: AppRecord;
}

/** Saves a new access token and returns its record (shared with personal tokens and sign-up). */
export type TokenWriter = (token: string, appId: string, accountId: string | null, scopes: string[], expiresAt: Date | null) => Promise<TokenRecord>;

// Mastodon removed the password grant; refresh tokens are not issued (tokens live until revoked).
const GRANTS = ['authorization_code', 'client_credentials'];

function toClient(app: AppRecord): OAuthClient {
  return { id: app._id, redirectUris: app.redirectUris, grants: GRANTS, app };
}

/** Builds the library's model over our store; `writeToken` saves every token the library issues. */
export function createOAuthModel(store: OAuthStore, writeToken: TokenWriter): OAuth2Server.AuthorizationCodeModel & OAuth2Server.ClientCredentialsModel {
  return {
    async getClient(clientId: string, clientSecret: string | null | undefined) {
      const app = await store.findAppByClientId(clientId);
      // Personal tokens' app has no secret anyone knows; it never takes part in OAuth flows.
      if (!app || app._id === PERSONAL_APP_ID) return false;
      // The library passes no secret only where none is needed: the authorize step, and PKCE exchanges.
      if (typeof clientSecret === 'string' && !secretMatches(clientSecret, app.clientSecretHash)) return false;
      return toClient(app);
    },

    async generateAccessToken() {
      return newSecret();
    },

    async generateAuthorizationCode() {
      return newSecret();
    },

    async validateScope(_user: OAuth2Server.User, client: OAuth2Server.Client, scope?: string[]) {
      const requested = scope && scope.length > 0 ? [...new Set(scope)] : [...DEFAULT_SCOPES];
      return scopesAllowed(requested, (client as OAuthClient).app.scopes) ? requested : false;
    },

    async validateRedirectUri(redirectUri: string, client: OAuth2Server.Client) {
      return (client as OAuthClient).redirectUris.includes(redirectUri);
    },

    async saveAuthorizationCode(code, client, user) {
      const now = new Date();
      await store.deleteExpiredCodes(now);
      await store.insertCode({
        _id: newId(now),
        codeHash: sha256(code.authorizationCode),
        appId: client.id,
        accountId: (user as OAuthUser).accountId!,
        scopes: code.scope ?? [],
        redirectUri: code.redirectUri,
        codeChallenge: code.codeChallenge ?? null,
        codeChallengeMethod: code.codeChallenge ? (code.codeChallengeMethod ?? null) : null,
        expiresAt: code.expiresAt,
        createdAt: now,
      });
      return { ...code, client, user };
    },

    async getAuthorizationCode(authorizationCode: string) {
      const record = await store.findCodeByHash(sha256(authorizationCode));
      if (!record) return false;
      const app = await store.findApp(record.appId);
      if (!app) return false;
      return {
        authorizationCode,
        // The library rejects the code once this is past, so expiry is checked on every exchange.
        expiresAt: record.expiresAt,
        redirectUri: record.redirectUri,
        scope: record.scopes,
        client: toClient(app),
        user: { accountId: record.accountId } satisfies OAuthUser,
        ...(record.codeChallenge ? { codeChallenge: record.codeChallenge, codeChallengeMethod: record.codeChallengeMethod ?? undefined } : {}),
        recordId: record._id,
      };
    },

    async revokeAuthorizationCode(code) {
      return store.deleteCode(code.recordId as string);
    },

    async getUserFromClient() {
      return { accountId: null } satisfies OAuthUser;
    },

    async saveToken(token, client, user) {
      const record = await writeToken(token.accessToken, client.id, (user as OAuthUser).accountId, token.scope ?? [...DEFAULT_SCOPES], null);
      // No accessTokenExpiresAt and no refresh token: Mastodon's tokens last until revoked.
      return { accessToken: token.accessToken, scope: record.scopes, client, user, createdAt: record.createdAt };
    },

    async getAccessToken(accessToken: string) {
      const record = await store.findTokenByHash(sha256(accessToken));
      if (!record) return false;
      const app = await store.findApp(record.appId);
      if (!app) return false;
      return {
        accessToken,
        accessTokenExpiresAt: record.expiresAt ?? undefined,
        scope: record.scopes,
        client: toClient(app),
        user: { accountId: record.accountId } satisfies OAuthUser,
      };
    },
  };
}

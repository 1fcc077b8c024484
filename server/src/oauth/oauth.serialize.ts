import type { IssuedToken } from './oauth.service.ts';
import type { AppRecord } from './oauth.store.ts';

/** Mastodon's Application entity (4.3: with scopes, redirect_uris and the instance's VAPID key, which clients still read here). */
export interface ApplicationEntity {
  id: string;
  name: string;
  website: string | null;
  scopes: string[];
  redirect_uri: string;
  redirect_uris: string[];
  vapid_key: string;
}

/** Mastodon's CredentialApplication: the Application plus its credentials, returned once at creation. */
export interface CredentialApplicationEntity extends ApplicationEntity {
  client_id: string;
  client_secret: string;
  client_secret_expires_at: number;
}

/** Mastodon's Token entity. */
export interface TokenEntity {
  access_token: string;
  token_type: 'Bearer';
  scope: string;
  created_at: number;
  expires_in?: number;
}

/** Domain → Mastodon Application entity. */
export function toApplicationEntity(app: AppRecord, vapidKey: string): ApplicationEntity {
  return {
    id: app._id,
    name: app.name,
    website: app.website,
    scopes: app.scopes,
    redirect_uri: app.redirectUris.join('\n'),
    redirect_uris: app.redirectUris,
    vapid_key: vapidKey,
  };
}

/** Domain → Mastodon CredentialApplication entity (only right after creation: the secret is not stored). */
export function toCredentialApplicationEntity(app: AppRecord, clientSecret: string, vapidKey: string): CredentialApplicationEntity {
  return { ...toApplicationEntity(app, vapidKey), client_id: app.clientId, client_secret: clientSecret, client_secret_expires_at: 0 };
}

/** An issued token → Mastodon Token entity (created_at in epoch seconds). */
export function toTokenEntity(token: IssuedToken): TokenEntity {
  const entity: TokenEntity = {
    access_token: token.accessToken,
    token_type: 'Bearer',
    scope: token.scopes.join(' '),
    created_at: Math.floor(token.createdAt.getTime() / 1000),
  };
  if (token.expiresAt) entity.expires_in = Math.max(0, Math.floor((token.expiresAt.getTime() - token.createdAt.getTime()) / 1000));
  return entity;
}

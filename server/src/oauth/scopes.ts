// Mastodon's OAuth scopes, and how a requested set is checked against what an app registered.
import { hasScope } from '../plugins/auth.ts';

const READ = ['accounts', 'blocks', 'bookmarks', 'favourites', 'filters', 'follows', 'lists', 'mutes', 'notifications', 'search', 'statuses'];
const WRITE = ['accounts', 'blocks', 'bookmarks', 'conversations', 'favourites', 'filters', 'follows', 'lists', 'media', 'mutes', 'notifications', 'reports', 'statuses'];
const ADMIN = ['accounts', 'reports', 'domain_allows', 'domain_blocks', 'ip_blocks', 'email_domain_blocks', 'canonical_email_blocks'];

/** Every scope Mastodon knows (4.3), top-level and granular. */
export const SCOPES: readonly string[] = [
  'read',
  'write',
  'follow',
  'push',
  'profile',
  'admin:read',
  'admin:write',
  ...READ.map((s) => `read:${s}`),
  ...WRITE.map((s) => `write:${s}`),
  ...ADMIN.map((s) => `admin:read:${s}`),
  ...ADMIN.map((s) => `admin:write:${s}`),
];

const KNOWN = new Set(SCOPES);

/** Mastodon's default when a client asks for no scope. */
export const DEFAULT_SCOPES: readonly string[] = ['read'];

/** Splits a scope string (spaces, or "+" from a hand-built query) into distinct scopes, keeping order. */
export function splitScopes(text: string | undefined | null): string[] {
  if (!text) return [];
  return [...new Set(text.split(/[\s+]+/).filter((s) => s !== ''))];
}

/** The scopes that are not Mastodon scopes. */
export function unknownScopes(scopes: readonly string[]): string[] {
  return scopes.filter((s) => !KNOWN.has(s));
}

/**
 * Whether every requested scope is known and covered by the app's registered scopes. An app that
 * registered "read" may ask for "read:statuses" (a narrower grant), but not the other way round.
 */
export function scopesAllowed(requested: readonly string[], registered: readonly string[]): boolean {
  return requested.length > 0 && unknownScopes(requested).length === 0 && requested.every((s) => hasScope(registered, s));
}

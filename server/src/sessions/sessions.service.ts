import type { AccountsService } from '../accounts/accounts.service.ts';
import type { AccountRecord } from '../accounts/accounts.store.ts';
import type { AuthContext } from '../plugins/auth.ts';
import { newSecret, sha256 } from '../oauth/secrets.ts';
import { newId } from '../shared/ids.ts';
import { Forbidden, NotFound, Unauthorized } from '../shared/errors.ts';
import { SessionCache } from './session-cache.ts';
import type { SessionRecord, SessionsStore } from './sessions.store.ts';
import type { Redis } from 'ioredis';

/** Every scope a web client gets: the web app can do all a person can (admins: the admin screens too). */
export const WEB_SCOPES = ['read', 'write', 'follow', 'push'];
const ADMIN_SCOPES = ['admin:read', 'admin:write'];
const SESSION_LIFETIME_MS = 30 * 24 * 3600 * 1000;
/** How stale a session's "last used" may get; it is written when the cache entry is refreshed. */
const TOUCH_EVERY_MS = 10 * 60 * 1000;

/** The caller of a cookie-authenticated request: its auth context and the session's CSRF token. */
export interface SessionAuth {
  sessionId: string;
  csrfToken: string;
  auth: AuthContext;
}

export interface SessionClient {
  userAgent: string;
  ip: string;
}

/** Web sessions: sign-in with a password, the cookie's lookup, listing and revoking. */
export class SessionsService {
  private readonly store: SessionsStore;
  private readonly accounts: AccountsService;
  private readonly cache: SessionCache;

  constructor(store: SessionsStore, accounts: AccountsService, redis: Redis) {
    this.store = store;
    this.accounts = accounts;
    this.cache = new SessionCache(redis);
  }

  /**
   * Checks a username or email and password and starts a session; returns it with the cookie secret.
   * One answer for an unknown login and a wrong password, so the form does not reveal who has an account.
   */
  async signIn(login: string, password: string, client: SessionClient): Promise<{ session: SessionRecord; secret: string; account: AccountRecord }> {
    const account = await this.accounts.authenticate(login.trim(), password);
    if (!account) throw new Unauthorized('Invalid username, email or password.');
    if (account.suspended) throw new Forbidden('Your login is currently disabled');
    const secret = newSecret();
    const now = new Date();
    const session: SessionRecord = {
      _id: newId(now),
      secretHash: sha256(secret),
      accountId: account._id,
      scopes: account.role === 'admin' ? [...WEB_SCOPES, ...ADMIN_SCOPES] : [...WEB_SCOPES],
      csrfToken: newSecret(),
      userAgent: client.userAgent.slice(0, 300),
      ip: client.ip,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: new Date(now.getTime() + SESSION_LIFETIME_MS),
    };
    await this.store.insert(session);
    return { session, secret, account };
  }

  /** The session a cookie secret belongs to, or null when it is unknown, revoked, expired or its account gone. */
  async authenticate(secret: string): Promise<SessionAuth | null> {
    if (secret.length > 128) return null;
    const secretHash = sha256(secret);
    let session = await this.cache.get(secretHash);
    if (session === 'invalid') return null;
    if (session === null) {
      const record = await this.store.findBySecretHash(secretHash);
      await this.cache.remember(secretHash, record);
      if (!record) return null;
      const now = new Date();
      if (now.getTime() - record.lastUsedAt.getTime() > TOUCH_EVERY_MS) await this.store.touch(record._id, now);
      session = { id: record._id, accountId: record.accountId, scopes: record.scopes, csrfToken: record.csrfToken, expiresAt: record.expiresAt.getTime() };
    }
    if (session.expiresAt <= Date.now()) return null;
    const account = await this.accounts.find(session.accountId);
    if (!account) return null;
    return {
      sessionId: session.id,
      csrfToken: session.csrfToken,
      // appId null: statuses posted from the web app name no application, as Mastodon's own web UI.
      auth: { tokenId: `session:${session.id}`, account, appId: null, scopes: session.scopes },
    };
  }

  /** The account's sessions, newest first. */
  list(accountId: string): Promise<SessionRecord[]> {
    return this.store.listForAccount(accountId, new Date());
  }

  /** Ends every session of the account but `keepSessionId` (null: all of them) at once. */
  async revokeAllExcept(accountId: string, keepSessionId: string | null): Promise<void> {
    const removed = await this.store.deleteAllForAccountExcept(accountId, keepSessionId);
    for (const session of removed) await this.cache.revoke(session.secretHash);
  }

  /** Ends one of the account's sessions at once (the cache entry is overwritten); NotFound when it is not theirs. */
  async revoke(accountId: string, sessionId: string): Promise<void> {
    const removed = await this.store.deleteForAccount(accountId, sessionId);
    if (!removed) throw new NotFound();
    await this.cache.revoke(removed.secretHash);
  }
}

// Browser state of the sign-in and consent page, kept in Redis: who signed in (so a second app can be
// authorized without typing the password again) and one-time CSRF tokens bound to the browser.
import type { Redis } from 'ioredis';
import { newSecret, sha256 } from './secrets.ts';

const SESSION_TTL_S = 14 * 24 * 3600;
const CSRF_TTL_S = 3600;

const sessionKey = (sessionId: string) => `oauth:session:${sha256(sessionId)}`;
const csrfKey = (token: string) => `oauth:csrf:${sha256(token)}`;

/** Sign-in sessions and CSRF tokens of the authorization page; only hashes of the secrets are keys. */
export class SignInSessions {
  private readonly redis: Redis;

  constructor(redis: Redis) {
    this.redis = redis;
  }

  /** Starts a session for an account that just signed in; returns the id to put in a cookie. */
  async start(accountId: string): Promise<string> {
    const sessionId = newSecret();
    await this.redis.set(sessionKey(sessionId), accountId, 'EX', SESSION_TTL_S);
    return sessionId;
  }

  /** The account id of a session, or null when it is unknown or expired. */
  accountId(sessionId: string): Promise<string | null> {
    return this.redis.get(sessionKey(sessionId));
  }

  /** Ends a session (the account signs in again, or the session proved stale). */
  async end(sessionId: string): Promise<void> {
    await this.redis.del(sessionKey(sessionId));
  }

  /** A one-time CSRF token for a form shown to the browser identified by `browserId`. */
  async issueCsrfToken(browserId: string): Promise<string> {
    const token = newSecret();
    await this.redis.set(csrfKey(token), sha256(browserId), 'EX', CSRF_TTL_S);
    return token;
  }

  /** Whether `token` was issued to this browser and not used yet; using it spends it. */
  async consumeCsrfToken(browserId: string, token: string): Promise<boolean> {
    const boundTo = await this.redis.getdel(csrfKey(token));
    return boundTo !== null && boundTo === sha256(browserId);
  }
}

import type { Redis } from 'ioredis';
import type { SessionRecord } from './sessions.store.ts';

/** What a session cookie resolves to; the account itself is loaded fresh on every request. */
export interface CachedSession {
  id: string;
  accountId: string;
  scopes: string[];
  csrfToken: string;
  /** Epoch ms. */
  expiresAt: number;
}

const FOUND_TTL_S = 600;
const MISSING_TTL_S = 30;
// As in the token cache: a revoke overwrites the entry, so a lookup racing it cannot re-cache the session (SET NX).
const REVOKED_TTL_S = FOUND_TTL_S * 2;
const MISSING = '-';
const REVOKED = 'revoked';

const key = (secretHash: string) => `session:${secretHash}`;

/** Redis cache of session lookups, keyed by the cookie secret's hash. */
export class SessionCache {
  private readonly redis: Redis;

  constructor(redis: Redis) {
    this.redis = redis;
  }

  /** A cached session, 'invalid' (unknown or revoked), or null when not cached. */
  async get(secretHash: string): Promise<CachedSession | 'invalid' | null> {
    const value = await this.redis.get(key(secretHash));
    if (value === null) return null;
    if (value === MISSING || value === REVOKED) return 'invalid';
    return JSON.parse(value) as CachedSession;
  }

  async remember(secretHash: string, session: SessionRecord | null): Promise<void> {
    if (session === null) {
      await this.redis.set(key(secretHash), MISSING, 'EX', MISSING_TTL_S, 'NX');
      return;
    }
    const cached: CachedSession = {
      id: session._id,
      accountId: session.accountId,
      scopes: session.scopes,
      csrfToken: session.csrfToken,
      expiresAt: session.expiresAt.getTime(),
    };
    await this.redis.set(key(secretHash), JSON.stringify(cached), 'EX', FOUND_TTL_S, 'NX');
  }

  async revoke(secretHash: string): Promise<void> {
    await this.redis.set(key(secretHash), REVOKED, 'EX', REVOKED_TTL_S);
  }
}

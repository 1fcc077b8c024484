import type { Redis } from 'ioredis';
import type { TokenRecord } from './oauth.store.ts';

/** What a bearer token resolves to; the account itself is loaded fresh on every request. */
export interface CachedToken {
  id: string;
  appId: string;
  accountId: string | null;
  scopes: string[];
  /** Epoch ms, or null for a token valid until revoked. */
  expiresAt: number | null;
}

const FOUND_TTL_S = 600;
// Unknown tokens are remembered briefly so a client retrying a bad token does not hit MongoDB each time.
// A token hash cannot become valid later (tokens are random), so this never hides a real token.
const MISSING_TTL_S = 30;
// A revoked token's entry is overwritten with this marker (not deleted): a lookup that read MongoDB just
// before the revoke then fails to re-cache the token (SET NX), so a revoke can never be undone by a race.
const REVOKED_TTL_S = FOUND_TTL_S * 2;
const MISSING = '-';
const REVOKED = 'revoked';

const key = (tokenHash: string) => `oauth:token:${tokenHash}`;

/** Redis cache of token lookups, keyed by the token's hash (the connection adds the instance prefix). */
export class TokenCache {
  private readonly redis: Redis;

  constructor(redis: Redis) {
    this.redis = redis;
  }

  /** The cached lookup: a token, 'invalid' (unknown or revoked), or null when not cached. */
  async get(tokenHash: string): Promise<CachedToken | 'invalid' | null> {
    const value = await this.redis.get(key(tokenHash));
    if (value === null) return null;
    if (value === MISSING || value === REVOKED) return 'invalid';
    return JSON.parse(value) as CachedToken;
  }

  /** Remembers a lookup from MongoDB, unless the key was set meanwhile (e.g. by a revoke). */
  async remember(tokenHash: string, token: TokenRecord | null): Promise<void> {
    if (token === null) {
      await this.redis.set(key(tokenHash), MISSING, 'EX', MISSING_TTL_S, 'NX');
      return;
    }
    const cached: CachedToken = {
      id: token._id,
      appId: token.appId,
      accountId: token.accountId,
      scopes: token.scopes,
      expiresAt: token.expiresAt ? token.expiresAt.getTime() : null,
    };
    await this.redis.set(key(tokenHash), JSON.stringify(cached), 'EX', FOUND_TTL_S, 'NX');
  }

  /** Marks a token revoked, replacing any cached lookup. */
  async revoke(tokenHash: string): Promise<void> {
    await this.redis.set(key(tokenHash), REVOKED, 'EX', REVOKED_TTL_S);
  }
}

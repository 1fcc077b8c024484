import type { Redis } from 'ioredis';
import { GuardedCache } from '../shared/guarded-cache.ts';
import type { AccountRecord } from './accounts.store.ts';

// Accounts are read on every request (the token's owner) and for every status serialized, and change
// rarely, so they are served from Redis. Every write through the store invalidates the cached copy,
// and a fill that raced a write is discarded (GuardedCache). The password hash never enters Redis:
// only sign-in needs it, and sign-in reads MongoDB.
const TTL_SECONDS = 300;
const key = (id: string) => `account:${id}`;
const DATE_FIELDS = ['createdAt', 'updatedAt', 'suspendedAt', 'lastStatusAt', 'fetchedAt'] as const;

function revive(json: string): AccountRecord {
  const record = JSON.parse(json) as Record<string, unknown>;
  for (const field of DATE_FIELDS) {
    if (typeof record[field] === 'string') record[field] = new Date(record[field]);
  }
  return { ...(record as unknown as AccountRecord), passwordHash: null };
}

/** A read-through Redis cache of account records by id. */
export class AccountCache {
  private readonly redis: Redis;
  private readonly guard: GuardedCache;

  constructor(redis: Redis) {
    this.redis = redis;
    this.guard = new GuardedCache(redis);
  }

  /** The cached records among `ids` (ids not cached are absent), and the generations to fill the others with. */
  async getMany(ids: readonly string[]): Promise<{ found: Map<string, AccountRecord>; generations: Map<string, string> }> {
    const found = new Map<string, AccountRecord>();
    const generations = new Map<string, string>();
    if (ids.length === 0) return { found, generations };
    const values = await this.redis.mget(...ids.map(key));
    const missing = ids.filter((_, i) => values[i] === null);
    const missingGenerations = await this.guard.generations(missing.map(key));
    values.forEach((value, i) => {
      if (value !== null) found.set(ids[i]!, revive(value));
    });
    missing.forEach((id, i) => generations.set(id, missingGenerations[i]!));
    return { found, generations };
  }

  /** Caches records loaded from MongoDB, unless they were written since their generation was read. */
  async putMany(records: readonly AccountRecord[], generations: Map<string, string>): Promise<void> {
    await this.guard.setMany(
      records.map((record) => ({
        key: key(record._id),
        generation: generations.get(record._id) ?? '0',
        value: JSON.stringify({ ...record, passwordHash: null }),
      })),
      TTL_SECONDS,
    );
  }

  async drop(id: string): Promise<void> {
    await this.guard.invalidate(key(id));
  }
}

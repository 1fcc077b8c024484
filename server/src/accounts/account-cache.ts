import type { Redis } from 'ioredis';
import type { AccountRecord } from './accounts.store.ts';

// Accounts are read on every request (the token's owner) and for every status serialized, and change
// rarely, so they are served from Redis. Every write through the store drops the cached copy; the
// TTL bounds how long a read racing a write could keep an older copy.
const TTL_SECONDS = 60;
const key = (id: string) => `account:${id}`;
const DATE_FIELDS = ['createdAt', 'updatedAt', 'suspendedAt', 'lastStatusAt'] as const;

function revive(json: string): AccountRecord {
  const record = JSON.parse(json) as AccountRecord & Record<string, unknown>;
  for (const field of DATE_FIELDS) {
    const value = record[field];
    if (typeof value === 'string') (record as Record<string, unknown>)[field] = new Date(value);
  }
  return record;
}

/** A read-through Redis cache of account records by id. */
export class AccountCache {
  private readonly redis: Redis;

  constructor(redis: Redis) {
    this.redis = redis;
  }

  /** The cached records among `ids`; ids not cached are absent from the map. */
  async getMany(ids: readonly string[]): Promise<Map<string, AccountRecord>> {
    const found = new Map<string, AccountRecord>();
    if (ids.length === 0) return found;
    const values = await this.redis.mget(...ids.map(key));
    values.forEach((value, i) => {
      if (value !== null) found.set(ids[i]!, revive(value));
    });
    return found;
  }

  async putMany(records: readonly AccountRecord[]): Promise<void> {
    if (records.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const record of records) pipeline.set(key(record._id), JSON.stringify(record), 'EX', TTL_SECONDS);
    await pipeline.exec();
  }

  async drop(id: string): Promise<void> {
    await this.redis.del(key(id));
  }
}

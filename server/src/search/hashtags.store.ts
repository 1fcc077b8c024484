// Hashtags this instance has seen (MongoDB, collection "hashtags") and how often they were used per
// day (Redis sets with a TTL, which the MongoDB stand-in could not expire). Per-day usage is kept as
// sets of status ids and account ids, so recording the same status twice (a retried event handler)
// counts it once: SADD is idempotent where an INCR would not be.
import type { Collection, Db } from 'mongodb';
import type { Redis } from 'ioredis';
import { isDuplicateKey } from '../infra/mongo.ts';
import { newId } from '../shared/ids.ts';
import { prefixTerms } from '../shared/search-terms.ts';

export interface HashtagRecord {
  /** The normalized name (NFKC, lower case), as statuses store it. */
  _id: string;
  /** A stable Kith id for the Tag entity. */
  id: string;
  /** The name as first written (e.g. "KithLaunch"). */
  displayName: string;
  /** Prefixes of the words of the name, for type-ahead search. */
  searchPrefixes: string[];
  createdAt: Date;
  lastUsedAt: Date;
}

/** Uses of one tag on one day. */
export interface DayUsage {
  /** Unix time (seconds) of the day's start, UTC. */
  day: number;
  uses: number;
  accounts: number;
}

// History covers seven days; keep one more so today's first hours still see a full week.
const USAGE_TTL_SECONDS = 8 * 24 * 3600;

const usesKey = (tag: string, day: number) => `tag:uses:${tag}:${day}`;
const accountsKey = (tag: string, day: number) => `tag:accounts:${tag}:${day}`;

/** MongoDB queries for hashtags, and their daily usage in Redis. */
export class HashtagsStore {
  readonly collection: Collection<HashtagRecord>;
  private readonly redis: Redis;

  /** `redis`: the key-prefixed connection. */
  constructor(db: Db, redis: Redis) {
    this.collection = db.collection<HashtagRecord>('hashtags');
    this.redis = redis;
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndexes([
      { key: { searchPrefixes: 1 }, name: 'search_prefixes' },
      { key: { id: 1 }, name: 'id', unique: true },
      { key: { lastUsedAt: -1 }, name: 'last_used' },
    ]);
  }

  /** Creates the tag if it is new and moves its last use forward; safe to repeat. */
  async upsert(name: string, displayName: string, usedAt: Date): Promise<void> {
    const update = {
      $setOnInsert: { id: newId(), displayName, searchPrefixes: prefixTerms(name), createdAt: usedAt },
      $max: { lastUsedAt: usedAt },
    };
    try {
      await this.collection.updateOne({ _id: name }, update, { upsert: true });
    } catch (error) {
      // Two statuses with a new tag at once: the second upsert loses the insert race; it only needs the update now.
      if (!isDuplicateKey(error)) throw error;
      await this.collection.updateOne({ _id: name }, { $max: { lastUsedAt: usedAt } });
    }
  }

  /** Tags by normalized name; unknown names are left out. */
  async findByNames(names: readonly string[]): Promise<Map<string, HashtagRecord>> {
    if (names.length === 0) return new Map();
    const found = await this.collection.find({ _id: { $in: [...new Set(names)] } }).toArray();
    return new Map(found.map((t) => [t._id, t]));
  }

  /** Tags whose name has every prefix, most recently used first. */
  search(prefixes: string[], limit: number, offset: number): Promise<HashtagRecord[]> {
    return this.collection.find({ searchPrefixes: { $all: prefixes } }).sort({ lastUsedAt: -1, _id: 1 }).skip(offset).limit(limit).toArray();
  }

  /** Counts a status (and its author) as a use of each tag on `day`; idempotent. One round trip. */
  async recordUse(tags: readonly string[], day: number, statusId: string, accountId: string): Promise<void> {
    if (tags.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const tag of tags) {
      pipeline.sadd(usesKey(tag, day), statusId).expire(usesKey(tag, day), USAGE_TTL_SECONDS);
      pipeline.sadd(accountsKey(tag, day), accountId).expire(accountsKey(tag, day), USAGE_TTL_SECONDS);
    }
    await pipeline.exec();
  }

  /** Takes a deleted status's uses back (its author stays counted: they did use the tag that day). */
  async forgetUse(tags: readonly string[], day: number, statusId: string): Promise<void> {
    if (tags.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const tag of tags) pipeline.srem(usesKey(tag, day), statusId);
    await pipeline.exec();
  }

  /** Usage of each tag on each of the days, in the order given. One round trip for all of them. */
  async usage(tags: readonly string[], days: readonly number[]): Promise<Map<string, DayUsage[]>> {
    const result = new Map<string, DayUsage[]>();
    if (tags.length === 0) return result;
    const pipeline = this.redis.pipeline();
    for (const tag of tags) for (const day of days) pipeline.scard(usesKey(tag, day)).scard(accountsKey(tag, day));
    const replies = (await pipeline.exec()) ?? [];
    let i = 0;
    for (const tag of tags) {
      result.set(tag, days.map((day) => {
        const uses = Number(replies[i++]?.[1] ?? 0);
        const accounts = Number(replies[i++]?.[1] ?? 0);
        return { day, uses, accounts };
      }));
    }
    return result;
  }
}

// The Redis side of timelines: sorted sets of status ids (see feed-scripts.ts for their layout).
// Knows nothing of who follows whom; timelines.service.ts decides which feeds a status belongs in.
import type { Redis } from 'ioredis';
import { FEED_CAPS, FEED_MARKER, FEED_TTL_MS, REBLOG_FALLOFF, type FeedCaps, type FeedKind } from './feed-keys.ts';
import { BEGIN_REBUILD, FAN_OUT, MERGE, REMOVE } from './feed-scripts.ts';

/** A feed entry: a status id, and the id it boosts for a boost (aggregation needs both). */
export interface FeedItem {
  id: string;
  reblogOfId: string | null;
}

/** Whether a feed can be read as it is. */
export type FeedState = 'ready' | 'building' | 'missing';

/** Bounds of one read, as exclusive ids; `ascending` reads upward from `after` (Mastodon's min_id). */
export interface FeedRange {
  before: string | null;
  after: string | null;
  ascending: boolean;
  count: number;
}

/** One read of a feed: the ids, and what the caller needs to judge them. */
export interface FeedRead {
  state: FeedState;
  ids: string[];
  /** Entries the feed holds (its cap when older ones were trimmed away). */
  size: number;
  /** The oldest id the feed holds. */
  oldest: string | null;
}

// A script call with this many feeds stays well under a millisecond inside Redis; bigger fan-outs are
// split into several calls sent in one pipeline (still one round trip).
const KEYS_PER_CALL = 1000;

type ScriptFn = (numKeys: number, ...args: string[]) => Promise<unknown>;

function stateOf(markerScore: string | null): FeedState {
  if (markerScore === null) return 'missing';
  return Number(markerScore) === 0 ? 'ready' : 'building';
}

function pairs(items: readonly FeedItem[]): string[] {
  return items.flatMap((item) => [item.id, item.reblogOfId ?? '']);
}

/** Feed reads and writes on the instance's prefixed Redis connection. */
export class FeedStore {
  private readonly redis: Redis;
  private readonly caps: FeedCaps;

  constructor(redis: Redis, caps: FeedCaps = FEED_CAPS) {
    this.redis = redis;
    this.caps = caps;
    const scripts = [['kithFeedFanOut', FAN_OUT], ['kithFeedMerge', MERGE], ['kithFeedRemove', REMOVE], ['kithFeedBeginRebuild', BEGIN_REBUILD]] as const;
    for (const [name, lua] of scripts) {
      if (!(name in redis)) redis.defineCommand(name, { lua });
    }
  }

  /** How many entries a feed of this kind keeps. */
  capOf(kind: FeedKind): number {
    return this.caps[kind];
  }

  /**
   * Adds one status to every given feed that exists, in one round trip. Returns the keys it was
   * inserted into, and the keys that are not materialized (nobody has read them lately).
   */
  async fanOut(kind: FeedKind, keys: readonly string[], item: FeedItem): Promise<{ inserted: string[]; missing: string[] }> {
    const inserted: string[] = [];
    const missing: string[] = [];
    if (keys.length === 0) return { inserted, missing };
    const chunks = chunk(keys, KEYS_PER_CALL);
    const pipeline = this.redis.pipeline();
    for (const part of chunks) {
      (pipeline as unknown as Record<string, ScriptFn>).kithFeedFanOut!(
        part.length, ...part, String(this.caps[kind]), String(REBLOG_FALLOFF), item.id, item.reblogOfId ?? '',
      );
    }
    const results = await execOrThrow(pipeline);
    chunks.forEach((part, c) => {
      const flags = results[c] as number[];
      part.forEach((key, i) => {
        if (flags[i] === 1) inserted.push(key);
        else if (flags[i] === -1) missing.push(key);
      });
    });
    return { inserted, missing };
  }

  /**
   * Removes statuses from every given feed, in one round trip. Returns the keys that held any of them,
   * and the keys that are not materialized.
   */
  async remove(keys: readonly string[], items: readonly FeedItem[]): Promise<{ removed: string[]; missing: string[] }> {
    const removed: string[] = [];
    const missing: string[] = [];
    if (keys.length === 0 || items.length === 0) return { removed, missing };
    const chunks = chunk(keys, KEYS_PER_CALL);
    const pipeline = this.redis.pipeline();
    for (const part of chunks) (pipeline as unknown as Record<string, ScriptFn>).kithFeedRemove!(part.length, ...part, ...pairs(items));
    const results = await execOrThrow(pipeline);
    chunks.forEach((part, c) => {
      const counts = results[c] as number[];
      part.forEach((key, i) => {
        if (counts[i]! > 0) removed.push(key);
        else if (counts[i] === -1) missing.push(key);
      });
    });
    return { removed, missing };
  }

  /**
   * Marks a missing feed as being rebuilt, before its contents are read from MongoDB: fan-outs that
   * happen during the rebuild then land in it, so nothing created meanwhile is lost.
   */
  async beginRebuild(kind: FeedKind, key: string): Promise<void> {
    const script = (this.redis as unknown as Record<string, ScriptFn>).kithFeedBeginRebuild!;
    await script.call(this.redis, 1, key, String(FEED_TTL_MS[kind]));
  }

  /** Writes what MongoDB holds into a feed (oldest first) and marks it ready. */
  async finishRebuild(kind: FeedKind, key: string, items: readonly FeedItem[]): Promise<void> {
    await this.merge(kind, key, items, 'rebuild');
  }

  /** Merges statuses (oldest first) into a feed if it exists; false when it does not. */
  async mergeIfPresent(kind: FeedKind, key: string, items: readonly FeedItem[]): Promise<boolean> {
    return this.merge(kind, key, items, 'merge');
  }

  /** Whether a feed exists and is complete. */
  async state(key: string): Promise<FeedState> {
    return stateOf(await this.redis.zscore(key, FEED_MARKER));
  }

  /**
   * Reads up to `count` ids in a range (newest first, unless ascending) and renews the feed's TTL;
   * one round trip. `state` says whether the answer can be trusted.
   */
  async read(kind: FeedKind, key: string, range: FeedRange): Promise<FeedRead> {
    const high = range.before ? `(${range.before}` : '+inf';
    // The marker scores 0 or -1: an exclusive lower bound of 0 always leaves it out.
    const low = range.after ? `(${range.after}` : '(0';
    const pipeline = this.redis.pipeline().zscore(key, FEED_MARKER);
    if (range.ascending) pipeline.zrangebyscore(key, low, high, 'LIMIT', 0, range.count);
    else pipeline.zrevrangebyscore(key, high, low, 'LIMIT', 0, range.count);
    pipeline.zcard(key).zrangebyscore(key, '(0', '+inf', 'LIMIT', 0, 1).pexpire(key, FEED_TTL_MS[kind]);
    const [marker, ids, card, oldest] = await execOrThrow(pipeline);
    return {
      state: stateOf(marker as string | null),
      ids: ids as string[],
      size: Math.max(0, (card as number) - 1),
      oldest: (oldest as string[])[0] ?? null,
    };
  }

  /** Every id a feed holds, newest first (at most its cap). */
  async allIds(key: string): Promise<string[]> {
    return this.redis.zrevrangebyscore(key, '+inf', '(0');
  }

  /** Whether a feed holds a status (tests and benchmarks use it to see a fan-out land). */
  async contains(key: string, id: string): Promise<boolean> {
    return (await this.redis.zscore(key, id)) !== null;
  }

  private async merge(kind: FeedKind, key: string, items: readonly FeedItem[], mode: 'rebuild' | 'merge'): Promise<boolean> {
    const sorted = [...items].sort((a, b) => Number(a.id) - Number(b.id));
    const script = (this.redis as unknown as Record<string, ScriptFn>).kithFeedMerge!;
    const written = await script.call(
      this.redis, 1, key, String(this.caps[kind]), String(REBLOG_FALLOFF), String(FEED_TTL_MS[kind]), mode, ...pairs(sorted),
    );
    return written === 1;
  }
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const parts: T[][] = [];
  for (let i = 0; i < items.length; i += size) parts.push(items.slice(i, i + size));
  return parts;
}

async function execOrThrow(pipeline: ReturnType<Redis['pipeline']>): Promise<unknown[]> {
  const results = (await pipeline.exec()) ?? [];
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

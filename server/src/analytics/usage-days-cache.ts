import type { Redis } from 'ioredis';
import type { UsageDayRecord } from './usage.types.ts';

/** How long a past day's rows stay cached; a write to the day makes them stale at once anyway. */
const ROWS_TTL_SECONDS = 6 * 60 * 60;

const versionKey = (day: string) => `usage-days:version:${day}`;
const rowsKey = (day: string) => `usage-days:rows:${day}`;

/** What the cache holds of some days: the rows still valid, and each day's version when it was read. */
export interface CachedDays {
  rows: Map<string, UsageDayRecord[]>;
  versions: Map<string, number>;
}

/**
 * Past days' rollup rows in Redis, so that a dashboard over a period does not read tens of thousands of rows
 * from MongoDB each time (bench/RESULTS.md). Each day has a version the writer bumps after every write to
 * it; cached rows count only while they carry the day's current version, and rows are stored with the
 * version read BEFORE MongoDB was asked — so a write racing a read never leaves stale rows behind. Version
 * keys never expire (one small key per day), so a version never goes back to a value old rows carry.
 */
export class UsageDaysCache {
  private readonly redis: Redis;

  /** `redis`: the instance's key-prefixed connection. */
  constructor(redis: Redis) {
    this.redis = redis;
  }

  /** The cached rows of these days that are still current, and every day's version. */
  async read(days: readonly string[]): Promise<CachedDays> {
    const found: CachedDays = { rows: new Map(), versions: new Map() };
    if (days.length === 0) return found;
    const values = await this.redis.mget(days.flatMap((day) => [versionKey(day), rowsKey(day)]));
    days.forEach((day, i) => {
      const version = Number(values[2 * i] ?? 0);
      found.versions.set(day, version);
      const cached = values[2 * i + 1];
      if (!cached) return;
      const entry = JSON.parse(cached) as { version: number; rows: UsageDayRecord[] };
      if (entry.version === version) found.rows.set(day, entry.rows);
    });
    return found;
  }

  /** Keeps days' rows as read from MongoDB, under the versions read before that read. */
  async keep(days: ReadonlyMap<string, UsageDayRecord[]>, versions: ReadonlyMap<string, number>): Promise<void> {
    if (days.size === 0) return;
    const pipeline = this.redis.pipeline();
    for (const [day, rows] of days) pipeline.set(rowsKey(day), JSON.stringify({ version: versions.get(day) ?? 0, rows }), 'EX', ROWS_TTL_SECONDS);
    await pipeline.exec();
  }

  /** Marks days as written to: their cached rows no longer count. Call after the write. */
  async changed(days: Iterable<string>): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const day of new Set(days)) pipeline.incr(versionKey(day));
    await pipeline.exec();
  }
}

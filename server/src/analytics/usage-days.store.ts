import type { AnyBulkWriteOperation, Collection, Db } from 'mongodb';
import { usageDay, type UsageDayRecord } from './usage.types.ts';
import type { UsageDaysCache } from './usage-days-cache.ts';

/** What one batch adds to one account's day: counts to add, and the department it acted in last. */
export interface UsageDayIncrement {
  day: string;
  account: string;
  department: string;
  /** Field paths of UsageDayRecord (`events`, `features.post`, `clients.Web`, …) and what to add. */
  inc: Record<string, number>;
}

// An $in with thousands of ids is split so no single query grows without bound.
const IDS_PER_QUERY = 1000;

/** Every day from `from` to `to`, inclusive (`YYYY-MM-DD`). */
function daysFrom(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`), end = Date.parse(`${to}T00:00:00Z`); t <= end; t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/**
 * MongoDB `usage_days`: the daily rollup, one document per account and UTC day it was active. With a cache,
 * the rows of past days are read from Redis (usage-days-cache.ts); today's always from MongoDB.
 */
export class UsageDaysStore {
  private readonly days: Collection<UsageDayRecord>;
  private readonly cache: UsageDaysCache | null;

  constructor(db: Db, cache: UsageDaysCache | null = null) {
    this.days = db.collection<UsageDayRecord>('usage_days');
    this.cache = cache;
  }

  async ensureIndexes(): Promise<void> {
    await this.days.createIndex({ day: 1, account: 1 });
    await this.days.createIndex({ account: 1, day: -1 });
  }

  /** Adds a batch's counts: one upsert per (day, account), all in one unordered bulk write. */
  async addAll(increments: UsageDayIncrement[]): Promise<void> {
    if (increments.length === 0) return;
    const operations: AnyBulkWriteOperation<UsageDayRecord>[] = increments.map((i) => ({
      updateOne: {
        filter: { _id: `${i.day}:${i.account}` },
        update: {
          $inc: i.inc,
          $set: { department: i.department },
          $setOnInsert: { day: i.day, account: i.account },
        },
        upsert: true,
      },
    }));
    try {
      await this.days.bulkWrite(operations, { ordered: false });
    } finally {
      // Even a failed bulk write may have written some rows.
      await this.cache?.changed(increments.map((i) => i.day));
    }
  }

  /** The rows of the days from `from` to `to` (inclusive, `YYYY-MM-DD`), optionally of one department only. */
  async between(from: string, to: string, department?: string): Promise<UsageDayRecord[]> {
    const rows = this.cache ? await this.cachedBetween(from, to) : await this.days.find({ day: { $gte: from, $lte: to } }).toArray();
    return department === undefined ? rows : rows.filter((r) => r.department === department);
  }

  private async cachedBetween(from: string, to: string): Promise<UsageDayRecord[]> {
    const cache = this.cache!;
    const days = daysFrom(from, to);
    const today = usageDay(new Date());
    const cached = await cache.read(days.filter((d) => d < today));
    const missing = days.filter((d) => !cached.rows.has(d));
    const fetched = missing.length === 0 ? [] : await this.days.find({ day: { $in: missing } }).toArray();
    const fresh = new Map<string, UsageDayRecord[]>(missing.filter((d) => d < today).map((d) => [d, []]));
    for (const row of fetched) fresh.get(row.day)?.push(row);
    await cache.keep(fresh, cached.versions);
    return [...[...cached.rows.values()].flat(), ...fetched];
  }

  /** Each account's latest day with a row (accounts never active are absent). */
  async lastActiveDays(accountIds: readonly string[]): Promise<Map<string, string>> {
    const latest = new Map<string, string>();
    const ids = [...new Set(accountIds)];
    for (let start = 0; start < ids.length; start += IDS_PER_QUERY) {
      const chunk = ids.slice(start, start + IDS_PER_QUERY);
      // Computed here rather than with $group, which the MongoDB stand-in is not trusted with.
      const rows = await this.days.find({ account: { $in: chunk } }, { projection: { account: 1, day: 1 } }).toArray();
      for (const row of rows) {
        const seen = latest.get(row.account);
        if (seen === undefined || row.day > seen) latest.set(row.account, row.day);
      }
    }
    return latest;
  }

  /** Every row of an account (tests). */
  ofAccount(account: string): Promise<UsageDayRecord[]> {
    return this.days.find({ account }).sort({ day: 1 }).toArray();
  }
}

import type { AnyBulkWriteOperation, Collection, Db } from 'mongodb';
import type { UsageDayRecord } from './usage.types.ts';

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

/** MongoDB `usage_days`: the daily rollup, one document per account and UTC day it was active. */
export class UsageDaysStore {
  private readonly days: Collection<UsageDayRecord>;

  constructor(db: Db) {
    this.days = db.collection<UsageDayRecord>('usage_days');
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
    await this.days.bulkWrite(operations, { ordered: false });
  }

  /** The rows of the days from `from` to `to` (inclusive, `YYYY-MM-DD`), optionally of one department only. */
  between(from: string, to: string, department?: string): Promise<UsageDayRecord[]> {
    const filter: Record<string, unknown> = { day: { $gte: from, $lte: to } };
    if (department !== undefined) filter.department = department;
    return this.days.find(filter).toArray();
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

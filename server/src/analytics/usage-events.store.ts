import type { Collection, Db, OptionalId } from 'mongodb';
import type { UsageEventRecord } from './usage.types.ts';

/** MongoDB `usage_events`: the raw usage events, kept for the retention period only. */
export class UsageEventsStore {
  private readonly events: Collection<UsageEventRecord>;

  constructor(db: Db) {
    this.events = db.collection<UsageEventRecord>('usage_events');
  }

  async ensureIndexes(): Promise<void> {
    // Retention deletes by day; an account's history is read by account and day.
    await this.events.createIndex({ day: 1 });
    await this.events.createIndex({ account: 1, day: 1 });
  }

  /** Writes a batch; unordered, so one bad document does not stop the others. */
  async insertMany(records: UsageEventRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.events.insertMany(records as OptionalId<UsageEventRecord>[], { ordered: false });
  }

  /** Deletes the events of the days before `day` (`YYYY-MM-DD`); returns how many went. */
  async deleteBefore(day: string): Promise<number> {
    const result = await this.events.deleteMany({ day: { $lt: day } });
    return result.deletedCount;
  }

  /** How many events are stored (optionally those of one account), for tests and benches. */
  count(filter: { account?: string } = {}): Promise<number> {
    return this.events.countDocuments(filter.account === undefined ? {} : { account: filter.account });
  }

  /** Events of an account (or all), oldest first; tests compare them with the rollup. */
  list(filter: { account?: string } = {}): Promise<UsageEventRecord[]> {
    return this.events.find(filter.account === undefined ? {} : { account: filter.account }).sort({ at: 1 }).toArray();
  }
}

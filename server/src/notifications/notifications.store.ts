import type { Collection, Db, Filter } from 'mongodb';
import { isDuplicateKey } from '../infra/mongo.ts';
import { newestFirst, pageFilter, pageSortDirection, type Page } from '../shared/pagination.ts';

/** The notification types Kith creates (Mastodon's names). */
export const NOTIFICATION_TYPES = ['mention', 'status', 'reblog', 'follow', 'follow_request', 'favourite', 'update'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** A notification as MongoDB stores it (collection "notifications"). */
export interface NotificationRecord {
  _id: string;
  /** Who is notified. */
  accountId: string;
  type: NotificationType;
  /** Who caused it. */
  fromAccountId: string;
  /** The status it is about (the boosted or favourited one for reblog/favourite), or null. */
  statusId: string | null;
  /**
   * What makes it unique (recipient, type, sender, status and, for edits, the version): a job that is
   * retried inserts the same key and the unique index refuses the second copy.
   */
  dedupeKey: string;
  /** Mastodon's group_key for groupable types (favourite, reblog, follow); null for the rest. */
  groupKey: string | null;
  createdAt: Date;
}

/** Which notifications a list or count covers; every field narrows it. */
export interface NotificationQuery {
  types?: readonly NotificationType[];
  excludeTypes?: readonly NotificationType[];
  fromAccountId?: string;
  /** Only notifications newer than this id (the read marker). */
  afterId?: string;
}

/** MongoDB queries for notifications. */
export class NotificationsStore {
  readonly collection: Collection<NotificationRecord>;

  constructor(db: Db) {
    this.collection = db.collection<NotificationRecord>('notifications');
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndexes([
      // Listing an account's notifications, newest first.
      { key: { accountId: 1, _id: -1 }, name: 'account_id' },
      // Idempotent creation: a retried job cannot store a second copy.
      { key: { dedupeKey: 1 }, name: 'dedupe_key', unique: true },
      // Removal when the status, boost, favourite or follow behind them goes away.
      { key: { statusId: 1 }, name: 'status_id' },
      { key: { fromAccountId: 1, accountId: 1 }, name: 'from_account' },
    ]);
  }

  /** Stores a notification; false when one with the same dedupe key exists already. */
  async insert(record: NotificationRecord): Promise<boolean> {
    try {
      await this.collection.insertOne(record);
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  /** One of an account's notifications, or null. */
  findOwn(accountId: string, id: string): Promise<NotificationRecord | null> {
    return this.collection.findOne({ _id: id, accountId });
  }

  /** One page of an account's notifications, newest first. */
  async page(accountId: string, query: NotificationQuery, page: Page): Promise<NotificationRecord[]> {
    const filter = this.filter(accountId, query);
    const range = pageFilter(page);
    if (range) filter._id = range;
    const records = await this.collection.find(filter).sort({ _id: pageSortDirection(page) }).limit(page.limit).toArray();
    return newestFirst(page, records);
  }

  /** How many notifications match, counting at most `limit`. */
  count(accountId: string, query: NotificationQuery, limit: number): Promise<number> {
    return this.collection.countDocuments(this.filter(accountId, query), { limit });
  }

  /** Deletes one of an account's notifications; false when there was none. */
  async deleteOwn(accountId: string, id: string): Promise<boolean> {
    return (await this.collection.deleteOne({ _id: id, accountId })).deletedCount > 0;
  }

  /** Deletes every notification of an account; returns how many. */
  async deleteAllOf(accountId: string): Promise<number> {
    return (await this.collection.deleteMany({ accountId })).deletedCount;
  }

  /** Deletes notifications matching a filter (their cause went away); returns how many. */
  async deleteWhere(filter: Filter<NotificationRecord>): Promise<number> {
    return (await this.collection.deleteMany(filter)).deletedCount;
  }

  private filter(accountId: string, query: NotificationQuery): Filter<NotificationRecord> {
    const filter: Filter<NotificationRecord> = { accountId };
    const types: Record<string, unknown> = {};
    if (query.types && query.types.length > 0) types.$in = [...query.types];
    if (query.excludeTypes && query.excludeTypes.length > 0) types.$nin = [...query.excludeTypes];
    if (Object.keys(types).length > 0) filter.type = types as Filter<NotificationRecord>['type'];
    if (query.fromAccountId) filter.fromAccountId = query.fromAccountId;
    if (query.afterId) filter._id = { $gt: query.afterId };
    return filter;
  }
}

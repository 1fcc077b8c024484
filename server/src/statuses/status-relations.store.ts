import type { Collection, Db, Filter } from 'mongodb';
import { isDuplicateKey } from '../infra/mongo.ts';
import { newId } from '../shared/ids.ts';
import { newestFirst, pageFilter, pageSortDirection, type Page } from '../shared/pagination.ts';

/** What an account did to a status: favourited, bookmarked, pinned or boosted it. */
export type RelationKind = 'favourites' | 'bookmarks' | 'pins' | 'reblogs';
export const RELATION_KINDS: readonly RelationKind[] = ['favourites', 'bookmarks', 'pins', 'reblogs'];

/**
 * One account's relation to one status. The _id is "<accountId>:<statusId>", so one account holds a
 * relation at most once (racing requests collide on the key), and "which of these statuses did the
 * viewer favourite" is a lookup by _id, which every MongoDB (the stand-in included) serves fast.
 */
export interface StatusRelationRecord {
  _id: string;
  /** Time-sortable: lists of favourites, bookmarks and boosters page by it, as Mastodon does. */
  pageId: string;
  accountId: string;
  statusId: string;
  /** Reblogs only: the boost (a status of its own) that this relation marks. */
  reblogId?: string;
  createdAt: Date;
}

const relationId = (accountId: string, statusId: string) => `${accountId}:${statusId}`;

/** MongoDB queries for favourites, bookmarks, pins and the "who boosted what" index. */
export class StatusRelationsStore {
  private readonly collections: Record<RelationKind, Collection<StatusRelationRecord>>;

  constructor(db: Db) {
    this.collections = {
      favourites: db.collection<StatusRelationRecord>('favourites'),
      bookmarks: db.collection<StatusRelationRecord>('bookmarks'),
      pins: db.collection<StatusRelationRecord>('pins'),
      reblogs: db.collection<StatusRelationRecord>('reblogs'),
    };
  }

  async ensureIndexes(): Promise<void> {
    for (const kind of RELATION_KINDS) {
      await this.collections[kind].createIndexes([
        { key: { accountId: 1, pageId: -1 }, name: 'account_page' },
        { key: { statusId: 1, pageId: -1 }, name: 'status_page' },
      ]);
    }
  }

  /** Records the relation; `created` is false when it already existed (the stored one is returned). */
  async add(kind: RelationKind, accountId: string, statusId: string, extra: { reblogId?: string } = {}): Promise<{ created: boolean; record: StatusRelationRecord }> {
    const now = new Date();
    const record: StatusRelationRecord = { _id: relationId(accountId, statusId), pageId: newId(now), accountId, statusId, ...extra, createdAt: now };
    try {
      await this.collections[kind].insertOne(record);
      return { created: true, record };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const existing = await this.find(kind, accountId, statusId);
      if (!existing) throw error;
      return { created: false, record: existing };
    }
  }

  /**
   * Removes the relation; returns it, or null when there was none (so only one racing request counts
   * it). With `reblogId`, only the boost marker for that boost (not one a racing request made since).
   */
  remove(kind: RelationKind, accountId: string, statusId: string, only: { reblogId?: string } = {}): Promise<StatusRelationRecord | null> {
    const filter: Filter<StatusRelationRecord> = { _id: relationId(accountId, statusId) };
    if (only.reblogId !== undefined) filter.reblogId = only.reblogId;
    return this.collections[kind].findOneAndDelete(filter);
  }

  find(kind: RelationKind, accountId: string, statusId: string): Promise<StatusRelationRecord | null> {
    return this.collections[kind].findOne({ _id: relationId(accountId, statusId) });
  }

  /** Which of the statuses the account holds this relation to: one query by _id for the whole list. */
  async statusIdsAmong(kind: RelationKind, accountId: string, statusIds: readonly string[]): Promise<Set<string>> {
    if (statusIds.length === 0) return new Set();
    const ids = [...new Set(statusIds)].map((id) => relationId(accountId, id));
    const found = await this.collections[kind].find({ _id: { $in: ids } }, { projection: { statusId: 1 } }).toArray();
    return new Set(found.map((r) => r.statusId));
  }

  /** One page of an account's relations, newest first. */
  pageByAccount(kind: RelationKind, accountId: string, page: Page): Promise<StatusRelationRecord[]> {
    return this.page(kind, { accountId }, page);
  }

  /** One page of a status's relations (who favourited or boosted it), newest first. */
  pageByStatus(kind: RelationKind, statusId: string, page: Page): Promise<StatusRelationRecord[]> {
    return this.page(kind, { statusId }, page);
  }

  /** Every relation of this kind an account holds, newest first, at most `limit`. */
  listByAccount(kind: RelationKind, accountId: string, limit: number): Promise<StatusRelationRecord[]> {
    return this.collections[kind].find({ accountId }).sort({ pageId: -1 }).limit(limit).toArray();
  }

  countByAccount(kind: RelationKind, accountId: string): Promise<number> {
    return this.collections[kind].countDocuments({ accountId });
  }

  /** Removes every relation of this kind to a status (a deleted status cannot stay pinned). */
  async removeForStatus(kind: RelationKind, statusId: string): Promise<void> {
    await this.collections[kind].deleteMany({ statusId });
  }

  private async page(kind: RelationKind, filter: Filter<StatusRelationRecord>, page: Page): Promise<StatusRelationRecord[]> {
    const range = pageFilter(page);
    const records = await this.collections[kind]
      .find(range ? { ...filter, pageId: range } : filter)
      .sort({ pageId: pageSortDirection(page) })
      .limit(page.limit)
      .toArray();
    return newestFirst(page, records);
  }
}

import type { Collection, Db, Filter, UpdateFilter } from 'mongodb';
import type { Visibility } from '../accounts/accounts.store.ts';
import { isId } from '../shared/ids.ts';
import { pageFilter, pageSortDirection, newestFirst, type Page } from '../shared/pagination.ts';
import { StatusCache } from './status-cache.ts';
import type { StatusEditRecord, StatusRecord } from './status-record.ts';
import type { Redis } from 'ioredis';

/** Which statuses a list holds; every field narrows it. */
export interface StatusQuery {
  accountIds?: readonly string[];
  /** A lower-case hashtag name. */
  tag?: string;
  visibilities?: readonly Visibility[];
  excludeReplies?: boolean;
  excludeReblogs?: boolean;
  /** Only statuses of this instance's accounts (uri null). */
  localOnly?: boolean;
}

/** A status search (see searchIds). */
export interface StatusSearchQuery {
  /** Normalized words (wordTerms); every one must be in the status. */
  words: readonly string[];
  /** The searching account: it also finds its own statuses and those mentioning it, whatever their visibility. */
  viewerId: string;
  /** Only statuses of this account. */
  accountId?: string;
  page: Page;
  offset: number;
}

// Statuses every account of this instance may find. Private statuses of followed accounts are left
// out on purpose: search reaches past what a reader's timeline shows, so it stays with what is public
// on the intranet, plus what was addressed to the reader.
const SEARCHABLE_VISIBILITIES: Visibility[] = ['public', 'unlisted', 'local'];

// This instance's statuses are stored without a uri field (so the sparse unique index skips them) and
// read back with uri null, as StatusRecord says.
function withUri(record: StatusRecord): StatusRecord {
  return { ...record, uri: record.uri ?? null, rev: record.rev ?? 0 };
}

function withoutNullUri(record: StatusRecord): StatusRecord {
  if (record.uri !== null) return record;
  const { uri: _uri, ...rest } = record;
  return rest as StatusRecord;
}

/**
 * MongoDB queries for statuses and their earlier versions, with reads of records by id served
 * through the Redis cache (status-cache.ts). Every write here keeps the cache current.
 */
export class StatusesStore {
  readonly statuses: Collection<StatusRecord>;
  readonly edits: Collection<StatusEditRecord>;
  private readonly cache: StatusCache;

  constructor(db: Db, redis: Redis) {
    this.statuses = db.collection<StatusRecord>('statuses');
    this.edits = db.collection<StatusEditRecord>('status_edits');
    this.cache = new StatusCache(redis);
  }

  async ensureIndexes(): Promise<void> {
    await this.uniqueUris();
    await this.statuses.createIndexes([
      // An account's statuses, newest first (profiles, feed rebuilds).
      { key: { accountId: 1, _id: -1 }, name: 'account_id' },
      // Thread walks (context) and boosts of a status (cascade on delete).
      { key: { inReplyToId: 1 }, name: 'in_reply_to' },
      { key: { reblogOfId: 1 }, name: 'reblog_of' },
      // Hashtag and local timelines.
      { key: { tags: 1, _id: -1 }, name: 'tags_id' },
      { key: { visibility: 1, _id: -1 }, name: 'visibility_id' },
      { key: { searchTerms: 1 }, name: 'search_terms' },
      // Federation finds remote statuses by their ActivityPub id; one record per id.
      { key: { uri: 1 }, name: 'uri_unique', unique: true, sparse: true },
    ]);
    await this.edits.createIndexes([{ key: { statusId: 1, _id: 1 }, name: 'status_id' }]);
  }

  // Databases from before federation have a plain "uri" index and uri: null on local statuses; the
  // unique index needs neither.
  private async uniqueUris(): Promise<void> {
    const existing = await this.statuses.indexes().catch(() => []);
    if (existing.some((index) => index.name === 'uri')) await this.statuses.dropIndex('uri');
    await this.statuses.updateMany({ uri: { $type: 'null' } } as Filter<StatusRecord>, { $unset: { uri: '' } });
  }

  /** Stores a new status and caches it. */
  async insert(record: StatusRecord): Promise<void> {
    await this.statuses.insertOne(withoutNullUri(record));
    await this.cache.put(record);
  }

  /** The record (tombstones included) with this ActivityPub id, from MongoDB; null when none. */
  async findByUri(uri: string): Promise<StatusRecord | null> {
    const found = await this.statuses.findOne({ uri });
    return found ? withUri(found) : null;
  }

  /** Whether MongoDB holds a record with this id (tombstones included), bypassing the cache. */
  async exists(id: string): Promise<boolean> {
    return (await this.statuses.findOne({ _id: id }, { projection: { _id: 1 } })) !== null;
  }

  /**
   * Records by id, tombstones included, from Redis; misses are read from MongoDB with one query and
   * cached. Unknown ids are left out of the map.
   */
  async getMany(ids: readonly string[]): Promise<Map<string, StatusRecord>> {
    // Anything not shaped like an id names no record; keep it away from MongoDB and the cache.
    const unique = [...new Set(ids)].filter(isId);
    const found = new Map<string, StatusRecord>();
    const cached = await this.cache.getMany(unique);
    const missing: string[] = [];
    unique.forEach((id, i) => {
      const record = cached[i];
      if (record) found.set(id, record);
      else missing.push(id);
    });
    if (missing.length > 0) {
      const loaded = (await this.statuses.find({ _id: { $in: missing } }).toArray()).map(withUri);
      for (const record of loaded) found.set(record._id, record);
      await this.cache.fill(loaded);
    }
    return found;
  }

  /** One record by id (tombstones included), or null. */
  async get(id: string): Promise<StatusRecord | null> {
    return (await this.getMany([id])).get(id) ?? null;
  }

  /**
   * Applies an update to a record matching `filter` (besides its id), bumps its rev and caches the
   * result. Returns the record afterwards, or null when nothing matched.
   */
  async update(id: string, update: UpdateFilter<StatusRecord>, filter: Filter<StatusRecord> = {}): Promise<StatusRecord | null> {
    const inc = { ...(update.$inc ?? {}), rev: 1 } as UpdateFilter<StatusRecord>['$inc'];
    const updated = await this.statuses.findOneAndUpdate({ ...filter, _id: id }, { ...update, $inc: inc }, { returnDocument: 'after' });
    const after = updated ? withUri(updated) : null;
    if (after) await this.cache.put(after);
    return after;
  }

  /** Adds `by` to a counter of a live status; returns the record afterwards. */
  incrementCounter(id: string, counter: 'repliesCount' | 'reblogsCount' | 'favouritesCount', by: number): Promise<StatusRecord | null> {
    return this.update(id, { $inc: { [counter]: by } });
  }

  /** Live replies to any of the statuses, oldest first, at most `limit`. */
  findReplies(parentIds: readonly string[], limit: number): Promise<StatusRecord[]> {
    if (parentIds.length === 0 || limit <= 0) return Promise.resolve([]);
    return this.statuses.find({ inReplyToId: { $in: [...parentIds] }, deletedAt: null }).sort({ _id: 1 }).limit(limit).map(withUri).toArray();
  }

  /** Live boosts of a status. */
  findReblogsOf(statusId: string): Promise<StatusRecord[]> {
    return this.statuses.find({ reblogOfId: statusId, deletedAt: null }).map(withUri).toArray();
  }

  /** One page of live statuses matching the query, newest first (ids are time-sortable). */
  async list(query: StatusQuery, page: Page): Promise<StatusRecord[]> {
    const filter: Filter<StatusRecord> = { deletedAt: null };
    const idRange = pageFilter(page);
    if (idRange) filter._id = idRange;
    if (query.accountIds) filter.accountId = { $in: [...query.accountIds] };
    if (query.tag !== undefined) filter.tags = query.tag;
    if (query.visibilities) filter.visibility = { $in: [...query.visibilities] };
    if (query.excludeReplies) {
      // Like Mastodon, a profile without replies still shows threads: replies to oneself.
      const single = query.accountIds?.length === 1 ? query.accountIds[0]! : null;
      if (single) filter.$or = [{ inReplyToId: null }, { inReplyToAccountId: single }];
      else filter.inReplyToId = null;
    }
    if (query.excludeReblogs) filter.reblogOfId = null;
    if (query.localOnly) filter.uri = null;
    const records = await this.statuses.find(filter).sort({ _id: pageSortDirection(page) }).limit(page.limit).map(withUri).toArray();
    return newestFirst(page, records);
  }

  /**
   * Ids of live statuses (not boosts) holding every word that the viewer may find, newest first.
   * Search without $text: searchTerms holds the distinct normalized words of a status, and its
   * multikey index ("search_terms"), which real MongoDB and the stand-in both serve, answers $all.
   */
  async searchIds(search: StatusSearchQuery): Promise<string[]> {
    if (search.words.length === 0) return [];
    const filter: Filter<StatusRecord> = {
      searchTerms: { $all: [...search.words] },
      deletedAt: null,
      reblogOfId: null,
      $or: [{ visibility: { $in: SEARCHABLE_VISIBILITIES } }, { accountId: search.viewerId }, { mentionIds: search.viewerId }],
    };
    const idRange = pageFilter(search.page);
    if (idRange) filter._id = idRange;
    if (search.accountId) filter.accountId = search.accountId;
    const found = await this.statuses
      .find(filter, { projection: { _id: 1 } })
      .sort({ _id: pageSortDirection(search.page) })
      .skip(search.offset)
      .limit(search.page.limit)
      .toArray();
    return newestFirst(search.page, found.map((r) => r._id));
  }

  /** Stores an earlier version of an edited status. */
  async insertEdit(edit: StatusEditRecord): Promise<void> {
    await this.edits.insertOne(edit);
  }

  /** Every stored version of a status, oldest first. */
  listEdits(statusId: string): Promise<StatusEditRecord[]> {
    return this.edits.find({ statusId }).sort({ _id: 1 }).toArray();
  }
}

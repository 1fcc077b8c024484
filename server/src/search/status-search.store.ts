// Status search without $text: StatusRecord.searchTerms holds the distinct normalized words of a
// status, and the statuses store keeps a multikey index on it ("search_terms"), which both real
// MongoDB and the stand-in serve. A query matches the statuses holding all of its words ($all).
// This reads the statuses collection and returns ids only; loading, the final visibility check and
// serializing go through the statuses service, which owns the records.
import type { Collection, Db, Filter } from 'mongodb';
import type { StatusRecord } from '../statuses/status-record.ts';
import { newestFirst, pageFilter, pageSortDirection, type Page } from '../shared/pagination.ts';

export interface StatusSearch {
  /** Normalized words (wordTerms); every one must be in the status. */
  words: string[];
  /** The searching account: it also finds its own statuses and those mentioning it, whatever their visibility. */
  viewerId: string;
  /** Only statuses of this account. */
  accountId?: string;
  page: Page;
  offset: number;
}

// Statuses every account of this instance may read. Private statuses of followed accounts are left
// out on purpose: search reaches past what a reader's timeline shows, so it stays with what is public
// on the intranet, plus what was addressed to the reader.
const OPEN_VISIBILITIES: StatusRecord['visibility'][] = ['public', 'unlisted', 'local'];

/** The ids of matching statuses, newest first, before the statuses service's visibility check. */
export class StatusSearchStore {
  private readonly statuses: Collection<StatusRecord>;

  constructor(db: Db) {
    this.statuses = db.collection<StatusRecord>('statuses');
  }

  /** Ids of live, non-boost statuses holding every word that the viewer may find, newest first. */
  async findIds(search: StatusSearch): Promise<string[]> {
    if (search.words.length === 0) return [];
    const filter: Filter<StatusRecord> = {
      searchTerms: { $all: search.words },
      deletedAt: null,
      reblogOfId: null,
      $or: [{ visibility: { $in: OPEN_VISIBILITIES } }, { accountId: search.viewerId }, { mentionIds: search.viewerId }],
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
}

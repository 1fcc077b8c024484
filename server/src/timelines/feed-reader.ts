// Reads one page of a Redis feed with Mastodon's paging (max_id, since_id, min_id, limit): ids from
// the sorted set, records from the statuses' batch loader (Redis-cached), then the read-time checks
// (deleted, no longer visible, no longer matching). Entries that fail them are skipped and the read
// goes on past them, so pages stay full. A feed that is missing is rebuilt from MongoDB first; a
// capped feed that runs out hands over to MongoDB for older pages (local and hashtag timelines).
import type { Page } from '../shared/pagination.ts';
import type { StatusRecord } from '../statuses/status-record.ts';
import type { StatusesService } from '../statuses/statuses.service.ts';
import type { Viewer } from '../statuses/status-visibility.ts';
import type { FeedKind } from './feed-keys.ts';
import type { FeedStore } from './feed-store.ts';

/** One page of a timeline: records newest first, and the ids to page by (Link headers). */
export interface TimelinePage {
  statuses: StatusRecord[];
  pageIds: string[];
}

/** What reading one feed needs. */
export interface FeedReadPlan {
  kind: FeedKind;
  key: string;
  page: Page;
  viewer: Viewer;
  /** The read-time check besides liveness and visibility (e.g. "still carries the tag"). */
  accept: (status: StatusRecord) => boolean;
  /** Fills the feed from MongoDB when it is missing. */
  rebuild: () => Promise<void>;
  /** Records older than the feed holds, from MongoDB; only for feeds whose older entries matter. */
  older?: (page: Page) => Promise<StatusRecord[]>;
}

// Ids read per round beyond the page size, for entries the checks drop.
const SLACK = 5;
// Rounds per page at most: a feed full of deleted entries must not turn one request into a scan.
const MAX_ROUNDS = 4;

const numeric = (id: string) => Number(id);

/** Pages through Redis feeds. */
export class FeedReader {
  private readonly feeds: FeedStore;
  private readonly statuses: Pick<StatusesService, 'getMany' | 'filterVisible'>;

  constructor(feeds: FeedStore, statuses: Pick<StatusesService, 'getMany' | 'filterVisible'>) {
    this.feeds = feeds;
    this.statuses = statuses;
  }

  /** One page of a feed, newest first. */
  async page(plan: FeedReadPlan): Promise<TimelinePage> {
    const { page, kind, key } = plan;
    const ascending = page.minId !== null;
    const after = page.minId ?? page.sinceId;
    let before = page.maxId;
    let lower = after;
    const count = page.limit + SLACK;

    let read = await this.feeds.read(kind, key, { before, after: lower, ascending, count });
    if (read.state !== 'ready') {
      await plan.rebuild();
      read = await this.feeds.read(kind, key, { before, after: lower, ascending, count });
    }
    // A full feed dropped older entries: what lies below its oldest one is only in MongoDB.
    const truncated = plan.older !== undefined && read.size >= this.feeds.capOf(kind) && read.oldest !== null;
    if (truncated && ascending && after !== null && numeric(after) < numeric(read.oldest!)) {
      return this.fromMongo(plan, page);
    }

    const found: StatusRecord[] = [];
    let ids = read.ids;
    for (let round = 1; ; round++) {
      found.push(...(await this.check(ids, plan)));
      if (found.length >= page.limit) break;
      if (ids.length < count) {
        // The feed has nothing more in this direction.
        if (truncated && !ascending) {
          const edge = before !== null && numeric(before) < numeric(read.oldest!) ? before : read.oldest!;
          const older = await this.fromMongo(plan, { maxId: edge, sinceId: page.sinceId, minId: null, limit: page.limit - found.length });
          found.push(...older.statuses);
        }
        break;
      }
      if (round >= MAX_ROUNDS) break;
      const last = ids[ids.length - 1]!;
      if (ascending) lower = last;
      else before = last;
      ids = (await this.feeds.read(kind, key, { before, after: lower, ascending, count })).ids;
    }
    const statuses = ascending ? found.slice(0, page.limit).reverse() : found.slice(0, page.limit);
    return { statuses, pageIds: statuses.map((s) => s._id) };
  }

  /** One page straight from MongoDB, with the same checks (older pages of capped feeds). */
  private async fromMongo(plan: FeedReadPlan, page: Page): Promise<TimelinePage> {
    const found: StatusRecord[] = [];
    let window: Page = { ...page, limit: page.limit + SLACK };
    for (let round = 1; round <= MAX_ROUNDS && found.length < page.limit; round++) {
      // older() answers newest first; for min_id it holds the ids just above the bound.
      const records = await plan.older!(window);
      const kept = await this.filter(records, plan);
      found.push(...(window.minId ? kept.reverse() : kept));
      if (records.length < window.limit) break;
      const last = window.minId ? records[0]!._id : records[records.length - 1]!._id;
      window = window.minId ? { ...window, minId: last } : { ...window, maxId: last };
    }
    const statuses = page.minId ? found.slice(0, page.limit).reverse() : found.slice(0, page.limit);
    return { statuses, pageIds: statuses.map((s) => s._id) };
  }

  private async check(ids: readonly string[], plan: FeedReadPlan): Promise<StatusRecord[]> {
    if (ids.length === 0) return [];
    return this.filter(await this.statuses.getMany(ids), plan);
  }

  private async filter(records: readonly StatusRecord[], plan: FeedReadPlan): Promise<StatusRecord[]> {
    const live = records.filter((r) => r.deletedAt === null && plan.accept(r));
    return this.statuses.filterVisible(live, plan.viewer);
  }
}

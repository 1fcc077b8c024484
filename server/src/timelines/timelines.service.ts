// Timelines: fan-out on write into Redis feeds, MongoDB the source of truth (Mastodon's design).
// Writes come from domain events (timelines.handlers.ts); reads page through the feeds (feed-reader.ts)
// or, for an account's profile, through MongoDB.
import type { FastifyBaseLogger } from 'fastify';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { FollowsService } from '../follows/follows.service.ts';
import type { Page } from '../shared/pagination.ts';
import type { StatusRecord } from '../statuses/status-record.ts';
import type { StatusesService } from '../statuses/statuses.service.ts';
import type { Viewer } from '../statuses/status-visibility.ts';
import { homeFeedKey, LOCAL_FEED_KEY, tagFeedKey } from './feed-keys.ts';
import { FeedReader, type TimelinePage } from './feed-reader.ts';
import {
  belongsInFollowerHome,
  belongsInLocalFeed,
  belongsInTagFeeds,
  FOLLOWER_VISIBILITIES,
  isLocalStatus,
  passesReplyRule,
  PUBLIC_TIMELINE_VISIBILITIES,
} from './feed-rules.ts';
import type { FeedItem, FeedStore } from './feed-store.ts';

export type { TimelinePage } from './feed-reader.ts';

/** The streaming side of home timelines (StreamingService implements it). */
export interface HomeStreams {
  pushToHomes(statusId: string, accountIds: readonly string[], event?: 'update' | 'status.update'): Promise<void>;
  deleteFromHomes(statusId: string, accountIds: readonly string[]): Promise<void>;
}

export interface TimelinesDeps {
  feeds: FeedStore;
  statuses: StatusesService;
  follows: FollowsService;
  accounts: AccountsService;
  streams: HomeStreams | null;
  log: FastifyBaseLogger;
}

/** Options of the hashtag timeline (Mastodon's any[], all[], none[]). */
export interface TagTimelineOptions {
  any?: readonly string[];
  all?: readonly string[];
  none?: readonly string[];
  onlyMedia?: boolean;
  remote?: boolean;
}

/** Filters of an account's statuses (GET /api/v1/accounts/:id/statuses). */
export interface AccountStatusesOptions {
  onlyMedia?: boolean;
  excludeReplies?: boolean;
  excludeReblogs?: boolean;
  pinned?: boolean;
  tagged?: string;
}

// Mastodon's TagFeed::LIMIT_PER_MODE: at most this many tags in each of any[], all[], none[].
const TAGS_PER_MODE = 4;
// Direct statuses looked at per rebuild or merge (those mentioning the reader are kept).
const DIRECT_LIMIT = 100;

const recent = (limit: number): Page => ({ maxId: null, sinceId: null, minId: null, limit });
const toItem = (status: StatusRecord): FeedItem => ({ id: status._id, reblogOfId: status.reblogOfId });
const accountOfHomeKey = (key: string) => key.slice(key.lastIndexOf(':') + 1);
const EMPTY: TimelinePage = { statuses: [], pageIds: [] };

/** Home, local, hashtag and profile timelines. */
export class TimelinesService {
  private readonly feeds: FeedStore;
  private readonly reader: FeedReader;
  private readonly statuses: StatusesService;
  private readonly follows: FollowsService;
  private readonly accounts: AccountsService;
  private readonly streams: HomeStreams | null;
  private readonly log: FastifyBaseLogger;

  constructor(deps: TimelinesDeps) {
    this.feeds = deps.feeds;
    this.reader = new FeedReader(deps.feeds, deps.statuses);
    this.statuses = deps.statuses;
    this.follows = deps.follows;
    this.accounts = deps.accounts;
    this.streams = deps.streams;
    this.log = deps.log;
  }

  // ---------------------------------------------------------------- writes (event handlers)

  /**
   * Puts a new (or edited) status into every feed it belongs in: its author's and the local
   * followers' home feeds (one Redis round trip for all of them), the local timeline and its
   * hashtags; then tells the "user" streams of the accounts whose home timeline it entered.
   * Idempotent: running it twice changes nothing more.
   */
  async fanOut(statusId: string, options: { update?: boolean } = {}): Promise<void> {
    const status = (await this.statuses.getIncludingDeleted([statusId])).get(statusId);
    if (!status || status.deletedAt) return;
    const item = toItem(status);
    const homeIds = await this.localAccountIds(await this.homeRecipients(status));
    const [home] = await Promise.all([
      this.feeds.fanOut('home', homeIds.map(homeFeedKey), item),
      belongsInLocalFeed(status) ? this.feeds.fanOut('local', [LOCAL_FEED_KEY], item) : null,
      belongsInTagFeeds(status) ? this.feeds.fanOut('tag', status.tags.map(tagFeedKey), item) : null,
    ]);
    // Feeds nobody materialized still get the stream event: their owner may be streaming without
    // having read the timeline, and will find the status when the feed is rebuilt.
    const reached = [...home.inserted, ...home.missing].map(accountOfHomeKey);
    await this.stream(() => this.streams?.pushToHomes(statusId, reached, options.update ? 'status.update' : 'update'));
  }

  /** Takes a deleted status (or boost) out of every feed that may hold it, and tells the streams. */
  async remove(statusId: string): Promise<void> {
    const status = (await this.statuses.getIncludingDeleted([statusId])).get(statusId);
    if (!status) return;
    const followers = await this.follows.followerIds(status.accountId);
    const homeIds = await this.localAccountIds([...new Set([status.accountId, ...followers, ...status.mentionIds])]);
    const keys = [...homeIds.map(homeFeedKey), LOCAL_FEED_KEY, ...status.tags.map(tagFeedKey)];
    const { removed, missing } = await this.feeds.remove(keys, [toItem(status)]);
    // As for fan-out, owners of feeds nobody materialized may still be streaming.
    const homes = [...removed, ...missing].filter((k) => k.startsWith('feed:home:')).map(accountOfHomeKey);
    await this.stream(() => this.streams?.deleteFromHomes(statusId, homes));
  }

  /**
   * Merges the recent statuses of a newly followed account into the follower's home feed (Mastodon's
   * merge_into_home). A feed that is not materialized is left alone: its rebuild will include them.
   */
  async mergeFollow(followerId: string, targetId: string): Promise<void> {
    const key = homeFeedKey(followerId);
    if ((await this.feeds.state(key)) === 'missing') return;
    const [statuses, directs, following] = await Promise.all([
      // How much of the followed account's history is merged in: Mastodon's MAX_ITEMS / 4.
      this.statuses.list({ accountIds: [targetId], visibilities: FOLLOWER_VISIBILITIES }, recent(Math.ceil(this.feeds.capOf('home') / 4))),
      this.statuses.list({ accountIds: [targetId], visibilities: ['direct'] }, recent(DIRECT_LIMIT)),
      this.follows.followedAccounts(followerId),
    ]);
    // Jobs run in any order: the unfollow (and its unmerge) may have been handled before this merge.
    const follows = new Set(following.ids);
    if (!follows.has(targetId)) return;
    const hidesReblogs = following.hidingReblogs.includes(targetId);
    const items = [...statuses, ...directs]
      .filter((s) => !(hidesReblogs && s.reblogOfId !== null) && belongsInFollowerHome(s, followerId, (id) => follows.has(id)))
      .map(toItem);
    if (items.length === 0) return;
    await this.feeds.mergeIfPresent('home', key, items);
    // An unfollow that landed while this merge ran may have had its unmerge run already: undo the merge.
    // (An unfollow after this check queues its unmerge after it, which takes the items out.)
    if (!(await this.follows.isFollowing(followerId, targetId))) await this.feeds.remove([key], items);
  }

  /** Takes an unfollowed account's statuses and boosts out of the former follower's home feed. */
  async unmergeFollow(followerId: string, targetId: string): Promise<void> {
    const key = homeFeedKey(followerId);
    if ((await this.feeds.state(key)) === 'missing') return;
    const ids = await this.feeds.allIds(key);
    const records = await this.statuses.getIncludingDeleted(ids);
    const items = [...records.values()].filter((s) => s.accountId === targetId).map(toItem);
    if (items.length > 0) await this.feeds.remove([key], items);
  }

  // ---------------------------------------------------------------- reads

  /** One page of an account's home timeline: its own statuses, those of accounts it follows, and their boosts. */
  home(viewer: NonNullable<Viewer>, page: Page): Promise<TimelinePage> {
    return this.reader.page({
      kind: 'home',
      key: homeFeedKey(viewer._id),
      page,
      viewer,
      accept: () => true,
      rebuild: () => this.rebuildHome(viewer._id),
    });
  }

  /**
   * One page of the public timeline. Until federation lands, "local" and the default both mean this
   * instance's public (and department-only) statuses; remote=true has nothing to show.
   */
  async public(viewer: Viewer, page: Page, options: { remote?: boolean; onlyMedia?: boolean } = {}): Promise<TimelinePage> {
    // Kith has no media attachments yet, so a media-only timeline is empty.
    if (options.remote || options.onlyMedia) return EMPTY;
    return this.reader.page({
      kind: 'local',
      key: LOCAL_FEED_KEY,
      page,
      viewer,
      accept: belongsInLocalFeed,
      rebuild: () => this.rebuildLocal(),
      older: (window) => this.localFromMongo(window),
    });
  }

  /** One page of a hashtag timeline (tag names compare case-insensitively). */
  async tag(viewer: Viewer, tag: string, page: Page, options: TagTimelineOptions = {}): Promise<TimelinePage> {
    if (options.remote || options.onlyMedia) return EMPTY;
    const all = (options.all ?? []).slice(0, TAGS_PER_MODE);
    const none = (options.none ?? []).slice(0, TAGS_PER_MODE);
    const accept = (s: StatusRecord) => belongsInTagFeeds(s) && all.every((t) => s.tags.includes(t)) && !none.some((t) => s.tags.includes(t));
    const tags = [...new Set([tag, ...(options.any ?? []).slice(0, TAGS_PER_MODE)])];
    // any[]: the page of each tag, merged (the newest `limit` of the union are among them).
    const pages = await Promise.all(
      tags.map((name) =>
        this.reader.page({
          kind: 'tag',
          key: tagFeedKey(name),
          page,
          viewer,
          accept: (s) => s.tags.includes(name) && accept(s),
          rebuild: () => this.rebuildTag(name),
          older: (window) => this.tagFromMongo(name, window),
        }),
      ),
    );
    if (pages.length === 1) return pages[0]!;
    const byId = new Map(pages.flatMap((p) => p.statuses).map((s) => [s._id, s]));
    const sorted = [...byId.values()].sort((a, b) => Number(b._id) - Number(a._id));
    const statuses = page.minId ? sorted.slice(-page.limit) : sorted.slice(0, page.limit);
    return { statuses, pageIds: statuses.map((s) => s._id) };
  }

  /**
   * One page of an account's statuses as the viewer may see them (read from MongoDB: profiles are
   * read less often than feeds, and their filters are many). Pinned statuses come unpaged.
   */
  async accountStatuses(viewer: Viewer, accountId: string, page: Page, options: AccountStatusesOptions = {}): Promise<TimelinePage> {
    const account = await this.accounts.get(accountId);
    if (account.suspended || options.onlyMedia) return EMPTY;
    if (options.pinned) {
      const pinned = (await this.statuses.listPinned(accountId, viewer)).slice(0, page.limit);
      return { statuses: pinned, pageIds: [] };
    }
    const statuses = await this.statuses.listByAccount(accountId, viewer, page, {
      excludeReplies: options.excludeReplies,
      excludeReblogs: options.excludeReblogs,
      tag: options.tagged,
    });
    return { statuses, pageIds: statuses.map((s) => s._id) };
  }

  // ---------------------------------------------------------------- for other domains

  /**
   * The accounts whose home feed a status belongs in: its author (when local), and the followers
   * Mastodon's rules let it reach (all of them for public, unlisted, local and private statuses, and
   * for boosts those who did not turn the author's boosts off; the mentioned ones for direct statuses;
   * replies only for readers who follow the person replied to). Remote followers are included (they
   * have no feed here: fanOut and remove keep only local accounts' feed keys).
   */
  async homeRecipients(status: StatusRecord): Promise<string[]> {
    const { ids: followers, hidingReblogs } = await this.follows.followersWithOptions(status.accountId);
    let readers = status.visibility === 'direct' ? status.mentionIds.filter((id) => followers.includes(id)) : followers;
    // Followers who turned off the author's boosts (Mastodon's show_reblogs: false) do not get them.
    if (status.reblogOfId !== null && hidingReblogs.length > 0) {
      const hiding = new Set(hidingReblogs);
      readers = readers.filter((id) => !hiding.has(id));
    }
    const parentAuthor = status.inReplyToAccountId;
    if (status.reblogOfId === null && status.inReplyToId !== null && parentAuthor !== status.accountId) {
      const parentFollowers = parentAuthor ? new Set(await this.follows.followerIds(parentAuthor)) : new Set<string>();
      readers = readers.filter((id) => passesReplyRule(status, id, (other) => other === parentAuthor && parentFollowers.has(id)));
    }
    return [...new Set(isLocalStatus(status) ? [status.accountId, ...readers] : readers)];
  }

  /** Whether a status is in an account's home feed right now (for tests and benchmarks). */
  isInHomeFeed(accountId: string, statusId: string): Promise<boolean> {
    return this.feeds.contains(homeFeedKey(accountId), statusId);
  }

  /** Materializes an account's home feed if it is missing (benchmarks warm feeds with it). */
  async ensureHomeFeed(accountId: string): Promise<void> {
    if ((await this.feeds.state(homeFeedKey(accountId))) !== 'ready') await this.rebuildHome(accountId);
  }

  // ---------------------------------------------------------------- rebuilds from MongoDB

  /** Rebuilds a home feed: the account's own statuses and what the accounts it follows posted. */
  async rebuildHome(accountId: string): Promise<void> {
    const key = homeFeedKey(accountId);
    await this.feeds.beginRebuild('home', key);
    const { ids: following, hidingReblogs } = await this.follows.followedAccounts(accountId);
    const follows = new Set(following);
    const hiding = new Set(hidingReblogs);
    const [own, followed, directs] = await Promise.all([
      this.statuses.list({ accountIds: [accountId] }, recent(Math.ceil(this.feeds.capOf('home') / 2))),
      following.length > 0 ? this.statuses.list({ accountIds: following, visibilities: FOLLOWER_VISIBILITIES }, recent(this.feeds.capOf('home'))) : [],
      following.length > 0 ? this.statuses.list({ accountIds: following, visibilities: ['direct'] }, recent(DIRECT_LIMIT)) : [],
    ]);
    const fromOthers = [...followed, ...directs].filter(
      (s) => !(s.reblogOfId !== null && hiding.has(s.accountId)) && belongsInFollowerHome(s, accountId, (id) => follows.has(id)),
    );
    await this.feeds.finishRebuild('home', key, [...own, ...fromOthers].map(toItem));
    this.log.debug({ accountId, entries: own.length + fromOthers.length }, 'home feed rebuilt');
  }

  private async rebuildLocal(): Promise<void> {
    await this.feeds.beginRebuild('local', LOCAL_FEED_KEY);
    const records = await this.localFromMongo(recent(this.feeds.capOf('local')));
    await this.feeds.finishRebuild('local', LOCAL_FEED_KEY, records.filter(belongsInLocalFeed).map(toItem));
  }

  private async rebuildTag(tag: string): Promise<void> {
    const key = tagFeedKey(tag);
    await this.feeds.beginRebuild('tag', key);
    const records = await this.tagFromMongo(tag, recent(this.feeds.capOf('tag')));
    await this.feeds.finishRebuild('tag', key, records.filter(belongsInTagFeeds).map(toItem));
  }

  private localFromMongo(page: Page): Promise<StatusRecord[]> {
    return this.statuses.list({ localOnly: true, visibilities: PUBLIC_TIMELINE_VISIBILITIES, excludeReblogs: true }, page);
  }

  private tagFromMongo(tag: string, page: Page): Promise<StatusRecord[]> {
    return this.statuses.list({ tag, localOnly: true, visibilities: PUBLIC_TIMELINE_VISIBILITIES, excludeReblogs: true }, page);
  }

  // Remote accounts have no home feed on this instance: their keys would only be written for nothing.
  private async localAccountIds(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    return (await this.accounts.getMany(ids)).filter((a) => a.domain === null).map((a) => a._id);
  }

  // Streaming is best-effort: a failure must not fail (and retry) the fan-out that already happened.
  private async stream(publish: () => Promise<void> | undefined): Promise<void> {
    try {
      await publish();
    } catch (error) {
      this.log.warn({ err: error }, 'timeline streaming failed');
    }
  }
}

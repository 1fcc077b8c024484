// Names and sizes of the Redis feeds. Keys are written without the instance prefix: the prefixed
// ioredis connection (Infra.redis) adds it, so instances sharing one Redis keep their feeds apart.

/**
 * How many entries each kind of feed keeps.
 * - home 800: Mastodon's FeedManager::MAX_ITEMS. A home feed is per account, so its size multiplies
 *   by the number of accounts (800 ids ≈ 50 KB each); people rarely scroll back further than a day
 *   or two of a busy feed, and paging past the end returns nothing, as in Mastodon.
 * - local 2000: one key for the whole instance, read by everyone; a department posts a few hundred
 *   public statuses a day, so this covers the days people scroll through. Older pages come from
 *   MongoDB (the feed is only a cache of the newest part of the local timeline).
 * - tag 400: one key per hashtag that somebody read; most tags are small. Older pages come from
 *   MongoDB, like the local timeline.
 */
export const FEED_CAPS = { home: 800, local: 2000, tag: 400 } as const;

/** Mastodon's REBLOG_FALLOFF: a boost is not shown again while its original is this near the top. */
export const REBLOG_FALLOFF = 40;

/**
 * Feeds expire when nobody reads them (each read renews the TTL): a home feed that nobody looked at
 * for two weeks stops being maintained and is rebuilt from MongoDB on the next read, as Mastodon does
 * for inactive users. Fan-out writes only into feeds that exist.
 */
export const FEED_TTL_MS = { home: 14 * 24 * 3600_000, local: 14 * 24 * 3600_000, tag: 7 * 24 * 3600_000 } as const;

/** The marker member every materialized feed holds (score 0 when ready, -1 while rebuilding). */
export const FEED_MARKER = '-';

export type FeedKind = keyof typeof FEED_CAPS;

/** Feed sizes by kind (FEED_CAPS, unless a test asks for small feeds). */
export type FeedCaps = Record<FeedKind, number>;

/** The home feed of a local account. */
export function homeFeedKey(accountId: string): string {
  return `feed:home:${accountId}`;
}

/** Public (and department-only) statuses of this instance's accounts, without boosts or replies to others. */
export const LOCAL_FEED_KEY = 'feed:local';

/** Public (and department-only) statuses of this instance's accounts carrying a hashtag (stored lower-case). */
export function tagFeedKey(tag: string): string {
  return `feed:tag:${tag}`;
}

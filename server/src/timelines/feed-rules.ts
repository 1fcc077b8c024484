// Which feeds a status belongs in: Mastodon's rules (FanOutOnWriteService, FeedManager#filter_from_home,
// PublicFeed, TagFeed), plus Kith's department-only "local" visibility. Pure functions, so the fan-out,
// the rebuilds and the read-time checks all apply the same rules.
import type { StatusRecord } from '../statuses/status-record.ts';
import type { Visibility } from '../accounts/accounts.store.ts';

/** Visibilities that reach followers' home feeds (direct ones reach mentioned followers only). */
export const FOLLOWER_VISIBILITIES: readonly Visibility[] = ['public', 'unlisted', 'private', 'local'];

/**
 * Visibilities of the local and hashtag timelines. Every reader here is an account of this instance,
 * so department-only ("local") statuses belong there with public ones; unlisted ones never do.
 */
export const PUBLIC_TIMELINE_VISIBILITIES: readonly Visibility[] = ['public', 'local'];

/** Whether the status was written on this instance (remote ones carry their ActivityPub id). */
export function isLocalStatus(status: StatusRecord): boolean {
  return status.uri === null;
}

/** A reply to somebody else (a reply to oneself continues a thread). */
export function isReplyToOther(status: StatusRecord): boolean {
  return status.inReplyToId !== null && status.inReplyToAccountId !== status.accountId;
}

/**
 * Mastodon's reply rule for home feeds: a reply reaches a reader other than its author only when it
 * answers the reader, the author themselves, or someone the reader follows. Replies whose parent
 * author is unknown reach nobody else. Boosts are not replies (their original was judged when posted).
 */
export function passesReplyRule(status: StatusRecord, readerId: string, readerFollows: (accountId: string) => boolean): boolean {
  if (readerId === status.accountId || status.reblogOfId !== null || status.inReplyToId === null) return true;
  const parentAuthor = status.inReplyToAccountId;
  if (parentAuthor === null) return false;
  return parentAuthor === status.accountId || parentAuthor === readerId || readerFollows(parentAuthor);
}

/**
 * Whether a reader whose home feed is being filled may get the status there, given that the reader
 * follows its author (or is the author). Direct statuses need the reader to be mentioned.
 */
export function belongsInFollowerHome(status: StatusRecord, readerId: string, readerFollows: (accountId: string) => boolean): boolean {
  if (status.deletedAt) return false;
  if (readerId !== status.accountId) {
    if (status.visibility === 'direct' && !status.mentionIds.includes(readerId)) return false;
  }
  return passesReplyRule(status, readerId, readerFollows);
}

/** The local timeline: public and department-only statuses of this instance, no boosts, no replies to others. */
export function belongsInLocalFeed(status: StatusRecord): boolean {
  return (
    status.deletedAt === null &&
    isLocalStatus(status) &&
    status.reblogOfId === null &&
    PUBLIC_TIMELINE_VISIBILITIES.includes(status.visibility) &&
    !isReplyToOther(status)
  );
}

/** Hashtag timelines: public and department-only statuses of this instance with tags (replies included, as Mastodon). */
export function belongsInTagFeeds(status: StatusRecord): boolean {
  return (
    status.deletedAt === null &&
    isLocalStatus(status) &&
    status.reblogOfId === null &&
    status.tags.length > 0 &&
    PUBLIC_TIMELINE_VISIBILITIES.includes(status.visibility)
  );
}

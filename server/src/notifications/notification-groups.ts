// Mastodon 4.3's notification groups: favourites and boosts of one status, and new followers, that
// arrive within a few hours of each other share a group_key, so clients can show "Ana and 4 others
// favourited your post". Other types are never grouped (their entity says "ungrouped-<id>").
import type { Redis } from 'ioredis';
import type { NotificationType } from './notifications.store.ts';

// Mastodon's MAXIMUM_GROUP_SPAN_HOURS: a group never spans more than this.
const MAXIMUM_GROUP_SPAN_HOURS = 12;
const HOUR_SECONDS = 3600;

/** The types Mastodon groups. */
export const GROUPED_TYPES: ReadonlySet<NotificationType> = new Set(['favourite', 'reblog', 'follow']);

/**
 * The group key for a new notification, or null for types that are not grouped. The hour bucket of
 * the group's first member is kept in Redis for the group's span, so later members join it.
 */
export async function groupKeyFor(redis: Redis, accountId: string, type: NotificationType, statusId: string | null, at: Date): Promise<string | null> {
  if (!GROUPED_TYPES.has(type)) return null;
  const prefix = type === 'follow' ? type : `${type}-${statusId}`;
  const key = `notifications:group:${accountId}:${prefix}`;
  let bucket = Math.floor(at.getTime() / 1000 / HOUR_SECONDS);
  const previous = Number(await redis.get(key));
  if (previous && bucket < previous + MAXIMUM_GROUP_SPAN_HOURS) bucket = previous;
  await redis.set(key, String(bucket), 'EX', MAXIMUM_GROUP_SPAN_HOURS * HOUR_SECONDS);
  return `${prefix}-${bucket}`;
}

/** The group_key a client sees: the stored one, or "ungrouped-<id>". */
export function entityGroupKey(groupKey: string | null, id: string): string {
  return groupKey ?? `ungrouped-${id}`;
}

// Which events notify whom, following Mastodon: mentions (on posting and, for newly mentioned
// accounts, on editing), boosts, favourites, follows and follow requests, "status" to the followers
// who asked to be notified of an account's posts, and "update" to the accounts that boosted a status
// when it is edited. Notifications whose cause goes away (an unfollow,
// a rejected request, a deleted status or boost) go away with it, so doing it again notifies again.
import type { EventBus } from '../events/event-bus.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { FollowsService } from '../follows/follows.service.ts';
import type { StatusRecord } from '../statuses/status-record.ts';
import type { StatusesService } from '../statuses/statuses.service.ts';
import type { StatusInteractionsService } from '../statuses/status-interactions.service.ts';
import { belongsInFollowerHome, isReplyToOther } from '../timelines/feed-rules.ts';
import type { NotificationsService } from './notifications.service.ts';

export interface NotificationTriggerDeps {
  notifications: NotificationsService;
  statuses: StatusesService;
  statusInteractions: StatusInteractionsService;
  accounts: AccountsService;
  follows: Pick<FollowsService, 'followersWithOptions'>;
}

// Boosters are read in pages of this size when an edit notifies them.
const BOOSTERS_PAGE = 200;

/** Registers the notification side effects of domain events. Every handler is idempotent. */
export function registerNotificationHandlers(events: EventBus, deps: NotificationTriggerDeps): void {
  const { notifications, statuses } = deps;
  const live = async (statusId: string) => (await statuses.getMany([statusId]))[0] ?? null;

  events.on('status.created', 'notifications.status', async ({ statusId }) => {
    const status = await live(statusId);
    if (!status) return;
    if (status.reblogOfId) {
      const original = await live(status.reblogOfId);
      if (original) await notifications.notify({ accountId: original.accountId, type: 'reblog', fromAccountId: status.accountId, statusId: original._id });
      return;
    }
    await notifyMentions(deps, status._id, status.accountId, status.mentionIds);
    await notifySubscribers(deps, status);
  });

  events.on('status.updated', 'notifications.status', async ({ statusId }) => {
    const status = await live(statusId);
    if (!status || status.reblogOfId) return;
    // Accounts mentioned before already have their mention notification; new ones get theirs now.
    await notifyMentions(deps, status._id, status.accountId, status.mentionIds);
    const version = String(status.editedAt?.getTime() ?? 0);
    for (const boosterId of await boosterIds(deps, status._id, status.accountId)) {
      await notifications.notify({ accountId: boosterId, type: 'update', fromAccountId: status.accountId, statusId: status._id, version });
    }
  });

  events.on('status.deleted', 'notifications.withdraw', async ({ statusId }) => {
    const status = (await statuses.getIncludingDeleted([statusId])).get(statusId);
    if (!status) return;
    if (status.reblogOfId) {
      await notifications.withdraw({ type: 'reblog', fromAccountId: status.accountId, statusId: status.reblogOfId });
    } else {
      await notifications.withdraw({ statusId: status._id });
    }
  });

  events.on('favourite.created', 'notifications.favourite', async ({ accountId, statusId }) => {
    const status = await live(statusId);
    if (status) await notifications.notify({ accountId: status.accountId, type: 'favourite', fromAccountId: accountId, statusId: status._id });
  });

  events.on('follow.created', 'notifications.follow', async ({ followerId, targetId, pending }) => {
    await notifications.notify({ accountId: targetId, type: pending ? 'follow_request' : 'follow', fromAccountId: followerId, statusId: null });
  });

  // An accepted request is answered: its notification goes (Mastodon sends no "follow" after it).
  events.on('follow.accepted', 'notifications.follow', async ({ followerId, targetId }) => {
    await notifications.withdraw({ accountId: targetId, fromAccountId: followerId, type: 'follow_request' });
  });

  events.on('follow.removed', 'notifications.follow', async ({ followerId, targetId }) => {
    await notifications.withdraw({ accountId: targetId, fromAccountId: followerId, type: { $in: ['follow', 'follow_request'] } });
  });
}

async function notifyMentions(deps: NotificationTriggerDeps, statusId: string, authorId: string, mentionIds: readonly string[]): Promise<void> {
  for (const accountId of new Set(mentionIds)) {
    await deps.notifications.notify({ accountId, type: 'mention', fromAccountId: authorId, statusId });
  }
}

// Mastodon's "status" notification (FeedInsertWorker#notify?): a follower who turned on notifications
// for an account hears of each of its new statuses that reaches their home feed, except boosts and
// replies to others (a reply to oneself continues a thread and counts). Edits do not notify again.
async function notifySubscribers(deps: NotificationTriggerDeps, status: StatusRecord): Promise<void> {
  if (status.reblogOfId !== null || isReplyToOther(status)) return;
  const { notified } = await deps.follows.followersWithOptions(status.accountId);
  for (const followerId of notified) {
    // Every one of them follows the author; the rule left is that a direct status reaches the mentioned only.
    if (!belongsInFollowerHome(status, followerId, () => true)) continue;
    await deps.notifications.notify({ accountId: followerId, type: 'status', fromAccountId: status.accountId, statusId: status._id });
  }
}

// Everyone who boosted the status, read as its author (who may see it whatever its visibility).
async function boosterIds(deps: NotificationTriggerDeps, statusId: string, authorId: string): Promise<string[]> {
  const author = await deps.accounts.find(authorId);
  if (!author) return [];
  const ids: string[] = [];
  let maxId: string | null = null;
  for (;;) {
    const { items, pageIds } = await deps.statusInteractions.rebloggedBy(statusId, author, { maxId, sinceId: null, minId: null, limit: BOOSTERS_PAGE });
    ids.push(...items.map((a) => a._id));
    if (pageIds.length < BOOSTERS_PAGE) return ids;
    maxId = pageIds[pageIds.length - 1]!;
  }
}

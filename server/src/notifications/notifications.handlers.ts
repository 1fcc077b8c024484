// Which events notify whom, following Mastodon: mentions (on posting and, for newly mentioned
// accounts, on editing), boosts, favourites, follows and follow requests, and "update" to the
// accounts that boosted a status when it is edited. Notifications whose cause goes away (an unfollow,
// a rejected request, a deleted status or boost) go away with it, so doing it again notifies again.
import type { EventBus } from '../events/event-bus.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { StatusesService } from '../statuses/statuses.service.ts';
import type { StatusInteractionsService } from '../statuses/status-interactions.service.ts';
import type { NotificationsService } from './notifications.service.ts';

export interface NotificationTriggerDeps {
  notifications: NotificationsService;
  statuses: StatusesService;
  statusInteractions: StatusInteractionsService;
  accounts: AccountsService;
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

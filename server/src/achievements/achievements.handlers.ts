// Which domain events can earn an achievement. Each handler is idempotent: an award is stored once.
import type { EventBus } from '../events/event-bus.ts';
import type { AchievementsService } from './achievements.service.ts';

/** Registers the achievements' side effects of domain events. */
export function registerAchievementHandlers(events: EventBus, achievements: AchievementsService): void {
  events.on('status.created', 'achievements.first-post', ({ statusId }) => achievements.statusCreated(statusId));

  // A follow counts once it is established: at once for an open account, on acceptance for a request.
  events.on('follow.created', 'achievements.cross-department-follow', async ({ followerId, targetId, pending }) => {
    if (!pending) await achievements.followEstablished(followerId, targetId);
  });
  events.on('follow.accepted', 'achievements.cross-department-follow', ({ followerId, targetId }) =>
    achievements.followEstablished(followerId, targetId));

  events.on('favourite.created', 'achievements.reply-favourited', ({ accountId, statusId }) => achievements.favourited(accountId, statusId));

  events.on('news.relayed', 'achievements.relayed-news', ({ statusId, at }) => achievements.newsRelayed(statusId, new Date(at)));
}

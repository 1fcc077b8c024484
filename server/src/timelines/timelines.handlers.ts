import type { EventBus } from '../events/event-bus.ts';
import type { TimelinesService } from './timelines.service.ts';

/**
 * Feeds follow the domain events: statuses fan out when posted or edited and leave every feed when
 * deleted; a follow merges the followed account's recent statuses into the home feed, an unfollow
 * takes them out. Every handler is idempotent (jobs may be retried).
 */
export function registerTimelineHandlers(events: EventBus, timelines: TimelinesService): void {
  events.on('status.created', 'timelines.fan-out', ({ statusId }) => timelines.fanOut(statusId));
  events.on('status.updated', 'timelines.fan-out', ({ statusId }) => timelines.fanOut(statusId, { update: true }));
  events.on('status.deleted', 'timelines.remove', ({ statusId }) => timelines.remove(statusId));
  events.on('follow.created', 'timelines.merge', async ({ followerId, targetId, pending }) => {
    if (!pending) await timelines.mergeFollow(followerId, targetId);
  });
  events.on('follow.accepted', 'timelines.merge', ({ followerId, targetId }) => timelines.mergeFollow(followerId, targetId));
  events.on('follow.removed', 'timelines.unmerge', ({ followerId, targetId }) => timelines.unmergeFollow(followerId, targetId));
}

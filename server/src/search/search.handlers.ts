import type { EventBus } from '../events/event-bus.ts';
import type { StatusesService } from '../statuses/statuses.service.ts';
import type { HashtagsService } from './hashtags.service.ts';

/** Keeps the hashtags store current from status events; every handler is idempotent. */
export function registerSearchHandlers(events: EventBus, statuses: Pick<StatusesService, 'getIncludingDeleted'>, hashtags: HashtagsService): void {
  const load = async (statusId: string) => (await statuses.getIncludingDeleted([statusId])).get(statusId) ?? null;
  events.on('status.created', 'search.record-hashtags', async ({ statusId }) => {
    const status = await load(statusId);
    if (status) await hashtags.recordStatus(status);
  });
  events.on('status.updated', 'search.record-hashtags', async ({ statusId }) => {
    const status = await load(statusId);
    if (status) await hashtags.recordStatus(status);
  });
  events.on('status.deleted', 'search.forget-hashtags', async ({ statusId }) => {
    const status = await load(statusId);
    if (status) await hashtags.forgetStatus(status);
  });
}

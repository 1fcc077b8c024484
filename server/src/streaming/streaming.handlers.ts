import type { EventBus } from '../events/event-bus.ts';
import type { StreamingService } from './streaming.service.ts';

/**
 * Streams fed from domain events: public, public:local and hashtag streams from status events, and
 * notifications. "user" (home) streams are fed by the timelines fan-out, which knows whose home
 * timeline a status entered (StreamingService.pushToHomes / deleteFromHomes).
 */
export function registerStreamingHandlers(events: EventBus, streaming: StreamingService): void {
  events.on('status.created', 'streaming.broadcast', ({ statusId }) => streaming.broadcastCreated(statusId));
  events.on('status.updated', 'streaming.broadcast', ({ statusId }) => streaming.broadcastUpdated(statusId));
  events.on('status.deleted', 'streaming.broadcast', ({ statusId }) => streaming.broadcastDeleted(statusId));
  events.on('notification.created', 'streaming.notification', ({ notificationId, accountId }) => streaming.pushNotification(notificationId, accountId));
}

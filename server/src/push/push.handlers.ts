import type { EventBus } from '../events/event-bus.ts';
import type { PushService } from './push.service.ts';

/** Every stored notification fans out to its recipient's push subscriptions (idempotent: one job id per pair). */
export function registerPushHandlers(events: EventBus, push: PushService): void {
  events.on('notification.created', 'push.fan-out', ({ notificationId, accountId }) => push.fanOut(notificationId, accountId));
}

import type { AccountEntity } from '../accounts/accounts.serialize.ts';
import type { StatusEntity } from '../statuses/statuses.serialize.ts';
import { entityGroupKey } from './notification-groups.ts';
import type { NotificationRecord, NotificationType } from './notifications.store.ts';

/** Mastodon's Notification entity. */
export interface NotificationEntity {
  id: string;
  type: NotificationType;
  group_key: string;
  created_at: string;
  account: AccountEntity;
  status?: StatusEntity;
}

/** Types whose notification carries the status it is about. */
export const STATUS_TYPES: ReadonlySet<NotificationType> = new Set(['mention', 'status', 'reblog', 'favourite', 'update']);

/** Domain → Mastodon Notification entity. */
export function toNotificationEntity(record: NotificationRecord, account: AccountEntity, status: StatusEntity | null): NotificationEntity {
  return {
    id: record._id,
    type: record.type,
    group_key: entityGroupKey(record.groupKey, record._id),
    created_at: record.createdAt.toISOString(),
    account,
    ...(status ? { status } : {}),
  };
}

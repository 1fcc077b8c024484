// The domain events services emit after a write. Side effects (timeline fan-out, notifications,
// streaming, later federation and analytics) consume them off the request path.

export interface DomainEvents {
  /** A status (or a boost, when it has reblogOfId) was created. */
  'status.created': { statusId: string };
  /** A status was edited. */
  'status.updated': { statusId: string };
  /** A status (or boost) was deleted; the record is kept as a tombstone with deletedAt set. */
  'status.deleted': { statusId: string };
  /** A follow was made; pending when the target is locked and must approve it. */
  'follow.created': { followerId: string; targetId: string; pending: boolean };
  /** A pending follow request was approved. */
  'follow.accepted': { followerId: string; targetId: string };
  /** A follow ended: the follower unfollowed (or withdrew a request), or the target rejected it. */
  'follow.removed': { followerId: string; targetId: string; reason?: 'rejected' | 'unfollowed' };
  /** A status was favourited. */
  'favourite.created': { accountId: string; statusId: string };
  /** A favourite was taken back. */
  'favourite.removed': { accountId: string; statusId: string };
  /** A notification was stored for an account. */
  'notification.created': { notificationId: string; accountId: string };
  /** An account's profile changed. */
  'account.updated': { accountId: string };
  /** A status became company news here (approved here, or arrived from a linked department); `at` is ISO time. */
  'news.relayed': { statusId: string; at: string };
}

export type DomainEventName = keyof DomainEvents;

import type { PushAlerts, PushPolicy, PushSubscriptionRecord } from './push-subscriptions.store.ts';

/** Mastodon's WebPushSubscription entity. */
export interface PushSubscriptionEntity {
  id: string;
  endpoint: string;
  /** Messages are encrypted as RFC 8291 says (aes128gcm), whatever the client asked for. */
  standard: true;
  alerts: PushAlerts;
  policy: PushPolicy;
  /** The instance's VAPID public key (base64url), which the client subscribed with. */
  server_key: string;
}

export function toPushSubscriptionEntity(record: PushSubscriptionRecord, serverKey: string): PushSubscriptionEntity {
  return {
    id: record._id,
    endpoint: record.endpoint,
    standard: true,
    alerts: { ...record.alerts },
    policy: record.policy,
    server_key: serverKey,
  };
}

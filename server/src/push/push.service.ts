// Web Push through Mastodon's push API: one subscription per access token, and for each notification a
// message to each of the recipient's subscriptions whose alerts and policy want it, encrypted (RFC 8291)
// and VAPID-signed (RFC 8292) by the web-push package, sent through the guarded transport.
import { UnrecoverableError } from 'bullmq';
import type { FastifyBaseLogger } from 'fastify';
import webPush from 'web-push';
import type { AuthContext } from '../plugins/auth.ts';
import type { FollowsService } from '../follows/follows.service.ts';
import type { NotificationsService } from '../notifications/notifications.service.ts';
import type { NotificationEntity } from '../notifications/notifications.serialize.ts';
import { NotFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { EndpointRules } from './push-endpoint-rules.ts';
import type { PushDeliveryQueue, PushJob } from './push-delivery-queue.ts';
import type { PushKeysStore } from './push-keys.store.ts';
import { toPushPayload } from './push-payload.ts';
import type { NewPushSubscription, PushData } from './push-subscription-input.ts';
import type { CredentialKind, PushAlert, PushSubscriptionRecord, PushSubscriptionsStore } from './push-subscriptions.store.ts';
import { toPushSubscriptionEntity, type PushSubscriptionEntity } from './push.serialize.ts';
import { PushRefused, sendPush } from './push-transport.ts';
import { sealToken, unsealToken } from './token-seal.ts';

export interface PushDeps {
  subscriptions: PushSubscriptionsStore;
  keys: PushKeysStore;
  queue: PushDeliveryQueue;
  notifications: Pick<NotificationsService, 'render'>;
  follows: Pick<FollowsService, 'isFollowing'>;
  /** Check at each message that the subscriber's token or session is still valid (not revoked or expired). */
  credentials: Record<CredentialKind, (secret: string) => Promise<AuthContext | null>>;
  rules: EndpointRules;
  /** The VAPID "sub" claim: how a push service reaches the instance's operator (mailto: or https:). */
  vapidSubject: string;
  log: FastifyBaseLogger;
}

/** Who subscribes: the access token or web session (its id and secret) and its account. */
export interface Subscriber {
  tokenId: string;
  credential: CredentialKind;
  /** The access token, or the session cookie's secret. */
  secret: string;
  accountId: string;
}

/** How long a push service keeps a message for an offline device (Mastodon's 48 hours). */
const TTL_SECONDS = 48 * 60 * 60;

/** Whether a push service answer means the subscription is gone for good (RFC 8030 §7.3). */
const isGone = (status: number) => status === 404 || status === 410;
/** Answers worth trying again later: throttled, timed out, or the push service's own trouble. */
const isTransient = (status: number) => status === 408 || status === 429 || status >= 500;

export class PushService {
  private readonly deps: PushDeps;

  constructor(deps: PushDeps) {
    this.deps = deps;
  }

  /** Creates the token's subscription, replacing the one it had. */
  async subscribe(subscriber: Subscriber, input: NewPushSubscription): Promise<PushSubscriptionEntity> {
    const keys = await this.deps.keys.keys();
    const record: PushSubscriptionRecord = {
      _id: newId(),
      tokenId: subscriber.tokenId,
      accountId: subscriber.accountId,
      endpoint: input.endpoint,
      p256dh: input.p256dh,
      auth: input.auth,
      alerts: input.alerts,
      policy: input.policy,
      credential: subscriber.credential,
      sealedSecret: sealToken(subscriber.secret, keys.tokenSealKey),
      createdAt: new Date(),
    };
    await this.deps.subscriptions.replaceForToken(record);
    return toPushSubscriptionEntity(record, keys.vapidPublicKey);
  }

  /** The token's subscription; NotFound when it has none. */
  /** The instance's VAPID public key (base64url), as Mastodon's Application entity also shows it. */
  vapidPublicKey(): Promise<string> {
    return this.deps.keys.vapidPublicKey();
  }

  async get(tokenId: string): Promise<PushSubscriptionEntity> {
    const record = await this.deps.subscriptions.findByToken(tokenId);
    if (!record) throw new NotFound();
    return toPushSubscriptionEntity(record, await this.deps.keys.vapidPublicKey());
  }

  /** Replaces the token's alerts and policy (the endpoint and keys change only with a new subscription). */
  async update(tokenId: string, data: PushData): Promise<PushSubscriptionEntity> {
    const record = await this.deps.subscriptions.updateData(tokenId, data.alerts, data.policy);
    if (!record) throw new NotFound();
    return toPushSubscriptionEntity(record, await this.deps.keys.vapidPublicKey());
  }

  /** Removes the token's subscription, if it has one. */
  unsubscribe(tokenId: string): Promise<void> {
    return this.deps.subscriptions.deleteByToken(tokenId);
  }

  /** Queues a message to each of the recipient's subscriptions that wants this notification. */
  async fanOut(notificationId: string, accountId: string): Promise<void> {
    const subscriptions = await this.deps.subscriptions.ofAccount(accountId);
    if (subscriptions.length === 0) return;
    const notification = await this.deps.notifications.render(notificationId, accountId);
    if (!notification) return;
    const jobs: PushJob[] = [];
    for (const subscription of subscriptions) {
      if (await this.wants(subscription, notification)) jobs.push({ subscriptionId: subscription._id, notificationId });
    }
    await this.deps.queue.enqueue(jobs);
  }

  /** Sends one message. Throws to have it retried; UnrecoverableError when trying again cannot help. */
  async deliver(job: PushJob): Promise<void> {
    const { subscriptions, keys: keysStore, log } = this.deps;
    const subscription = await subscriptions.find(job.subscriptionId);
    if (!subscription) return;
    const keys = await keysStore.keys();
    // A revoked or expired token (or session) takes its subscription with it (Mastodon deletes them together).
    const secret = unsealToken(subscription.sealedSecret, keys.tokenSealKey);
    const caller = secret === null ? null : await this.deps.credentials[subscription.credential](secret);
    if (secret === null || !caller || caller.account?._id !== subscription.accountId) {
      await subscriptions.delete(subscription._id);
      return;
    }
    // Rendered now, so a notification whose status went away in the meantime is not pushed.
    const notification = await this.deps.notifications.render(job.notificationId, subscription.accountId);
    if (!notification) return;
    // A session's secret is an HttpOnly cookie's and stays out of the message; the web app's worker has the cookie.
    const payload = toPushPayload(notification, subscription.accountId, subscription.credential === 'token' ? secret : '');
    const request = webPush.generateRequestDetails(
      { endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } },
      JSON.stringify(payload),
      {
        vapidDetails: { subject: this.deps.vapidSubject, publicKey: keys.vapidPublicKey, privateKey: keys.vapidPrivateKey },
        TTL: TTL_SECONDS,
        // Mentions (direct messages and replies among them) are conversations: delivered at once even to a
        // device saving battery.
        urgency: notification.type === 'mention' ? 'high' : 'normal',
        contentEncoding: 'aes128gcm',
      },
    );
    let status: number;
    try {
      ({ status } = await sendPush(request, this.deps.rules));
    } catch (error) {
      if (error instanceof PushRefused) {
        log.warn({ subscription: subscription._id, reason: error.message }, 'push endpoint refused');
        throw new UnrecoverableError(error.message);
      }
      throw error;
    }
    if (status >= 200 && status < 300) return;
    if (isGone(status)) {
      await subscriptions.delete(subscription._id);
      return;
    }
    if (isTransient(status)) throw new Error(`push service answered ${status}`);
    // Any other refusal (a malformed or oversized message) will not change by sending it again.
    throw new UnrecoverableError(`push service refused the message: ${status}`);
  }

  /** Starts sending queued messages in this process. */
  start(): void {
    this.deps.queue.start((job) => this.deliver(job));
  }

  /** Resolves once every queued message is sent or given up (tests, shutdown). */
  idle(): Promise<void> {
    return this.deps.queue.idle();
  }

  close(): Promise<void> {
    return this.deps.queue.close();
  }

  /** Mastodon's Web::PushSubscription#pushable?: the alert for its type is on and the policy lets the sender through. */
  private async wants(subscription: PushSubscriptionRecord, notification: NotificationEntity): Promise<boolean> {
    if (!subscription.alerts[notification.type as PushAlert]) return false;
    const recipientId = subscription.accountId;
    const senderId = notification.account.id;
    switch (subscription.policy) {
      case 'all':
        return true;
      case 'none':
        return false;
      case 'followed':
        return this.deps.follows.isFollowing(recipientId, senderId);
      case 'follower':
        return this.deps.follows.isFollowing(senderId, recipientId);
    }
  }
}

// Turns domain events into streaming events: which streams hear about a status or notification,
// and serialized how. Runs in the event handlers (any process); delivery happens in the serving
// processes through Redis pub/sub.
//
// Serialization: public and hashtag streams get one rendering without a viewer (no favourited,
// bookmarked … fields, as Mastodon's anonymous payload), shared by every subscriber. "user" streams
// get a rendering per recipient, as Mastodon's PushUpdateWorker does, because a boosted or edited
// status carries the recipient's own favourited/reblogged/bookmarked state. To keep that cheap, only
// recipients with an open stream somewhere are rendered for: one PUBSUB NUMSUB asks Redis which of
// the home channels have subscribers across all processes (Mastodon checks its "subscribed:" keys).
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { StatusRecord } from '../statuses/status-record.ts';
import type { StatusesService } from '../statuses/statuses.service.ts';
import { redisChannel, streamChannels, type ChannelMessage, type StreamEventName, type StreamPublisher } from './publisher.ts';

/** Renders a notification as its recipient sees it (Mastodon's Notification entity), or null when it is gone. */
export type NotificationRenderer = (notificationId: string, accountId: string) => Promise<object | null>;

export interface StreamingDeps {
  publisher: StreamPublisher;
  statuses: Pick<StatusesService, 'getIncludingDeleted' | 'serializeMany'>;
  /** Unprefixed connection: PUBSUB NUMSUB takes full channel names. */
  redis: Redis;
  redisPrefix: string;
  log: FastifyBaseLogger;
  renderNotification: NotificationRenderer | null;
}

// Public timelines carry what every account of this instance may read (every streaming client is
// one): public statuses and department-only ("local") ones, never boosts.
const BROADCAST_VISIBILITIES = new Set<StatusRecord['visibility']>(['public', 'local']);
// Renderings for one event run this many at a time.
const RENDER_CONCURRENCY = 8;
// Channels per PUBSUB NUMSUB command.
const NUMSUB_BATCH = 500;

/** Publishes status and notification events to the streams that should hear about them. */
export class StreamingService {
  private readonly deps: StreamingDeps;

  constructor(deps: StreamingDeps) {
    this.deps = deps;
  }

  /** Whether a status goes to the public and hashtag streams. */
  static isBroadcast(status: StatusRecord): boolean {
    return status.reblogOfId === null && BROADCAST_VISIBILITIES.has(status.visibility);
  }

  /**
   * Sends a status to the "user" streams of the accounts whose home timeline it entered ('update'),
   * or was edited in ('status.update'), rendered for each of them. Accounts without an open stream
   * cost nothing but one PUBSUB NUMSUB for all of them.
   */
  async pushToHomes(statusId: string, accountIds: readonly string[], event: 'update' | 'status.update' = 'update'): Promise<void> {
    const online = await this.withOpenStreams([...new Set(accountIds)]);
    if (online.length === 0) return;
    const status = (await this.deps.statuses.getIncludingDeleted([statusId])).get(statusId);
    if (!status || status.deletedAt) return;
    const messages: ChannelMessage[] = [];
    await inBatches(online, RENDER_CONCURRENCY, async (accountId) => {
      // The fan-out decided these accounts may see it; the viewer only shapes their own flags.
      const [entity] = await this.deps.statuses.serializeMany([status], { _id: accountId, domain: null });
      if (entity) messages.push({ channel: streamChannels.home(accountId), event, payload: JSON.stringify(entity) });
    });
    await this.deps.publisher.publishMany(messages);
  }

  /** Tells the "user" streams of these accounts that a status is gone from their home timeline. */
  async deleteFromHomes(statusId: string, accountIds: readonly string[]): Promise<void> {
    await this.deps.publisher.publishToHomes(accountIds, 'delete', statusId);
  }

  /** Sends a new status to the public, public:local and hashtag streams it belongs on (status.created). */
  async broadcastCreated(statusId: string): Promise<void> {
    const status = await this.live(statusId);
    if (!status || !StreamingService.isBroadcast(status)) return;
    const [entity] = await this.deps.statuses.serializeMany([status], null);
    if (entity) await this.broadcast(status, 'update', JSON.stringify(entity));
  }

  /** Sends an edited status to the public and hashtag streams as 'status.update' (status.updated). */
  async broadcastUpdated(statusId: string): Promise<void> {
    const status = await this.live(statusId);
    if (!status || !StreamingService.isBroadcast(status)) return;
    const [entity] = await this.deps.statuses.serializeMany([status], null);
    if (entity) await this.broadcast(status, 'status.update', JSON.stringify(entity));
  }

  /** Sends 'delete' to the public and hashtag streams that carried the status (status.deleted). */
  async broadcastDeleted(statusId: string): Promise<void> {
    const status = (await this.deps.statuses.getIncludingDeleted([statusId])).get(statusId);
    if (!status || !StreamingService.isBroadcast(status)) return;
    await this.broadcast(status, 'delete', status._id);
  }

  /** Sends a notification to its recipient's "user" and "user:notification" streams (notification.created). */
  async pushNotification(notificationId: string, accountId: string): Promise<void> {
    if (!this.deps.renderNotification) return;
    const [online] = await this.withOpenStreams([accountId], streamChannels.notifications);
    if (!online) return;
    const entity = await this.deps.renderNotification(notificationId, accountId);
    if (entity) await this.deps.publisher.publish(streamChannels.notifications(accountId), 'notification', JSON.stringify(entity));
  }

  private async live(statusId: string): Promise<StatusRecord | null> {
    const status = (await this.deps.statuses.getIncludingDeleted([statusId])).get(statusId);
    return status && !status.deletedAt ? status : null;
  }

  // Mastodon leaves replies to other people out of the public timelines, but not out of hashtags.
  private async broadcast(status: StatusRecord, event: StreamEventName, payload: string): Promise<void> {
    const local = status.uri === null;
    const replyToOther = status.inReplyToId !== null && status.inReplyToAccountId !== status.accountId;
    const channels: string[] = [];
    if (!replyToOther) {
      channels.push(streamChannels.public);
      if (local) channels.push(streamChannels.publicLocal);
    }
    for (const tag of status.tags) {
      channels.push(streamChannels.hashtag(tag));
      if (local) channels.push(streamChannels.hashtag(tag, true));
    }
    await this.deps.publisher.publishMany(channels.map((channel) => ({ channel, event, payload })));
  }

  /** The accounts whose channel has a subscriber in any process of this instance (one round trip). */
  private async withOpenStreams(accountIds: readonly string[], channelOf: (id: string) => string = streamChannels.home): Promise<string[]> {
    if (accountIds.length === 0) return [];
    const pipeline = this.deps.redis.pipeline();
    for (let i = 0; i < accountIds.length; i += NUMSUB_BATCH) {
      const channels = accountIds.slice(i, i + NUMSUB_BATCH).map((id) => redisChannel(this.deps.redisPrefix, channelOf(id)));
      pipeline.call('PUBSUB', 'NUMSUB', ...channels);
    }
    const counts: number[] = [];
    for (const [error, reply] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      const pairs = reply as (string | number)[];
      for (let i = 1; i < pairs.length; i += 2) counts.push(Number(pairs[i]));
    }
    return accountIds.filter((_, i) => (counts[i] ?? 0) > 0);
  }
}

async function inBatches<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

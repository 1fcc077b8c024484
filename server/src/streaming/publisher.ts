// The publishing half of streaming: any process (API, worker) publishes events on Redis pub/sub
// channels, and every serving process fans them out to its own sockets (stream-hub.ts). Channels
// follow Mastodon's streaming server: one per home timeline, one per account's notifications, one
// per public timeline and one per hashtag. Messages carry the payload as a JSON-encoded string,
// exactly what clients receive, so a process that delivers it never parses or re-serializes it.
import type { Redis } from 'ioredis';
import { normalizeTag } from '../statuses/hashtag-names.ts';

/** Mastodon's streaming event names. */
export type StreamEventName = 'update' | 'notification' | 'delete' | 'status.update';

/** A message on a channel: the event and its payload as clients receive it (a JSON string, or an id for delete). */
export interface StreamMessage {
  event: StreamEventName;
  payload: string;
}

/** One message for one channel, for publishMany. */
export interface ChannelMessage extends StreamMessage {
  channel: string;
}

/** Channel keys (before the instance prefix), one per audience. */
export const streamChannels = {
  /** The home timeline of an account: 'update', 'delete', 'status.update' (the "user" stream). */
  home: (accountId: string) => `timeline:${accountId}`,
  /** An account's notifications (the "user" and "user:notification" streams). */
  notifications: (accountId: string) => `timeline:${accountId}:notifications`,
  /** Public statuses of every origin (the "public" stream). */
  public: 'timeline:public',
  /** Public statuses of this instance's accounts (the "public:local" stream). */
  publicLocal: 'timeline:public:local',
  /** Public statuses with a hashtag (the "hashtag" stream); local: of this instance's accounts only. */
  hashtag: (tag: string, local = false) => `timeline:hashtag:${normalizeTag(tag)}${local ? ':local' : ''}`,
} as const;

/** The Redis channel of a key for one instance: several instances may share one Redis. */
export function redisChannel(redisPrefix: string, key: string): string {
  return `${redisPrefix}stream:${key}`;
}

/** Publishes streaming events on Redis pub/sub, for every process of this instance to deliver. */
export class StreamPublisher {
  private readonly redis: Redis;
  private readonly redisPrefix: string;

  /** `redis` must be an unprefixed connection (ioredis does not prefix channel names anyway). */
  constructor(redis: Redis, redisPrefix: string) {
    this.redis = redis;
    this.redisPrefix = redisPrefix;
  }

  /**
   * Publishes one event to one channel key (see streamChannels). `payload` is the entity as a JSON
   * string (serialize with JSON.stringify once), or the status id for 'delete'.
   */
  async publish(channel: string, event: StreamEventName, payload: string): Promise<void> {
    await this.redis.publish(redisChannel(this.redisPrefix, channel), JSON.stringify({ event, payload } satisfies StreamMessage));
  }

  /** Publishes many messages in one pipeline (one round trip): for fan-out to many home timelines. */
  async publishMany(messages: readonly ChannelMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const m of messages) {
      pipeline.publish(redisChannel(this.redisPrefix, m.channel), JSON.stringify({ event: m.event, payload: m.payload } satisfies StreamMessage));
    }
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0];
  }

  /** Sends the same event to the home timelines ("user" streams) of several accounts. */
  publishToHomes(accountIds: readonly string[], event: StreamEventName, payload: string): Promise<void> {
    return this.publishMany([...new Set(accountIds)].map((id) => ({ channel: streamChannels.home(id), event, payload })));
  }
}

// The receiving half of streaming: ONE Redis subscriber connection per process, subscribed to the
// channels that this process's sockets need (reference-counted, like Mastodon's streaming server),
// fanning each message out to the local listeners. Never one Redis connection per client.
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import { createRedisConnection } from '../infra/redis.ts';
import { redisChannel, type StreamEventName, type StreamMessage } from './publisher.ts';

export type StreamListener = (message: StreamMessage) => void;

const EVENTS: ReadonlySet<string> = new Set<StreamEventName>(['update', 'notification', 'delete', 'status.update']);

/** Fans Redis pub/sub messages out to this process's stream listeners. */
export class StreamHub {
  private readonly redisUrl: string;
  private readonly redisPrefix: string;
  private readonly log: FastifyBaseLogger;
  private subscriber: Redis | null = null;
  /** Full Redis channel name → listeners. */
  private readonly listeners = new Map<string, Set<StreamListener>>();
  /** SUBSCRIBE commands sent and not yet confirmed, by channel. */
  private readonly pending = new Map<string, Promise<unknown>>();
  private closed = false;

  constructor(redisUrl: string, redisPrefix: string, log: FastifyBaseLogger) {
    this.redisUrl = redisUrl;
    this.redisPrefix = redisPrefix;
    this.log = log;
  }

  /**
   * Adds a listener to a channel key (see streamChannels). Resolves once Redis confirmed the
   * subscription, so events published afterwards reach the listener. Returns the function that
   * removes it again.
   */
  async subscribe(key: string, listener: StreamListener): Promise<() => void> {
    if (this.closed) throw new Error('stream hub is closed');
    const channel = redisChannel(this.redisPrefix, key);
    let set = this.listeners.get(channel);
    const first = !set;
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    let removed = false;
    const remove = () => {
      if (removed) return;
      removed = true;
      this.remove(channel, listener);
    };
    // ioredis keeps commands in order, so a SUBSCRIBE after an UNSUBSCRIBE of the same channel is safe.
    // A listener joining a channel whose SUBSCRIBE is still on its way waits for the same reply.
    try {
      if (first) {
        const confirmed = this.connection().subscribe(channel);
        this.pending.set(channel, confirmed);
        try {
          await confirmed;
        } finally {
          if (this.pending.get(channel) === confirmed) this.pending.delete(channel);
        }
      } else {
        await this.pending.get(channel);
      }
    } catch (error) {
      remove();
      throw error;
    }
    return remove;
  }

  /** How many channels this process listens to (for tests and metrics). */
  get channelCount(): number {
    return this.listeners.size;
  }

  /** Drops every listener and closes the subscriber connection. */
  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    const subscriber = this.subscriber;
    this.subscriber = null;
    if (subscriber) {
      await subscriber.quit().catch(() => subscriber.disconnect());
    }
  }

  private remove(channel: string, listener: StreamListener): void {
    const set = this.listeners.get(channel);
    if (!set) return;
    set.delete(listener);
    if (set.size > 0) return;
    this.listeners.delete(channel);
    if (this.subscriber && !this.closed) {
      this.subscriber.unsubscribe(channel).catch((error: unknown) => this.log.warn({ err: error, channel }, 'stream unsubscribe failed'));
    }
  }

  private connection(): Redis {
    if (this.subscriber) return this.subscriber;
    const subscriber = createRedisConnection(this.redisUrl);
    // ioredis re-subscribes every channel after a reconnect by itself (autoResubscribe).
    subscriber.on('error', (error: Error) => this.log.warn({ err: error }, 'stream subscriber connection error'));
    subscriber.on('message', (channel: string, text: string) => this.deliver(channel, text));
    this.subscriber = subscriber;
    return subscriber;
  }

  private deliver(channel: string, text: string): void {
    const set = this.listeners.get(channel);
    if (!set) return;
    let message: StreamMessage;
    try {
      const parsed = JSON.parse(text) as Partial<StreamMessage>;
      if (typeof parsed.event !== 'string' || !EVENTS.has(parsed.event) || typeof parsed.payload !== 'string') throw new Error('bad shape');
      message = { event: parsed.event, payload: parsed.payload };
    } catch {
      this.log.warn({ channel }, 'ignored a malformed stream message');
      return;
    }
    for (const listener of [...set]) {
      try {
        listener(message);
      } catch (error) {
        this.log.warn({ err: error, channel }, 'stream listener failed');
      }
    }
  }
}

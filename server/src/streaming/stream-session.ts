// One client connection's subscriptions, shared by the WebSocket and the SSE transports.
import type { AuthContext } from '../plugins/auth.ts';
import type { StreamMessage } from './publisher.ts';
import type { StreamHub } from './stream-hub.ts';
import { resolveStream, StreamError } from './streams.ts';

/** An event as a transport sends it: Mastodon's {"stream": [...], "event": ..., "payload": "<string>"}. */
export interface StreamFrame extends StreamMessage {
  stream: string[];
}

// Enough for every stream a client shows at once; stops one socket from subscribing the process to thousands of channels.
const MAX_SUBSCRIPTIONS = 50;

/** The subscriptions of one streaming connection. */
export class StreamSession {
  private readonly hub: StreamHub;
  private readonly auth: AuthContext;
  private readonly send: (frame: StreamFrame) => void;
  /** Subscription key → functions that detach it from the hub. */
  private readonly subscriptions = new Map<string, (() => void)[]>();
  private closed = false;

  constructor(hub: StreamHub, auth: AuthContext, send: (frame: StreamFrame) => void) {
    this.hub = hub;
    this.auth = auth;
    this.send = send;
  }

  /** Subscribes to a stream; throws StreamError when the name, tag or scope is wrong. Subscribing twice is a no-op. */
  async subscribe(name: unknown, params: { tag?: unknown }): Promise<void> {
    const stream = resolveStream(name, params, this.auth);
    if (this.closed || this.subscriptions.has(stream.key)) return;
    if (this.subscriptions.size >= MAX_SUBSCRIPTIONS) throw new StreamError(400, 'Too many subscriptions');
    const removers: (() => void)[] = [];
    this.subscriptions.set(stream.key, removers);
    const listener = (message: StreamMessage) => {
      if (!this.closed) this.send({ stream: stream.label, event: message.event, payload: message.payload });
    };
    try {
      for (const channel of stream.channels) removers.push(await this.hub.subscribe(channel, listener));
    } catch (error) {
      this.detach(stream.key);
      throw error;
    }
    // Closed or unsubscribed while Redis was confirming: undo.
    if (this.closed || this.subscriptions.get(stream.key) !== removers) removers.forEach((remove) => remove());
  }

  /** Ends a subscription; unknown ones are ignored, as Mastodon does. */
  unsubscribe(name: unknown, params: { tag?: unknown }): void {
    this.detach(resolveStream(name, params, this.auth).key);
  }

  /** Ends every subscription of the connection. */
  close(): void {
    this.closed = true;
    for (const key of [...this.subscriptions.keys()]) this.detach(key);
  }

  private detach(key: string): void {
    const removers = this.subscriptions.get(key);
    if (!removers) return;
    this.subscriptions.delete(key);
    removers.forEach((remove) => remove());
  }
}

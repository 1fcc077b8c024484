// Real streaming clients for tests: Node's global WebSocket and fetch-streamed server-sent events,
// collecting what arrives so a test can wait for the message it expects (whatever else comes first).
import { Redis } from 'ioredis';
import { redisChannel } from './publisher.ts';

/** A message as Mastodon's streaming API sends it over a WebSocket (payload parsed where it is JSON). */
export interface ReceivedEvent {
  stream?: string[];
  event?: string;
  /** The raw payload string. */
  payload?: string;
  error?: string;
  status?: number;
}

type Predicate<T> = (item: T) => boolean;

/** Keeps arrivals and hands each to the first waiter it satisfies. */
class Inbox<T> {
  private readonly items: T[] = [];
  private readonly waiters: { match: Predicate<T>; resolve: (item: T) => void }[] = [];
  private closedWith: Error | null = null;

  push(item: T): void {
    const waiter = this.waiters.findIndex((w) => w.match(item));
    if (waiter >= 0) this.waiters.splice(waiter, 1)[0]!.resolve(item);
    else this.items.push(item);
  }

  close(error: Error): void {
    this.closedWith = error;
  }

  next(match: Predicate<T> = () => true): Promise<T> {
    const at = this.items.findIndex(match);
    if (at >= 0) return Promise.resolve(this.items.splice(at, 1)[0]!);
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  /** Everything received and not taken yet. */
  pending(): T[] {
    return [...this.items];
  }
}

/** A WebSocket client of /api/v1/streaming. */
export class StreamSocketClient {
  readonly socket: WebSocket;
  private readonly inbox = new Inbox<ReceivedEvent>();
  readonly closed: Promise<number>;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.addEventListener('message', (event) => this.inbox.push(JSON.parse(String(event.data)) as ReceivedEvent));
    this.closed = new Promise((resolve) => socket.addEventListener('close', (event) => resolve(event.code)));
  }

  /** Opens a socket; `query` goes in the URL (stream, tag, access_token), `init` into the WebSocket constructor. */
  static async open(baseUrl: string, query: Record<string, string>, init: { headers?: Record<string, string>; protocols?: string[] } = {}): Promise<StreamSocketClient> {
    const url = `${baseUrl.replace(/^http/, 'ws')}/api/v1/streaming?${new URLSearchParams(query)}`;
    const socket = new WebSocket(url, init as unknown as string[]);
    const client = new StreamSocketClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('error', () => reject(new Error('WebSocket did not open')), { once: true });
    });
    return client;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next message matching, waiting for it if needed. */
  next(match: Predicate<ReceivedEvent> = () => true): Promise<ReceivedEvent> {
    return this.inbox.next(match);
  }

  /** The next event of a kind whose payload (parsed JSON, or the raw string for delete) matches. */
  nextEvent(event: string, match: Predicate<any> = () => true): Promise<ReceivedEvent & { data: any }> {
    return this.next((m) => m.event === event && match(parsePayload(m))).then((m) => ({ ...m, data: parsePayload(m) }));
  }

  pending(): ReceivedEvent[] {
    return this.inbox.pending();
  }

  close(): void {
    this.socket.close();
  }
}

function parsePayload(message: ReceivedEvent): any {
  if (message.event === 'delete') return message.payload;
  return typeof message.payload === 'string' ? JSON.parse(message.payload) : message.payload;
}

/** One server-sent event. */
export interface ServerSentEvent {
  event: string;
  data: string;
}

/** A fetch-streamed client of an SSE endpoint (/api/v1/streaming/...). */
export class SseClient {
  readonly response: Response;
  private readonly inbox = new Inbox<ServerSentEvent>();
  private readonly abort: AbortController;
  /** Comment lines received (":)" first, then heartbeats). */
  readonly comments: string[] = [];

  private constructor(response: Response, abort: AbortController) {
    this.response = response;
    this.abort = abort;
    void this.read();
  }

  static async open(url: string, token: string): Promise<SseClient> {
    const abort = new AbortController();
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
    return new SseClient(response, abort);
  }

  next(match: Predicate<ServerSentEvent> = () => true): Promise<ServerSentEvent> {
    return this.inbox.next(match);
  }

  close(): void {
    this.abort.abort();
  }

  private async read(): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of this.response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) this.comments.push(line);
            else {
              const colon = line.indexOf(':');
              fields[line.slice(0, colon)] = line.slice(colon + 1).replace(/^ /, '');
            }
          }
          if (fields.event !== undefined) this.inbox.push({ event: fields.event, data: fields.data ?? '' });
        }
      }
      this.inbox.close(new Error('event stream ended'));
    } catch (error) {
      this.inbox.close(error as Error);
    }
  }
}

/**
 * Waits until some process of the instance has subscribed to a channel key (PUBSUB NUMSUB), so an
 * event published afterwards is delivered. Mastodon's protocol has no acknowledgement of subscribe.
 */
export async function waitForSubscribers(redisUrl: string, redisPrefix: string, key: string, atLeast = 1): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    for (;;) {
      const reply = (await redis.call('PUBSUB', 'NUMSUB', redisChannel(redisPrefix, key))) as (string | number)[];
      if (Number(reply[1]) >= atLeast) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    redis.disconnect();
  }
}

/** Waits until no process of the instance listens on a channel key any more. */
export async function waitForNoSubscribers(redisUrl: string, redisPrefix: string, key: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    for (;;) {
      const reply = (await redis.call('PUBSUB', 'NUMSUB', redisChannel(redisPrefix, key))) as (string | number)[];
      if (Number(reply[1]) === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    redis.disconnect();
  }
}

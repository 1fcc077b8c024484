import { Queue, Worker, type Job, type MinimalJob } from 'bullmq';
import type { Redis } from 'ioredis';
import type { MessageQueue, MessageQueueEnqueueOptions, MessageQueueListenOptions, MessageQueueDepth } from '@fedify/fedify';
import { durationMs } from '../kv/redis-kv-store.ts';

/** How long a message is retried before it is given up on (and becomes a dead letter). */
export const RETRY_WINDOW_MS = 72 * 60 * 60 * 1000;
const MAX_BACKOFF_MS = 6 * 60 * 60 * 1000;
const BASE_BACKOFF_MS = 1000;

interface QueuedMessage {
  /** Fedify's message, opaque except for the fields dead-lettering reads. */
  message: unknown;
  /** When the retry clock started (ms); admin retry resets it, since `retry()` keeps `job.timestamp`. */
  since: number;
}

/** What a given-up job reports; never the payload, which holds private keys as JWK. */
export interface DeadLetter {
  activityId: string | null;
  inbox: string;
  host: string;
  reason: string;
  jobId: string;
}

/**
 * BullMQ's backoff for Fedify messages: exponential with full jitter, capped at 6 h, and -1 (fail
 * without retry) once 72 h have passed since `job.data.since`.
 */
export function backoffStrategy(attemptsMade: number, _type?: string, _err?: Error, job?: MinimalJob): number {
  const since = (job?.data as QueuedMessage | undefined)?.since ?? Date.now();
  if (Date.now() - since >= RETRY_WINDOW_MS) return -1;
  const ceiling = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.min(attemptsMade, 30));
  return Math.floor(Math.random() * ceiling) + 1;
}

export interface BullMqMessageQueueOptions {
  /** Unprefixed Redis connection (BullMQ namespaces keys itself); workers use duplicates of it. */
  connection: Redis;
  /** BullMQ prefix, the EventBus's: `${redisPrefix}bull`. */
  prefix: string;
  /** Queue name: `fedify-inbox`, `fedify-outbox` or `fedify-fanout`. */
  name: string;
  /** Jobs run at once in this process. */
  concurrency?: number;
  /** Called once per job given up on (72 h passed, or Fedify declared it unrecoverable). */
  onDeadLetter?: (letter: DeadLetter) => Promise<void> | void;
}

/**
 * Fedify's MessageQueue on BullMQ. `nativeRetrial` is true: Fedify rethrows a failed handler and
 * BullMQ retries it with `backoffStrategy` until the 72 h cut-off; the failed job is the dead letter.
 */
export class BullMqMessageQueue implements MessageQueue {
  readonly nativeRetrial = true;
  private readonly options: BullMqMessageQueueOptions;
  private readonly queue: Queue<QueuedMessage>;

  constructor(options: BullMqMessageQueueOptions) {
    this.options = options;
    this.queue = new Queue<QueuedMessage>(options.name, { connection: options.connection, prefix: options.prefix });
  }

  async enqueue(message: unknown, options?: MessageQueueEnqueueOptions): Promise<void> {
    await this.queue.add(jobName(message), { message, since: Date.now() }, jobOptions(options));
  }

  async enqueueMany(messages: readonly unknown[], options?: MessageQueueEnqueueOptions): Promise<void> {
    const since = Date.now();
    await this.queue.addBulk(messages.map((message) => ({ name: jobName(message), data: { message, since }, opts: jobOptions(options) })));
  }

  /** Runs a worker until `signal` aborts; resolves once the jobs it was running have finished. */
  async listen(handler: (message: any) => Promise<void> | void, options?: MessageQueueListenOptions): Promise<void> {
    const connection = this.options.connection.duplicate();
    const worker = new Worker<QueuedMessage>(this.options.name, async (job) => handler(job.data.message), {
      connection,
      prefix: this.options.prefix,
      concurrency: this.options.concurrency ?? 8,
      lockDuration: 30_000,
      maxStalledCount: 5,
      settings: { backoffStrategy },
    });
    worker.on('failed', (job, error) => {
      if (!job || !this.options.onDeadLetter) return;
      void (async () => {
        if ((await job.getState()) !== 'failed') return;
        await this.options.onDeadLetter?.(deadLetterOf(job, error));
      })().catch(() => {});
    });
    worker.on('error', () => {});
    await new Promise<void>((resolve) => {
      if (options?.signal?.aborted) resolve();
      else options?.signal?.addEventListener('abort', () => resolve(), { once: true });
    });
    await worker.close();
    await connection.quit().catch(() => connection.disconnect());
  }

  async getDepth(): Promise<MessageQueueDepth> {
    const counts = await this.queue.getJobCounts('waiting', 'delayed', 'prioritized');
    const ready = (counts.waiting ?? 0) + (counts.prioritized ?? 0);
    return { queued: ready + (counts.delayed ?? 0), ready, delayed: counts.delayed ?? 0 };
  }

  /** Resolves once nothing is waiting or running (delayed retries excluded): for tests and shutdown. */
  async idle(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const counts = await this.queue.getJobCounts('waiting', 'active', 'prioritized');
      if (Object.values(counts).every((n) => n === 0)) return;
      if (Date.now() > deadline) throw new Error(`${this.options.name} still busy after ${timeoutMs} ms: ${JSON.stringify(counts)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

function jobName(message: unknown): string {
  const m = message as { type?: unknown; inbox?: unknown };
  if (m?.type === 'outbox' && typeof m.inbox === 'string') {
    try {
      return `outbox:${new URL(m.inbox).host}`;
    } catch {
      return 'outbox';
    }
  }
  return typeof m?.type === 'string' ? m.type : 'message';
}

function jobOptions(options?: MessageQueueEnqueueOptions) {
  return {
    delay: options?.delay ? durationMs(options.delay) : undefined,
    attempts: 10_000,
    backoff: { type: 'kith' },
    removeOnComplete: true,
    removeOnFail: false,
  };
}

function deadLetterOf(job: Job<QueuedMessage>, error: Error): DeadLetter {
  const m = job.data.message as { type?: unknown; inbox?: unknown; activityId?: unknown; id?: unknown };
  const inbox = typeof m?.inbox === 'string' ? m.inbox : '';
  let host = '';
  try {
    host = inbox ? new URL(inbox).host : '';
  } catch {
    host = '';
  }
  return {
    activityId: typeof m?.activityId === 'string' ? m.activityId : null,
    inbox,
    host,
    reason: error?.message ?? 'failed',
    jobId: job.id ?? '',
  };
}

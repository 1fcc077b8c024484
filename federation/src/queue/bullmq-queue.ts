import { AsyncLocalStorage } from 'node:async_hooks';
import { DelayedError, Queue, UnrecoverableError, Worker, type Job, type MinimalJob } from 'bullmq';
import type { Redis } from 'ioredis';
import type { MessageQueue, MessageQueueEnqueueOptions, MessageQueueListenOptions, MessageQueueDepth } from '@fedify/fedify';
import { isOutboundRefusal } from '../net/outbound-guard.ts';
import { durationMs } from '../kv/redis-kv-store.ts';
import { deliveryHost, deliveryInbox, messageActivityId } from '../delivery/outbox-message.ts';
import type { HostSlots } from '../delivery/host-slots.ts';

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
  /** The failed BullMQ job, kept (with its message) so that an admin can retry it; '' when there is none. */
  jobId: string;
  /** The queue that job is in (`fedify-outbox`, `fedify-inbox`, `fedify-fanout`). */
  queue: string;
}

/** Re-delay of a job whose host has all its slots taken: short, jittered, so waiting holds no worker slot. */
const SATURATED_DELAY_MS = 250;

/** Set while a job's handler runs; Fedify's permanent-failure handler marks the job dead through it. */
const runningJob = new AsyncLocalStorage<{ deadReason: string | null }>();

/**
 * Fails the job being handled for good once its handler returns, instead of completing it: Fedify
 * gives up on some deliveries itself (404/410, a circuit hold past its TTL) and returns normally, and
 * a kept failed job is what an admin retries. False outside a job (then record the letter yourself).
 */
export function markRunningJobDead(reason: string): boolean {
  const job = runningJob.getStore();
  if (!job) return false;
  job.deadReason = reason;
  return true;
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
  /** The per-host cap on outbox deliveries; a job whose host is saturated is re-delayed, not awaited. */
  hostSlots?: HostSlots;
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
    const worker = new Worker<QueuedMessage>(this.options.name, (job, token) => this.process(job, token, handler), {
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
        await this.options.onDeadLetter?.(deadLetterOf(job, error, this.options.name));
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

  /** Runs one job: within its host's cap (or re-delayed), failing it for good when Fedify gave up on it. */
  private async process(job: Job<QueuedMessage>, token: string | undefined, handler: (message: any) => Promise<void> | void): Promise<void> {
    const host = this.options.hostSlots ? deliveryHost(job.data.message) : null;
    const slot = host && job.id ? await this.options.hostSlots!.take(host, job.id) : null;
    if (host && job.id && !slot) {
      await job.moveToDelayed(Date.now() + SATURATED_DELAY_MS + Math.floor(Math.random() * SATURATED_DELAY_MS), token);
      throw new DelayedError();
    }
    const state = { deadReason: null as string | null };
    try {
      await runningJob.run(state, () => handler(job.data.message));
    } catch (error) {
      // The outbound guard's refusal does not change on retry (a redirect or an address the rules refuse):
      // give up at once, as a dead letter, instead of retrying for 72 hours.
      if (isOutboundRefusal(error)) throw new UnrecoverableError(`outbound refused: ${(error as Error).message}`);
      throw error;
    } finally {
      await slot?.release();
    }
    if (state.deadReason !== null) throw new UnrecoverableError(state.deadReason);
  }

  /** Makes the delayed jobs `name` selects due now (held or backed-off deliveries to a host that is back); returns how many. */
  async promoteDelayed(select: (jobName: string) => boolean): Promise<number> {
    const page = 500;
    const chosen: Job<QueuedMessage>[] = [];
    for (let start = 0; ; start += page) {
      const jobs = await this.queue.getDelayed(start, start + page - 1);
      chosen.push(...jobs.filter((job) => select(job.name)));
      if (jobs.length < page) break;
    }
    let promoted = 0;
    // A job taken or promoted meanwhile is no longer delayed: nothing to do for it.
    for (const job of chosen) if (await job.promote().then(() => true, () => false)) promoted++;
    return promoted;
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
      // Jobs re-delayed for a saturated host are still to run, unlike retries waiting out a backoff.
      counts.saturated = (await this.options.hostSlots?.waitingCount()) ?? 0;
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

function deadLetterOf(job: Job<QueuedMessage>, error: Error, queue: string): DeadLetter {
  const inbox = deliveryInbox(job.data.message);
  return {
    activityId: messageActivityId(job.data.message),
    inbox: inbox?.href ?? '',
    host: inbox?.host ?? '',
    reason: error?.message ?? 'failed',
    jobId: job.id ?? '',
    queue,
  };
}

// One BullMQ job per (subscription, notification): a slow or failing push service delays only its own
// messages, and a failure is retried with backoff by whichever process of the instance runs jobs.
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';

export interface PushJob {
  subscriptionId: string;
  notificationId: string;
}

/** The BullMQ queue's name (under the instance's `<prefix>bull` prefix). */
export const PUSH_DELIVERY_QUEUE = 'push-deliveries';

/** Push services are often briefly unavailable; ten tries over about three hours, then the message is dropped. */
const JOB_OPTIONS = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 10_000 },
  removeOnComplete: true,
  removeOnFail: 1000,
} as const;

export class PushDeliveryQueue {
  private readonly queue: Queue<PushJob>;
  private readonly connection: Redis;
  private readonly prefix: string;
  private readonly log: FastifyBaseLogger;
  private worker: Worker<PushJob> | null = null;
  private workerConnection: Redis | null = null;

  constructor(connection: Redis, prefix: string, log: FastifyBaseLogger) {
    this.connection = connection;
    this.prefix = prefix;
    this.log = log;
    this.queue = new Queue<PushJob>(PUSH_DELIVERY_QUEUE, { connection, prefix });
  }

  /** Queues messages; a job id per pair, so a retried fan-out does not queue one twice while it waits. */
  async enqueue(jobs: readonly PushJob[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.queue.addBulk(jobs.map((data) => ({
      name: 'push',
      data,
      opts: { ...JOB_OPTIONS, jobId: `push-${data.subscriptionId}-${data.notificationId}` },
    })));
  }

  /** Starts sending in this process. */
  start(send: (job: PushJob) => Promise<void>, concurrency = 8): void {
    if (this.worker) return;
    this.worker = new Worker<PushJob>(PUSH_DELIVERY_QUEUE, (job) => send(job.data), {
      // BullMQ leaves a connection it was given open, so close() quits this one itself.
      connection: (this.workerConnection = this.connection.duplicate()),
      prefix: this.prefix,
      concurrency,
    });
    this.worker.on('failed', (job, error) => {
      this.log.warn({ err: error, attempts: job?.attemptsMade }, 'push delivery failed');
    });
  }

  /** Resolves once nothing is waiting, delayed or running (tests, shutdown). */
  async idle(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      if (Object.values(counts).every((n) => n === 0)) return;
      if (Date.now() > deadline) throw new Error(`push deliveries still pending after ${timeoutMs} ms: ${JSON.stringify(counts)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.workerConnection?.quit().catch(() => this.workerConnection?.disconnect());
    await this.queue.close();
  }
}

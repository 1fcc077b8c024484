import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import type { DomainEventName, DomainEvents } from './domain-events.ts';

export type EventHandler<K extends DomainEventName> = (payload: DomainEvents[K]) => Promise<void>;

interface HandlerJob {
  event: DomainEventName;
  handler: string;
  payload: unknown;
}

/** The BullMQ queue's name (under the instance's `<prefix>bull` prefix). */
export const DOMAIN_EVENTS_QUEUE = 'domain-events';

/**
 * Durable domain events on a BullMQ queue. Each (event, handler) pair is its own job, so a handler
 * that fails is retried alone and the others are not run twice. Handlers must be idempotent.
 */
export class EventBus {
  private readonly handlers = new Map<DomainEventName, Map<string, EventHandler<DomainEventName>>>();
  private readonly queue: Queue<HandlerJob>;
  private worker: Worker<HandlerJob> | null = null;
  private workerConnection: Redis | null = null;
  private readonly connection: Redis;
  private readonly prefix: string;
  private readonly log: FastifyBaseLogger;

  constructor(connection: Redis, prefix: string, log: FastifyBaseLogger) {
    this.connection = connection;
    this.prefix = prefix;
    this.log = log;
    this.queue = new Queue<HandlerJob>(DOMAIN_EVENTS_QUEUE, { connection, prefix });
  }

  /** Registers a named handler; the name identifies its jobs, so keep it stable. */
  on<K extends DomainEventName>(event: K, name: string, handler: EventHandler<K>): void {
    let byName = this.handlers.get(event);
    if (!byName) this.handlers.set(event, (byName = new Map()));
    if (byName.has(name)) throw new Error(`handler ${name} for ${event} registered twice`);
    byName.set(name, handler as EventHandler<DomainEventName>);
  }

  /** Queues an event for every handler registered for it. Resolves once the jobs are stored in Redis. */
  async emit<K extends DomainEventName>(event: K, payload: DomainEvents[K]): Promise<void> {
    const names = [...(this.handlers.get(event)?.keys() ?? [])];
    if (names.length === 0) return;
    await this.queue.addBulk(
      names.map((handler) => ({
        name: `${event}:${handler}`,
        data: { event, handler, payload },
        opts: {
          attempts: 8,
          backoff: { type: 'exponential', delay: 500 },
          removeOnComplete: true,
          removeOnFail: 1000,
        },
      })),
    );
  }

  /** Starts processing events in this process. */
  start(concurrency = 8): void {
    if (this.worker) return;
    this.worker = new Worker<HandlerJob>(DOMAIN_EVENTS_QUEUE, (job) => this.run(job), {
      // BullMQ leaves a connection it was given open (it only closes those it made), so close() quits this one.
      connection: (this.workerConnection = this.connection.duplicate()),
      prefix: this.prefix,
      concurrency,
    });
    this.worker.on('failed', (job, error) => {
      this.log.warn({ err: error, job: job?.name, attempts: job?.attemptsMade }, 'event handler failed');
    });
  }

  /** Resolves once nothing is waiting, delayed or running: for tests, benchmarks and shutdown. */
  async idle(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      if (Object.values(counts).every((n) => n === 0)) return;
      if (Date.now() > deadline) throw new Error(`events still pending after ${timeoutMs} ms: ${JSON.stringify(counts)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Stops taking new jobs, lets running ones finish, and closes the queue. */
  async close(): Promise<void> {
    await this.worker?.close();
    await this.workerConnection?.quit().catch(() => this.workerConnection?.disconnect());
    await this.queue.close();
  }

  private async run(job: Job<HandlerJob>): Promise<void> {
    const handler = this.handlers.get(job.data.event)?.get(job.data.handler);
    if (!handler) {
      // A process composed without this handler (a tool, an older version) must not swallow the job:
      // failing it sends it back for a process that has the handler.
      throw new Error(`no handler ${job.data.handler} for ${job.data.event} in this process`);
    }
    await handler(job.data.payload as DomainEvents[DomainEventName]);
  }
}

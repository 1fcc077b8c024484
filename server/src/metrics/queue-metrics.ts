// Depths of the instance's BullMQ queues, read at scrape time (one getJobCounts call per queue).
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { FEDERATION_QUEUES } from '@kith/federation';

export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];
export type QueueCounts = Record<QueueState, number>;

/** The push deliveries' queue name (server/src/push/push-delivery-queue.ts). */
const PUSH_QUEUE = 'push-deliveries';

export interface QueueDepthsDeps {
  /** Unprefixed Redis connection (BullMQ namespaces keys itself); the queues here never block on it. */
  redisConnection: Redis;
  redisPrefix: string;
  /** The domain events' counts (EventBus.counts()). */
  domainEvents: () => Promise<QueueCounts>;
}

/**
 * Reads the job counts of the domain-events, push and federation queues. It opens its own Queue handles
 * (no worker), so it works in API-only processes (RUN_JOBS=false) too, where no worker exists.
 */
export class QueueDepths {
  private readonly queues: Queue[];
  private readonly domainEvents: () => Promise<QueueCounts>;

  constructor(deps: QueueDepthsDeps) {
    this.domainEvents = deps.domainEvents;
    const prefix = `${deps.redisPrefix}bull`;
    this.queues = [PUSH_QUEUE, ...FEDERATION_QUEUES].map((name) => new Queue(name, { connection: deps.redisConnection, prefix }));
  }

  /** Counts per queue name; the queues are read in parallel. */
  async counts(): Promise<Map<string, QueueCounts>> {
    const [events, ...others] = await Promise.all([this.domainEvents(), ...this.queues.map((queue) => countsOf(queue))]);
    const result = new Map<string, QueueCounts>([['domain-events', events!]]);
    this.queues.forEach((queue, i) => result.set(queue.name, others[i]!));
    return result;
  }

  async close(): Promise<void> {
    await Promise.all(this.queues.map((queue) => queue.close()));
  }
}

async function countsOf(queue: Queue): Promise<QueueCounts> {
  const counts = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed');
  return { waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0), active: counts.active ?? 0, delayed: counts.delayed ?? 0, failed: counts.failed ?? 0 };
}

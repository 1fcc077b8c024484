// Depths of the instance's BullMQ queues, read at scrape time (one getJobCounts call per queue).
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { FEDERATION_QUEUES } from '@kith/federation';
import { DOMAIN_EVENTS_QUEUE } from '../events/event-bus.ts';
import { PUSH_DELIVERY_QUEUE } from '../push/push-delivery-queue.ts';

export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];
export type QueueCounts = Record<QueueState, number>;


export interface QueueDepthsDeps {
  /** Unprefixed Redis connection (BullMQ namespaces keys itself); the queues here never block on it. */
  redisConnection: Redis;
  redisPrefix: string;
}

/**
 * Reads the job counts of the domain-events, push and federation queues, by the names their owners export.
 * It opens its own Queue handles (no worker), so it works in API-only processes (RUN_JOBS=false) too.
 */
export class QueueDepths {
  private readonly queues: Queue[];

  constructor(deps: QueueDepthsDeps) {
    const prefix = `${deps.redisPrefix}bull`;
    this.queues = [DOMAIN_EVENTS_QUEUE, PUSH_DELIVERY_QUEUE, ...FEDERATION_QUEUES].map((name) => new Queue(name, { connection: deps.redisConnection, prefix }));
  }

  /** Counts per queue name; the queues are read in parallel. */
  async counts(): Promise<Map<string, QueueCounts>> {
    const counts = await Promise.all(this.queues.map((queue) => countsOf(queue)));
    return new Map(this.queues.map((queue, i) => [queue.name, counts[i]!]));
  }

  async close(): Promise<void> {
    await Promise.all(this.queues.map((queue) => queue.close()));
  }
}

async function countsOf(queue: Queue): Promise<QueueCounts> {
  const counts = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed');
  return { waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0), active: counts.active ?? 0, delayed: counts.delayed ?? 0, failed: counts.failed ?? 0 };
}

import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { asFreshAttempt } from '../delivery/outbox-message.ts';

/** The queues whose failed jobs are dead letters. */
export const FEDERATION_QUEUES = ['fedify-outbox', 'fedify-inbox', 'fedify-fanout'] as const;
export type FederationQueueName = (typeof FEDERATION_QUEUES)[number];

/** What retrying a dead letter's job came to: `retried`, or why not. */
export type DeadJobRetry = 'retried' | 'missing' | 'not-failed';

/** Retries the failed job of a dead letter; the message never leaves Redis (it holds private keys). */
export type DeadJobRetrier = (queue: string, jobId: string) => Promise<DeadJobRetry>;

/**
 * A retrier for the failed jobs of an instance (`redisPrefix` as in the config): the job's message is
 * made a fresh first attempt and its 72 h clock restarts (`since`: BullMQ's `retry()` keeps the job's
 * timestamp), then it goes back to waiting. Usable without a running federation (the CLI).
 */
export function createDeadJobRetrier(connection: Redis, redisPrefix: string): DeadJobRetrier {
  return async (queueName, jobId) => {
    if (!(FEDERATION_QUEUES as readonly string[]).includes(queueName)) return 'missing';
    const queue = new Queue(queueName, { connection, prefix: `${redisPrefix}bull` });
    try {
      const job = await queue.getJob(jobId);
      if (!job) return 'missing';
      if ((await job.getState()) !== 'failed') return 'not-failed';
      const now = new Date();
      await job.updateData({ ...job.data, message: asFreshAttempt(job.data?.message, now), since: now.getTime() });
      // Resets attemptsMade too: the retried job backs off from the start again.
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      return 'retried';
    } finally {
      await queue.close();
    }
  };
}

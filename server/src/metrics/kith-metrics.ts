import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import type { KithFederation } from '@kith/federation';
import type { Services } from '../services.ts';
import { KithMetrics } from './metrics.registry.ts';
import { QueueDepths } from './queue-metrics.ts';

export interface KithMetricsDeps {
  services: Services;
  federation: KithFederation;
  /** Unprefixed Redis connection, for the queues' counts. */
  redisConnection: Redis;
  redisPrefix: string;
  log: FastifyBaseLogger;
}

/** The metrics of a running instance, wired to its services and federation (kith.ts builds it when METRICS_TOKEN is set). */
export function createKithMetrics(deps: KithMetricsDeps): { metrics: KithMetrics; close(): Promise<void> } {
  const { services, federation } = deps;
  const queues = new QueueDepths({ redisConnection: deps.redisConnection, redisPrefix: deps.redisPrefix });
  const metrics = new KithMetrics({
    queueCounts: () => queues.counts(),
    deadLetters: () => services.federationState.countDeadLetters(),
    deliveryFailures: () => federation.deliveryFailures(),
    activeCounts: () => services.analytics.activeCounts(),
    usageDropped: () => services.usage.dropped,
    log: deps.log,
  });
  return { metrics, close: () => queues.close() };
}

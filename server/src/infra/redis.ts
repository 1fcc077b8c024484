import { Redis } from 'ioredis';

/**
 * A Redis connection whose keys all carry this instance's prefix, so several instances share one Redis.
 * BullMQ and pub/sub subscribers need connections of their own (see createRedisConnection).
 */
export function createRedis(url: string, keyPrefix: string): Redis {
  return new Redis(url, { keyPrefix, lazyConnect: false, maxRetriesPerRequest: 3 });
}

/** A plain connection (no key prefix) for BullMQ and pub/sub, which manage names themselves. */
export function createRedisConnection(url: string): Redis {
  // BullMQ requires maxRetriesPerRequest: null for blocking commands.
  return new Redis(url, { maxRetriesPerRequest: null });
}

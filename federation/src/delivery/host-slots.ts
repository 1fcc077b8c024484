import type { Redis } from 'ioredis';

/** Deliveries in flight to one host at most, across every process of the instance. */
export const DEFAULT_HOST_CAP = 4;
/** A slot expires unless renewed, so a killed process frees its slots by itself. */
const LEASE_MS = 30_000;
const RENEW_MS = 10_000;

// KEYS[1] the host's slot set (member: holder, score: lease end); KEYS[2] the holders waiting for a slot
// (score: when they last asked). ARGV: now, lease end, holder, cap, key ttl. Expired leases go first; a
// holder that has a slot keeps it (a re-run job); otherwise a slot is free or the holder waits.
const TAKE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[3]) == false and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
  redis.call('ZADD', KEYS[2], ARGV[1], ARGV[3])
  redis.call('PEXPIRE', KEYS[2], ARGV[5])
  return 0
end
redis.call('ZREM', KEYS[2], ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
`;

/** A taken slot; release it once the delivery ends, however it ends. */
export interface HostSlot {
  release(): Promise<void>;
}

/**
 * A per-host concurrency cap in Redis, under the instance prefix: a sorted set of leases per host. A
 * lease is renewed while its delivery runs, and expires on its own after a crash.
 */
export class HostSlots {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly waitingKey: string;
  readonly cap: number;

  constructor(options: { redis: Redis; redisPrefix: string; cap?: number }) {
    this.redis = options.redis;
    this.prefix = `${options.redisPrefix}delivery:slots:`;
    this.waitingKey = `${options.redisPrefix}delivery:waiting`;
    this.cap = options.cap ?? DEFAULT_HOST_CAP;
  }

  /** Takes one of the host's slots for `holder` (a job id), or null when all `cap` are taken. */
  async take(host: string, holder: string): Promise<HostSlot | null> {
    const key = this.prefix + host;
    const lease = () => Date.now() + LEASE_MS;
    const taken = await this.redis.eval(TAKE, 2, key, this.waitingKey, Date.now(), lease(), holder, this.cap, LEASE_MS * 2);
    if (taken !== 1) return null;
    const renew = setInterval(() => {
      void this.redis.zadd(key, 'XX', lease(), holder).catch(() => {});
    }, RENEW_MS);
    renew.unref();
    return {
      release: async () => {
        clearInterval(renew);
        await this.redis.zrem(key, holder).catch(() => {});
      },
    };
  }

  /** How many jobs were turned away for a saturated host lately and have not had a slot since (for `idle()`). */
  async waitingCount(): Promise<number> {
    // A holder that stopped asking (its job was removed, its process killed) no longer counts after a lease.
    await this.redis.zremrangebyscore(this.waitingKey, '-inf', Date.now() - LEASE_MS);
    return this.redis.zcard(this.waitingKey);
  }

  /** How many slots of the host are taken now (for tests and metrics). */
  async inFlight(host: string): Promise<number> {
    const key = this.prefix + host;
    await this.redis.zremrangebyscore(key, '-inf', Date.now());
    return this.redis.zcard(key);
  }
}

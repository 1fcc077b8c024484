import type { Db } from 'mongodb';
import type { Redis } from 'ioredis';

export type CheckResult = 'ok' | 'timeout' | 'error';

/** The outcome of a readiness check: each dependency's result, and whether all are ok. */
export interface Readiness {
  ready: boolean;
  checks: { mongodb: CheckResult; redis: CheckResult };
}

/** Answers whether this process can serve: MongoDB and Redis both answer within a timeout. */
export class HealthService {
  private readonly db: Db;
  private readonly redis: Redis[];

  /** `redis`: every connection the process depends on (the prefixed one and the one BullMQ and pub/sub use). */
  constructor(db: Db, redis: Redis[]) {
    this.db = db;
    this.redis = redis;
  }

  /** Pings MongoDB and Redis in parallel; a dependency that does not answer within timeoutMs counts as down. */
  async readiness(timeoutMs = 2000): Promise<Readiness> {
    const [mongodb, redis] = await Promise.all([
      check(() => this.db.command({ ping: 1 }), timeoutMs),
      check(async () => {
        const replies = await Promise.all(this.redis.map((r) => r.ping()));
        if (replies.some((reply) => reply !== 'PONG')) throw new Error('unexpected PING reply');
      }, timeoutMs),
    ]);
    return { ready: mongodb === 'ok' && redis === 'ok', checks: { mongodb, redis } };
  }
}

async function check(probe: () => Promise<unknown>, timeoutMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    // A disconnected ioredis client queues commands until it reconnects; the timeout answers for it.
    return await Promise.race([probe().then((): CheckResult => 'ok', (): CheckResult => 'error'), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

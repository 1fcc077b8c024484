import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Conflict } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { StatusRecord } from './status-record.ts';
import { STATUS_LIMITS } from './status-compose.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What IdempotencyKeys needs from the statuses store. */
export interface IdempotentStore {
  get(id: string): Promise<StatusRecord | null>;
  exists(id: string): Promise<boolean>;
}

/**
 * Mastodon's Idempotency-Key for posting: the same key from the same account within an hour returns
 * the status the first request created, even when both requests run at once or the first failed
 * after storing it. The key is claimed in Redis (SET NX) with the id the status will get.
 */
export class IdempotencyKeys {
  private readonly redis: Redis;
  private readonly store: IdempotentStore;

  constructor(redis: Redis, store: IdempotentStore) {
    this.redis = redis;
    this.store = store;
  }

  /**
   * Runs `insert` with a fresh id under the key, or returns the status an earlier request with the
   * key made (`created` false). Conflict when the request holding the key neither finishes nor gives
   * up within 10 s.
   */
  async run(accountId: string, clientKey: string, insert: (id: string) => Promise<StatusRecord>): Promise<{ record: StatusRecord; created: boolean }> {
    const key = `idempotency:status:${accountId}:${createHash('sha256').update(clientKey).digest('hex')}`;
    for (let attempt = 0; attempt < 3; attempt++) {
      const id = newId();
      if (await this.redis.set(key, id, 'EX', STATUS_LIMITS.idempotencySeconds, 'NX')) {
        return { record: await this.insertUnderKey(key, id, insert), created: true };
      }
      const existing = await this.awaitHolder(key);
      if (existing === 'stuck') break;
      if (existing) return { record: existing, created: false };
    }
    throw new Conflict('Idempotency-Key is in use by a request that did not finish');
  }

  // While the key is held: when nothing was stored the key is let go, so a corrected retry can use it;
  // once the status is in MongoDB the key keeps pointing at it whatever fails afterwards, so a retry
  // gets this status back and never posts a second one.
  private async insertUnderKey(key: string, id: string, insert: (id: string) => Promise<StatusRecord>): Promise<StatusRecord> {
    try {
      return await insert(id);
    } catch (error) {
      // An insert that failed may still have written (a lost reply): ask MongoDB. If it cannot say, let go:
      // a key held for a status that never appears would refuse every retry for an hour.
      const stored = await this.store.exists(id).catch(() => false);
      if (!stored && (await this.redis.get(key)) === id) await this.redis.del(key);
      throw error;
    }
  }

  // Waits for the request holding the key to finish: its status; null when it failed and let go of
  // the key (try again); 'stuck' when it neither finished nor let go in time.
  private async awaitHolder(key: string): Promise<StatusRecord | null | 'stuck'> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const id = await this.redis.get(key);
      if (id === null) return null;
      const record = await this.store.get(id);
      if (record) return record;
      await sleep(25);
    }
    return 'stuck';
  }
}

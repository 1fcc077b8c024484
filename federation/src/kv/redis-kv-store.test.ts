// The Fedify KvStore on a real Redis: values, TTLs, compare-and-swap, listing by prefix, and isolation
// between two instances' prefixes on one server.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { Redis } from 'ioredis';
import { RedisKvStore } from './redis-kv-store.ts';

let redis: Redis;
let kv: RedisKvStore;
let other: RedisKvStore;
let prefix: string;

/** A Temporal.Duration as Fedify passes it; the store only calls total('millisecond'). */
function duration(ms: number): Temporal.Duration {
  return { total: (unit: string) => (unit === 'millisecond' ? ms : Number.NaN) } as unknown as Temporal.Duration;
}

beforeAll(() => {
  redis = new Redis(inject('redisUrl'), { lazyConnect: false });
  prefix = `test:${randomBytes(4).toString('hex')}:fedify:`;
  kv = new RedisKvStore(redis, prefix);
  other = new RedisKvStore(redis, `test:${randomBytes(4).toString('hex')}:fedify:`);
});

afterAll(async () => {
  await redis.quit();
});

describe('RedisKvStore', () => {
  it('stores, reads and deletes JSON values under the instance prefix', async () => {
    expect(await kv.get(['a', 'missing'])).toBeUndefined();
    await kv.set(['a', 'value'], { b: 1, a: [1, 'x', null] });
    expect(await kv.get(['a', 'value'])).toEqual({ a: [1, 'x', null], b: 1 });
    expect(await redis.get(`${prefix}a\u001fvalue`)).toBe('{"a":[1,"x",null],"b":1}');
    expect(await other.get(['a', 'value'])).toBeUndefined();
    await kv.delete(['a', 'value']);
    expect(await kv.get(['a', 'value'])).toBeUndefined();
  });

  it('sets a TTL in milliseconds', async () => {
    await kv.set(['ttl'], 'x', { ttl: duration(60_000) });
    const ttl = await redis.pttl(`${prefix}ttl`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('compares and swaps by value, whatever the key order', async () => {
    expect(await kv.cas(['cas'], undefined, { n: 1, s: 'a' })).toBe(true);
    expect(await kv.cas(['cas'], undefined, { n: 2 })).toBe(false);
    expect(await kv.cas(['cas'], { n: 9, s: 'a' }, { n: 2 })).toBe(false);
    expect(await kv.cas(['cas'], { s: 'a', n: 1 }, { n: 2 }, { ttl: duration(30_000) })).toBe(true);
    expect(await kv.get(['cas'])).toEqual({ n: 2 });
    expect(await redis.pttl(`${prefix}cas`)).toBeGreaterThan(0);
    // Swapping to undefined deletes (Fedify's circuit breaker closes a circuit this way).
    expect(await kv.cas(['cas'], { n: 2 }, undefined)).toBe(true);
    expect(await kv.get(['cas'])).toBeUndefined();
    expect(await redis.exists(`${prefix}cas`)).toBe(0);
  });

  it('lists entries by key prefix, part by part', async () => {
    await kv.set(['list', 'x'], 1);
    await kv.set(['list', 'y', 'z'], 2);
    await kv.set(['listing'], 3);
    await other.set(['list', 'x'], 4);
    const entries = [];
    for await (const entry of kv.list(['list'])) entries.push(entry);
    expect(entries.sort((p, q) => p.key.join().localeCompare(q.key.join()))).toEqual([
      { key: ['list', 'x'], value: 1 },
      { key: ['list', 'y', 'z'], value: 2 },
    ]);
    const all = [];
    for await (const entry of kv.list()) all.push(entry.key.join('/'));
    expect(all).toContain('listing');
    expect(all).not.toContain('a/value');
  });
});

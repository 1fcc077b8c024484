import type { Redis } from 'ioredis';
import type { KvKey, KvStore, KvStoreListEntry, KvStoreSetOptions } from '@fedify/fedify';
import { canonicalJson } from '../canonical-json.ts';

// Key parts are joined with a control character that never appears in Fedify's keys (URLs, ids, words).
const SEPARATOR = '\u001f';

// Compares the stored value's canonical JSON with the expected one and swaps atomically.
// KEYS[1] key; ARGV[1] expected ('' = absent), ARGV[2] next ('' = delete: Fedify swaps to undefined to
// remove, e.g. a circuit closing), ARGV[3] ttl in ms ('0' = none).
const CAS_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '' then
  if current then return 0 end
elseif current ~= ARGV[1] then
  return 0
end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
elseif ARGV[3] ~= '0' then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
else
  redis.call('SET', KEYS[1], ARGV[2])
end
return 1`;

/** Milliseconds of a Temporal.Duration (Fedify passes its polyfill's Duration). */
export function durationMs(duration: Temporal.Duration): number {
  return Math.max(1, Math.round(duration.total('millisecond')));
}

function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/**
 * Fedify's KvStore on Redis. Uses an unprefixed connection and an explicit key prefix (ioredis'
 * `keyPrefix` does not apply to SCAN patterns), so instances sharing one Redis never see each other's keys.
 * Values are canonical JSON; a TTL is `SET … PX`; `list` is `SCAN MATCH`; `cas` is a Lua script.
 */
export class RedisKvStore implements KvStore {
  private readonly redis: Redis;
  private readonly prefix: string;

  /** `prefix` is the instance's, e.g. `kith:alpha:fedify:`. */
  constructor(redis: Redis, prefix: string) {
    this.redis = redis;
    this.prefix = prefix;
  }

  private redisKey(key: KvKey): string {
    return this.prefix + key.join(SEPARATOR);
  }

  async get<T = unknown>(key: KvKey): Promise<T | undefined> {
    const text = await this.redis.get(this.redisKey(key));
    return text === null ? undefined : (JSON.parse(text) as T);
  }

  async set(key: KvKey, value: unknown, options?: KvStoreSetOptions): Promise<void> {
    const text = canonicalJson(value);
    if (options?.ttl) await this.redis.set(this.redisKey(key), text, 'PX', durationMs(options.ttl));
    else await this.redis.set(this.redisKey(key), text);
  }

  async delete(key: KvKey): Promise<void> {
    await this.redis.del(this.redisKey(key));
  }

  async cas(key: KvKey, expectedValue: unknown, newValue: unknown, options?: KvStoreSetOptions): Promise<boolean> {
    const expected = expectedValue === undefined ? '' : canonicalJson(expectedValue);
    const ttl = options?.ttl ? String(durationMs(options.ttl)) : '0';
    const result = await this.redis.eval(CAS_SCRIPT, 1, this.redisKey(key), expected, newValue === undefined ? '' : canonicalJson(newValue), ttl);
    return result === 1;
  }

  async *list(prefix?: KvKey): AsyncIterable<KvStoreListEntry> {
    const base = prefix ? this.redisKey(prefix) : this.prefix;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${globEscape(base)}*`, 'COUNT', 500);
      cursor = next;
      for (const redisKey of keys) {
        // `['a']` lists `a` and `a␟…`, not `ab`.
        if (prefix && redisKey !== base && !redisKey.startsWith(base + SEPARATOR)) continue;
        const text = await this.redis.get(redisKey);
        if (text === null) continue;
        const parts = redisKey.slice(this.prefix.length).split(SEPARATOR) as [string, ...string[]];
        yield { key: parts, value: JSON.parse(text) };
      }
    } while (cursor !== '0');
  }
}

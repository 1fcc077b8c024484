import type { Redis } from 'ioredis';

// A cache filled from MongoDB races with writes: a reader loads the old record, a writer updates
// MongoDB and drops the cached copy, then the reader stores the old record again. Each cached thing
// therefore has a generation counter that every write bumps; a fill reads the generation before it
// reads MongoDB and stores its copy only if the generation has not moved since.

const GENERATION_TTL_SECONDS = 7 * 24 * 3600;

// KEYS[1] generation, KEYS[2] target; ARGV[1] expected generation, ARGV[2] TTL, ARGV[3] value.
const SET_IF_CURRENT = `
if (redis.call('GET', KEYS[1]) or '0') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[2])
return 1`;

// KEYS[1] generation, KEYS[2] target set; ARGV[1] expected generation, ARGV[2] TTL, ARGV[3..] members.
const REPLACE_SET_IF_CURRENT = `
if (redis.call('GET', KEYS[1]) or '0') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[2])
for i = 3, #ARGV, 5000 do
  redis.call('SADD', KEYS[2], unpack(ARGV, i, math.min(i + 4999, #ARGV)))
end
redis.call('EXPIRE', KEYS[2], ARGV[2])
return 1`;

type Script = (generationKey: string, targetKey: string, ...args: string[]) => Promise<number>;

/** Generation-checked writes of cached copies (see the comment above). Keys are given without their generation suffix. */
export class GuardedCache {
  private readonly redis: Redis;

  constructor(redis: Redis) {
    this.redis = redis;
    if (!('kithSetIfCurrent' in redis)) {
      redis.defineCommand('kithSetIfCurrent', { numberOfKeys: 2, lua: SET_IF_CURRENT });
      redis.defineCommand('kithReplaceSetIfCurrent', { numberOfKeys: 2, lua: REPLACE_SET_IF_CURRENT });
    }
  }

  /** The current generations of these keys, read before loading their source of truth. */
  async generations(keys: readonly string[]): Promise<string[]> {
    if (keys.length === 0) return [];
    return (await this.redis.mget(...keys.map(generationKey))).map((g) => g ?? '0');
  }

  /** Marks the cached copies of these keys stale and drops them; call after every write of the source. */
  async invalidate(...keys: string[]): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.incr(generationKey(key)).expire(generationKey(key), GENERATION_TTL_SECONDS).del(key);
    await pipeline.exec();
  }

  /** Stores string values, each only if its key's generation is still the one read before loading it. */
  async setMany(entries: readonly { key: string; generation: string; value: string }[], ttlSeconds: number): Promise<void> {
    if (entries.length === 0) return;
    const pipeline = this.redis.pipeline() as unknown as Record<'kithSetIfCurrent', (...args: string[]) => unknown> & { exec(): Promise<unknown> };
    for (const e of entries) pipeline.kithSetIfCurrent(generationKey(e.key), e.key, e.generation, String(ttlSeconds), e.value);
    await pipeline.exec();
  }

  /** Replaces a set with `members`, only if its generation is still the one read before loading them. */
  async replaceSet(key: string, generation: string, members: readonly string[], ttlSeconds: number): Promise<boolean> {
    const script = (this.redis as unknown as { kithReplaceSetIfCurrent: Script }).kithReplaceSetIfCurrent;
    return (await script.call(this.redis, generationKey(key), key, generation, String(ttlSeconds), ...members)) === 1;
  }
}

function generationKey(key: string): string {
  return `${key}:generation`;
}

// Status records cached in Redis by id: timelines load 20-40 statuses per request, and MongoDB (the
// stand-in above all) is far slower than one MGET. MongoDB stays the source of truth.
//
// Consistency: every write to a record bumps its `rev` and writes the new copy through with a script
// that refuses to replace a newer copy; fills after a miss use SET NX, so a reader that loaded an old
// copy before a write can never overwrite what the write stored. Entries expire, so memory follows use.
import type { Redis } from 'ioredis';
import type { StatusRecord } from './status-record.ts';

const TTL_SECONDS = 24 * 3600;
const key = (id: string) => `status:${id}`;

// KEYS[1] the entry; ARGV[1] the new rev, ARGV[2] the value ("<rev>|<json>"), ARGV[3] the TTL.
const PUT_IF_NEWER = `
local current = redis.call('GET', KEYS[1])
if current then
  local rev = tonumber(string.match(current, '^(%d+)|'))
  if rev and rev > tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1`;

function encode(record: StatusRecord): string {
  return `${record.rev}|${JSON.stringify(record)}`;
}

function decode(value: string): StatusRecord {
  const record = JSON.parse(value.slice(value.indexOf('|') + 1)) as StatusRecord & { createdAt: string; editedAt: string | null; deletedAt: string | null };
  return {
    ...record,
    createdAt: new Date(record.createdAt),
    editedAt: record.editedAt ? new Date(record.editedAt) : null,
    deletedAt: record.deletedAt ? new Date(record.deletedAt) : null,
  };
}

/** A read-through cache of status records (tombstones included) in Redis. */
export class StatusCache {
  private readonly redis: Redis;

  constructor(redis: Redis) {
    this.redis = redis;
  }

  /** The cached records for the ids, in order; null where an id is not cached. One round trip. */
  async getMany(ids: readonly string[]): Promise<(StatusRecord | null)[]> {
    if (ids.length === 0) return [];
    const values = await this.redis.mget(ids.map(key));
    return values.map((value) => (value === null ? null : decode(value)));
  }

  /** Caches records loaded after a miss, never replacing an entry a write stored meanwhile. One round trip. */
  async fill(records: readonly StatusRecord[]): Promise<void> {
    if (records.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const record of records) pipeline.set(key(record._id), encode(record), 'EX', TTL_SECONDS, 'NX');
    await pipeline.exec();
  }

  /** Stores the copy a write produced, unless a newer one (higher rev) is already there. */
  async put(record: StatusRecord): Promise<void> {
    await this.redis.eval(PUT_IF_NEWER, 1, key(record._id), String(record.rev), encode(record), String(TTL_SECONDS));
  }
}

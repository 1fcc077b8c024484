// Lua scripts that change feeds (Redis sorted sets of status ids scored by Number(id)). A script runs
// atomically inside Redis, so fanning one status out to a thousand feeds is one round trip and no
// other client ever sees a feed half-updated.
//
// Layout of one feed key F (keys come in already carrying the instance prefix):
//   F                   the sorted set; member "-" (score 0, or -1 while the feed is being rebuilt)
//                       marks "this feed is materialized", so an empty feed still exists and a
//                       missing key (expired, flushed, deleted) means "rebuild from MongoDB".
//   F:reblogs           original id -> id of the boost shown for it (Mastodon's reblog tracking)
//   F:reblogs:<orig>    ids of further boosts of <orig> that were not shown
//
// Boost aggregation follows Mastodon's FeedManager: a boost is not inserted when its original, or
// another boost of it, is among the top REBLOG_FALLOFF entries; when the shown boost is deleted, a
// hidden one takes its place. Derived keys are built from KEYS[i], so they share its prefix.

const FUNCTIONS = `
local function add(feed, id, orig, cap, falloff)
  local reblogs = feed .. ':reblogs'
  if redis.call('ZSCORE', feed, id) then return 1 end
  if orig ~= '' then
    local rank = redis.call('ZREVRANK', feed, orig)
    if rank and rank < falloff then return 0 end
    if redis.call('ZADD', reblogs, 'NX', id, orig) == 1 then
      redis.call('ZADD', feed, id, id)
    else
      local extra = reblogs .. ':' .. orig
      redis.call('SADD', extra, id)
      local ttl = redis.call('PTTL', feed)
      if ttl > 0 then redis.call('PEXPIRE', extra, ttl) end
      return 0
    end
  else
    if redis.call('ZSCORE', reblogs, id) then return 0 end
    redis.call('ZADD', feed, id, id)
  end
  return 1
end

local function trim(feed, cap, falloff)
  -- rank 0 is the marker (lowest score): keep it and the newest cap entries.
  redis.call('ZREMRANGEBYRANK', feed, 1, -(cap + 1))
  local reblogs = feed .. ':reblogs'
  local edge = redis.call('ZREVRANGE', feed, falloff, falloff, 'WITHSCORES')
  if edge[2] and tonumber(edge[2]) > 0 then
    local stale = redis.call('ZRANGEBYSCORE', reblogs, 0, edge[2])
    for _, orig in ipairs(stale) do
      redis.call('ZREM', reblogs, orig)
      redis.call('DEL', reblogs .. ':' .. orig)
    end
  end
  local ttl = redis.call('PTTL', feed)
  if ttl > 0 and redis.call('EXISTS', reblogs) == 1 then redis.call('PEXPIRE', reblogs, ttl) end
end

local function remove(feed, id, orig)
  local reblogs = feed .. ':reblogs'
  if orig ~= '' then
    local extra = reblogs .. ':' .. orig
    if not redis.call('ZSCORE', feed, id) then
      redis.call('SREM', extra, id)
      return 0
    end
    redis.call('ZREM', reblogs, orig)
    -- Another boost of the same status, hidden so far, takes its place (the oldest, like Mastodon).
    local others = redis.call('SMEMBERS', extra)
    local oldest = nil
    for _, other in ipairs(others) do
      if other ~= id and (oldest == nil or tonumber(other) < tonumber(oldest)) then oldest = other end
    end
    if oldest then
      redis.call('SREM', extra, oldest)
      redis.call('ZADD', feed, oldest, oldest)
      redis.call('ZADD', reblogs, oldest, orig)
    end
  else
    redis.call('DEL', reblogs .. ':' .. id)
    redis.call('ZREM', reblogs, id)
  end
  return redis.call('ZREM', feed, id)
end
`;

/**
 * Adds one status to many feeds. KEYS: feeds. ARGV: cap, falloff, status id, boosted id ('' if none).
 * Feeds that do not exist are left alone (they are rebuilt from MongoDB when read). Returns, per
 * feed: 1 inserted (or already there), 0 left out (boost aggregation), -1 feed not materialized.
 */
export const FAN_OUT = `${FUNCTIONS}
local cap, falloff = tonumber(ARGV[1]), tonumber(ARGV[2])
local result = {}
for i, feed in ipairs(KEYS) do
  if redis.call('EXISTS', feed) == 0 then
    result[i] = -1
  else
    result[i] = add(feed, ARGV[3], ARGV[4], cap, falloff)
    if result[i] == 1 then trim(feed, cap, falloff) end
  end
end
return result`;

/**
 * Merges statuses into one feed. KEYS[1]: the feed. ARGV: cap, falloff, ttl ms, mode, then pairs of
 * (status id, boosted id or ''), oldest first. Mode "rebuild" creates the feed and marks it ready;
 * mode "merge" only adds to a feed that exists. Returns 1 if the feed was written, 0 otherwise.
 */
export const MERGE = `${FUNCTIONS}
local feed = KEYS[1]
local cap, falloff, ttl, mode = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
if mode == 'merge' and redis.call('EXISTS', feed) == 0 then return 0 end
if mode == 'rebuild' then
  redis.call('ZADD', feed, 0, '-')
  redis.call('PEXPIRE', feed, ttl)
end
for i = 5, #ARGV, 2 do
  add(feed, ARGV[i], ARGV[i + 1], cap, falloff)
end
trim(feed, cap, falloff)
return 1`;

/**
 * Marks a missing feed as being rebuilt. KEYS[1]: the feed. ARGV[1]: ttl ms. Boost tracking left over
 * from the feed's previous life is dropped, or it would hide boosts the rebuild brings back.
 */
export const BEGIN_REBUILD = `
local feed = KEYS[1]
if redis.call('EXISTS', feed) == 1 then return 0 end
redis.call('DEL', feed .. ':reblogs')
redis.call('ZADD', feed, -1, '-')
redis.call('PEXPIRE', feed, ARGV[1])
return 1`;

/**
 * Removes statuses from feeds. KEYS: feeds. ARGV: pairs of (status id, boosted id or ''). Returns, per
 * feed, how many entries were removed, or -1 for a feed that is not materialized.
 */
export const REMOVE = `${FUNCTIONS}
local result = {}
for i, feed in ipairs(KEYS) do
  local removed = -1
  if redis.call('EXISTS', feed) == 1 then
    removed = 0
    for j = 1, #ARGV, 2 do
      removed = removed + remove(feed, ARGV[j], ARGV[j + 1])
    end
  end
  result[i] = removed
end
return result`;

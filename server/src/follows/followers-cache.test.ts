// The Redis copy of each account's followers, over real Redis and MongoDB: an unfollow takes effect at
// once, and a fill that read MongoDB before a follow change is refused.
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';
import { GuardedCache } from '../shared/guarded-cache.ts';
import { FollowersCache, followersKey } from './followers-cache.ts';
import { FollowsStore } from './follows.store.ts';

// tess is followed; uri and vic follow her.
let kith: TestInstance;
let redis: Redis;
let mongo: MongoClient;
let store: FollowsStore;
let tess: TestUser;
let uri: TestUser;
let vic: TestUser;

beforeAll(async () => {
  kith = await startTestInstance();
  redis = new Redis(inject('redisUrl'), { keyPrefix: kith.config.redisPrefix });
  mongo = await MongoClient.connect(inject('mongoUrl'));
  store = new FollowsStore(mongo.db(kith.config.mongodbDatabase));
  [tess, uri, vic] = await Promise.all([kith.createUser('tess'), kith.createUser('uri'), kith.createUser('vic')]);
});
afterAll(async () => {
  redis.disconnect();
  await mongo?.close();
  await kith?.close();
});

async function follow(user: TestUser, target: TestUser, options: Record<string, unknown> = {}): Promise<void> {
  expect((await user.api.post(`/api/v1/accounts/${target.account._id}/follow`, options)).status).toBe(200);
}

async function unfollow(user: TestUser, target: TestUser): Promise<void> {
  expect((await user.api.post(`/api/v1/accounts/${target.account._id}/unfollow`, {})).status).toBe(200);
}

async function post(user: TestUser, status: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await user.api.post('/api/v1/statuses', { status, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.id;
}

const isFollowing = (user: TestUser, target: TestUser) => kith.services.follows.isFollowing(user.account._id, target.account._id);
const key = () => followersKey(tess.account._id);

describe('followers cache', () => {
  it("stops counting an unfollower as a follower at once: isFollowing, and the target's private statuses answer 404", async () => {
    await follow(uri, tess);
    const secret = await post(tess, 'for my followers', { visibility: 'private' });
    expect((await uri.api.get(`/api/v1/statuses/${secret}`)).status).toBe(200);
    expect(await isFollowing(uri, tess)).toBe(true);
    expect(await redis.sismember(key(), uri.account._id)).toBe(1);

    await unfollow(uri, tess);
    expect(await isFollowing(uri, tess)).toBe(false);
    expect((await uri.api.get(`/api/v1/statuses/${secret}`)).status).toBe(404);
    expect(await kith.services.follows.followerIds(tess.account._id)).not.toContain(uri.account._id);
  });

  it('refuses to fill the set with a generation read before a follow changed', async () => {
    const guard = new GuardedCache(redis);
    await follow(uri, tess);
    expect(await isFollowing(uri, tess)).toBe(true);
    // What a fill would hold had it read MongoDB just before the unfollow.
    const [generation] = await guard.generations([key()]);
    const stale = await redis.smembers(key());
    expect(stale).toContain(uri.account._id);

    await unfollow(uri, tess);
    expect(await guard.replaceSet(key(), generation!, stale, 600)).toBe(false);
    expect(await redis.sismember(key(), uri.account._id)).toBe(0);
    expect(await isFollowing(uri, tess)).toBe(false);
    // A fill with the current generation is stored.
    const [current] = await guard.generations([key()]);
    expect(current).not.toBe(generation);
    expect(await guard.replaceSet(key(), current!, ['-'], 600)).toBe(true);
    expect(await redis.smembers(key())).toEqual(['-']);
  });

  it('discards a fill that read MongoDB before an unfollow and answers from a fresh read', async () => {
    await follow(uri, tess);
    await follow(vic, tess);
    const secret = await post(tess, 'still for my followers', { visibility: 'private' });
    let reads = 0;
    const racing = new FollowersCache(redis, async (targetId) => {
      const rows = await store.followersOf(targetId);
      // The unfollow lands between this fill's MongoDB read and its write to Redis.
      if (reads++ === 0) await unfollow(uri, tess);
      return rows;
    });
    await racing.invalidate(tess.account._id);

    expect(await racing.isFollower(tess.account._id, uri.account._id)).toBe(false);
    expect(reads).toBe(2);
    expect(await redis.sismember(key(), uri.account._id)).toBe(0);
    expect(await redis.sismember(key(), vic.account._id)).toBe(1);
    expect(await isFollowing(uri, tess)).toBe(false);
    expect((await uri.api.get(`/api/v1/statuses/${secret}`)).status).toBe(404);
    expect((await vic.api.get(`/api/v1/statuses/${secret}`)).status).toBe(200);
  });

  it('holds the follow options, and a change of options refreshes them', async () => {
    await follow(vic, tess, { reblogs: false, notify: true });
    expect(await kith.services.follows.followersWithOptions(tess.account._id)).toEqual({
      ids: [vic.account._id],
      hidingReblogs: [vic.account._id],
      notified: [vic.account._id],
    });
    await follow(vic, tess, { reblogs: true });
    expect(await kith.services.follows.followersWithOptions(tess.account._id)).toEqual({ ids: [vic.account._id], hidingReblogs: [], notified: [vic.account._id] });
    await unfollow(vic, tess);
    expect(await kith.services.follows.followersWithOptions(tess.account._id)).toEqual({ ids: [], hidingReblogs: [], notified: [] });
    expect(await redis.smembers(key())).toEqual(['-']);
  });
});

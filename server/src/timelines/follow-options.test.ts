// Home feeds and the state of follows: reblogs: false keeps an account's boosts out, and a merge for a
// follow that is gone (or still pending) merges nothing, whatever order the jobs run in.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';
import { homeFeedKey } from './feed-keys.ts';

// xia posts and boosts; wes follows her with reblogs: false, yan with the defaults; zoe posts and is
// followed by nobody at first; lin is locked.
let kith: TestInstance;
let redis: Redis;
let wes: TestUser;
let xia: TestUser;
let yan: TestUser;
let zoe: TestUser;
let lin: TestUser;

type Entity = { id: string };
const ids = (entities: Entity[]) => entities.map((e) => e.id);

async function post(user: TestUser, status: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await user.api.post('/api/v1/statuses', { status, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.id;
}

async function boost(user: TestUser, statusId: string): Promise<string> {
  const res = await user.api.post(`/api/v1/statuses/${statusId}/reblog`, {});
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.id;
}

async function follow(user: TestUser, target: TestUser, options: Record<string, unknown> = {}): Promise<void> {
  expect((await user.api.post(`/api/v1/accounts/${target.account._id}/follow`, options)).status).toBe(200);
}

async function unfollow(user: TestUser, target: TestUser): Promise<void> {
  expect((await user.api.post(`/api/v1/accounts/${target.account._id}/unfollow`, {})).status).toBe(200);
}

async function home(user: TestUser): Promise<string[]> {
  await kith.idle();
  const res = await user.api.get('/api/v1/timelines/home', { limit: 40 });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return ids(res.body);
}

beforeAll(async () => {
  kith = await startTestInstance();
  redis = new Redis(inject('redisUrl'), { keyPrefix: kith.config.redisPrefix });
  [wes, xia, yan, zoe, lin] = await Promise.all([
    kith.createUser('wes'),
    kith.createUser('xia'),
    kith.createUser('yan'),
    kith.createUser('zoe'),
    kith.createUser('lin', { locked: true }),
  ]);
  // Materialize the feeds, as a signed-in app does on start.
  for (const user of [wes, xia, yan, zoe]) await home(user);
});
afterAll(async () => {
  redis.disconnect();
  await kith?.close();
});

describe('follow option reblogs: false', () => {
  it("keeps the followed account's boosts out of the follower's home feed, also when the feed is rebuilt", async () => {
    await follow(wes, xia, { reblogs: false });
    await follow(yan, xia);
    const original = await post(zoe, 'worth a boost');
    const own = await post(xia, 'xia writes');
    const boosted = await boost(xia, original);

    expect(await home(yan)).toContain(boosted);
    const feed = await home(wes);
    expect(feed).toContain(own);
    expect(feed).not.toContain(boosted);
    expect(feed).not.toContain(original);
    expect(await kith.services.timelines.isInHomeFeed(wes.account._id, boosted)).toBe(false);

    await redis.del(homeFeedKey(wes.account._id));
    const rebuilt = await home(wes);
    expect(rebuilt).toContain(own);
    expect(rebuilt).not.toContain(boosted);
  });

  it('merges no boosts for a new follow with reblogs: false, and lets new ones in once boosts are turned back on', async () => {
    const earlierOwn = await post(xia, 'written before the follow');
    const earlierBoost = await boost(xia, await post(zoe, 'boosted before the follow'));
    const ann = await kith.createUser('ann');
    await home(ann);
    await follow(ann, xia, { reblogs: false });
    const merged = await home(ann);
    expect(merged).toContain(earlierOwn);
    expect(merged).not.toContain(earlierBoost);

    await follow(wes, xia, { reblogs: true });
    const later = await boost(xia, await post(zoe, 'boosted after turning boosts on'));
    expect(await home(wes)).toContain(later);
    expect(await home(ann)).not.toContain(later);
  });
});

describe('merging a follow into the home feed', () => {
  it('leaves out the statuses of an account unfollowed right after being followed, whatever order the jobs ran in', async () => {
    const earlier = await post(zoe, 'zoe posted this a while ago');
    expect(await home(wes)).not.toContain(earlier);
    // Follow and unfollow without waiting: their merge and unmerge jobs run in any order.
    await follow(wes, zoe);
    await unfollow(wes, zoe);
    expect(await home(wes)).not.toContain(earlier);
    // The follow's merge job running after the unfollow's unmerge merges nothing.
    await kith.services.timelines.mergeFollow(wes.account._id, zoe.account._id);
    expect(await kith.services.timelines.isInHomeFeed(wes.account._id, earlier)).toBe(false);
    expect(await home(wes)).not.toContain(earlier);

    // A follow that exists is still merged.
    await follow(wes, zoe);
    expect(await home(wes)).toContain(earlier);
  });

  it('merges nothing for a follow request still waiting for approval', async () => {
    const locked = await post(lin, 'for approved followers', { visibility: 'private' });
    await follow(wes, lin);
    await kith.idle();
    await kith.services.timelines.mergeFollow(wes.account._id, lin.account._id);
    expect(await kith.services.timelines.isInHomeFeed(wes.account._id, locked)).toBe(false);
    expect((await lin.api.post(`/api/v1/follow_requests/${wes.account._id}/authorize`, {})).status).toBe(200);
    expect(await home(wes)).toContain(locked);
  });
});

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';
import { homeFeedKey, LOCAL_FEED_KEY, tagFeedKey } from './feed-keys.ts';

// alice and carol post; bob follows alice (and later carol); dave follows alice only; erin is locked.
let kith: TestInstance;
let redis: Redis;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let dave: TestUser;
let erin: TestUser;

type Entity = { id: string; reblog: { id: string } | null; content: string };

async function post(user: TestUser, status: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await user.api.post('/api/v1/statuses', { status, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.id;
}

async function follow(user: TestUser, target: TestUser): Promise<void> {
  expect((await user.api.post(`/api/v1/accounts/${target.account._id}/follow`, {})).status).toBe(200);
}

async function home(user: TestUser, query: Record<string, string | number> = {}): Promise<Entity[]> {
  await kith.idle();
  const res = await user.api.get('/api/v1/timelines/home', { limit: 40, ...query });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

const ids = (entities: Entity[]) => entities.map((e) => e.id);

beforeAll(async () => {
  kith = await startTestInstance();
  redis = new Redis(inject('redisUrl'), { keyPrefix: kith.config.redisPrefix });
  [alice, bob, carol, dave, erin] = await Promise.all([
    kith.createUser('alice'),
    kith.createUser('bob'),
    kith.createUser('carol'),
    kith.createUser('dave'),
    kith.createUser('erin', { locked: true }),
  ]);
  await follow(bob, alice);
  await follow(dave, alice);
  // Materialize the feeds, as a signed-in app does on start.
  for (const user of [alice, bob, carol, dave, erin]) await home(user);
});
afterAll(async () => {
  redis.disconnect();
  await kith.close();
});

describe('home timeline', () => {
  it("shows the reader's own statuses, those of accounts it follows and their boosts, newest first", async () => {
    const own = await post(bob, 'my own');
    const fromAlice = await post(alice, 'from alice');
    const fromCarol = await post(carol, 'from carol, whom bob does not follow');
    const boost = await alice.api.post(`/api/v1/statuses/${fromCarol}/reblog`, {});
    expect(boost.status).toBe(200);
    const timeline = await home(bob);
    expect(ids(timeline).slice(0, 3)).toEqual([boost.body.id, fromAlice, own]);
    expect(timeline[0]!.reblog!.id).toBe(fromCarol);
    expect(ids(timeline)).not.toContain(fromCarol);
    // The author's own feed holds its post and boost too; carol's holds only her own.
    expect(ids(await home(alice)).slice(0, 2)).toEqual([boost.body.id, fromAlice]);
    expect(ids(await home(carol))).toEqual([fromCarol]);
  });

  it('keeps private statuses to followers, and direct ones to the mentioned followers', async () => {
    const privately = await post(alice, 'for followers', { visibility: 'private' });
    const direct = await post(alice, 'psst @bob @carol', { visibility: 'direct' });
    const bobs = ids(await home(bob));
    expect(bobs).toContain(privately);
    expect(bobs).toContain(direct);
    // dave follows alice but is not mentioned; carol is mentioned but does not follow (Mastodon's rule).
    const daves = ids(await home(dave));
    expect(daves).toContain(privately);
    expect(daves).not.toContain(direct);
    const carols = ids(await home(carol));
    expect(carols).not.toContain(privately);
    expect(carols).not.toContain(direct);
    expect(ids(await home(alice)).slice(0, 2)).toEqual([direct, privately]);
  });

  it("leaves out replies to accounts the reader does not follow, but keeps threads and replies to the reader", async () => {
    const carols = await post(carol, 'a question');
    const daves = await post(dave, 'a remark');
    const toCarol = await post(alice, '@carol an answer', { in_reply_to_id: carols });
    const toSelf = await post(alice, 'thread 1/2');
    const thread = await post(alice, 'thread 2/2', { in_reply_to_id: toSelf });
    const toDave = await post(alice, '@dave agreed', { in_reply_to_id: daves });
    const forDave = ids(await home(dave));
    expect(forDave).not.toContain(toCarol);
    expect(forDave).toEqual(expect.arrayContaining([toSelf, thread, toDave]));
    // bob follows neither carol nor dave.
    const forBob = ids(await home(bob));
    expect(forBob).not.toContain(toCarol);
    expect(forBob).not.toContain(toDave);
    expect(forBob).toContain(thread);
  });

  it('shows a boost of a status already near the top of the feed only once', async () => {
    await follow(bob, carol);
    const original = await post(carol, 'worth sharing');
    const boost = await alice.api.post(`/api/v1/statuses/${original}/reblog`, {});
    expect(boost.status).toBe(200);
    const timeline = await home(bob);
    expect(ids(timeline)).toContain(original);
    expect(ids(timeline)).not.toContain(boost.body.id);
    // dave does not follow carol, so alice's boost is how he sees it.
    expect(ids(await home(dave))).toContain(boost.body.id);
  });

  it('stops showing new statuses of an unfollowed account and takes its old ones out', async () => {
    const before = await post(carol, 'before the unfollow');
    expect(ids(await home(bob))).toContain(before);
    expect((await bob.api.post(`/api/v1/accounts/${carol.account._id}/unfollow`, {})).status).toBe(200);
    const after = await post(carol, 'after the unfollow');
    const timeline = ids(await home(bob));
    expect(timeline).not.toContain(before);
    expect(timeline).not.toContain(after);
  });

  it("merges a newly followed account's recent statuses, and a locked one's only once accepted", async () => {
    const earlier = await post(erin, 'posted before anyone followed', { visibility: 'private' });
    expect((await carol.api.post(`/api/v1/accounts/${erin.account._id}/follow`, {})).status).toBe(200);
    expect(ids(await home(carol))).not.toContain(earlier);
    const accepted = await erin.api.post(`/api/v1/follow_requests/${carol.account._id}/authorize`, {});
    expect(accepted.status).toBe(200);
    expect(ids(await home(carol))).toContain(earlier);

    const older = await post(dave, 'dave posted this a while ago');
    expect(ids(await home(bob))).not.toContain(older);
    await follow(bob, dave);
    expect(ids(await home(bob))).toContain(older);
  });

  it('removes a deleted status from every feed that had it', async () => {
    const doomed = await post(alice, 'a #Mistake to delete');
    await home(bob);
    const key = (k: string) => redis.zscore(k, doomed);
    expect(await key(homeFeedKey(bob.account._id))).not.toBeNull();
    expect(await key(homeFeedKey(alice.account._id))).not.toBeNull();
    // The local and hashtag feeds are materialized by reading them.
    expect(ids((await bob.api.get('/api/v1/timelines/public')).body)).toContain(doomed);
    expect(ids((await bob.api.get('/api/v1/timelines/tag/mistake')).body)).toContain(doomed);
    expect(await key(LOCAL_FEED_KEY)).not.toBeNull();
    expect(await key(tagFeedKey('mistake'))).not.toBeNull();

    expect((await alice.api.delete(`/api/v1/statuses/${doomed}`)).status).toBe(200);
    await kith.idle();
    for (const feed of [homeFeedKey(bob.account._id), homeFeedKey(dave.account._id), homeFeedKey(alice.account._id), LOCAL_FEED_KEY, tagFeedKey('mistake')]) {
      expect(await key(feed), feed).toBeNull();
    }
    for (const user of [alice, bob, dave]) expect(ids(await home(user))).not.toContain(doomed);
    expect(ids((await bob.api.get('/api/v1/timelines/public')).body)).not.toContain(doomed);
    expect((await bob.api.get('/api/v1/timelines/tag/mistake')).body).toEqual([]);
  });

  it('drops a deleted boost and the boosts of a deleted status', async () => {
    const original = await post(carol, 'boost me');
    const boost = (await alice.api.post(`/api/v1/statuses/${original}/reblog`, {})).body.id as string;
    expect(ids(await home(dave))).toContain(boost);
    expect((await alice.api.post(`/api/v1/statuses/${original}/unreblog`, {})).status).toBe(200);
    expect(ids(await home(dave))).not.toContain(boost);

    const again = (await alice.api.post(`/api/v1/statuses/${original}/reblog`, {})).body.id as string;
    expect(ids(await home(dave))).toContain(again);
    expect((await carol.api.delete(`/api/v1/statuses/${original}`)).status).toBe(200);
    expect(ids(await home(dave))).not.toContain(again);
    expect(await redis.zscore(homeFeedKey(dave.account._id), again)).toBeNull();
  });

  it('rebuilds a feed from MongoDB when its Redis key is gone', async () => {
    // dave's follows never changed, so his rebuilt feed must equal the one fan-out built.
    const before = await home(dave);
    expect(before.length).toBeGreaterThan(5);
    expect(before.some((e) => e.reblog)).toBe(true);
    await redis.del(homeFeedKey(dave.account._id));
    expect(ids(await home(dave))).toEqual(ids(before));
    // A status posted while a feed is missing is found by its rebuild.
    await redis.del(homeFeedKey(bob.account._id));
    const meanwhile = await post(alice, 'posted while the feed was gone');
    await kith.idle();
    expect(await redis.exists(homeFeedKey(bob.account._id))).toBe(0);
    expect(ids(await home(bob))[0]).toBe(meanwhile);
    expect(await kith.services.timelines.isInHomeFeed(bob.account._id, meanwhile)).toBe(true);
  });
});

describe('home timeline paging', () => {
  let pager: TestUser;
  const posted: string[] = [];

  beforeAll(async () => {
    pager = await kith.createUser('pager');
    await home(pager);
    for (let i = 0; i < 7; i++) posted.unshift(await post(pager, `page ${i}`));
  });

  it('pages with limit, max_id, since_id and min_id, and says where to go next in Link', async () => {
    await kith.idle();
    const first = await pager.api.get('/api/v1/timelines/home', { limit: 3 });
    expect(ids(first.body)).toEqual(posted.slice(0, 3));
    const link = first.headers.get('link')!;
    expect(link).toContain(`max_id=${posted[2]}>; rel="next"`);
    expect(link).toContain(`min_id=${posted[0]}>; rel="prev"`);
    expect(link).toContain('limit=3');

    const next = await pager.api.get('/api/v1/timelines/home', { limit: 3, max_id: posted[2]! });
    expect(ids(next.body)).toEqual(posted.slice(3, 6));
    const since = await pager.api.get('/api/v1/timelines/home', { limit: 2, since_id: posted[4]! });
    expect(ids(since.body)).toEqual(posted.slice(0, 2));
    const min = await pager.api.get('/api/v1/timelines/home', { limit: 2, min_id: posted[4]! });
    expect(ids(min.body)).toEqual(posted.slice(2, 4));
    const end = await pager.api.get('/api/v1/timelines/home', { max_id: posted[6]! });
    expect(end.body).toEqual([]);
    expect(end.headers.get('link')).toBeNull();
    // Mastodon clamps the page size to 40 rather than failing.
    expect((await pager.api.get('/api/v1/timelines/home', { limit: 100 })).status).toBe(200);
  });

  it('refuses bad input and wrong scopes without touching the feed', async () => {
    const key = homeFeedKey(pager.account._id);
    const stored = await redis.zrange(key, '0', '-1');
    const queries: Record<string, string | number>[] = [{ limit: 'abc' }, { limit: 0 }, { max_id: 'abc' }, { since_id: '12x' }, { min_id: '-1' }];
    for (const query of queries) {
      const res = await pager.api.get('/api/v1/timelines/home', query);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.body.error).toEqual(expect.any(String));
    }
    const noScope = await kith.createUser('noscope', { scopes: ['read:accounts'] });
    expect((await noScope.api.get('/api/v1/timelines/home')).status).toBe(403);
    expect((await kith.api.get('/api/v1/timelines/home')).status).toBe(401);
    expect(await redis.zrange(key, '0', '-1')).toEqual(stored);
    expect(await redis.exists(homeFeedKey(noScope.account._id))).toBe(0);
  });
});

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient, startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';
import { LOCAL_FEED_KEY, tagFeedKey } from './feed-keys.ts';

// Local, hashtag and profile timelines. ana posts in every visibility; ben reads; cy follows ana.
let kith: TestInstance;
let redis: Redis;
let ana: TestUser;
let ben: TestUser;
let cy: TestUser;
let appOnly: ApiClient;
const s: Record<string, string> = {};

type Entity = { id: string; reblog: { id: string } | null; tags: { name: string }[] };
const ids = (entities: Entity[]) => entities.map((e) => e.id);

async function post(user: TestUser, status: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await user.api.post('/api/v1/statuses', { status, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.id;
}

async function get(api: ApiClient, path: string, query: Record<string, string | number | boolean | string[]> = {}): Promise<Entity[]> {
  await kith.idle();
  const res = await api.get(path, query);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

beforeAll(async () => {
  kith = await startTestInstance();
  redis = new Redis(inject('redisUrl'), { keyPrefix: kith.config.redisPrefix });
  [ana, ben, cy] = await Promise.all([kith.createUser('ana'), kith.createUser('ben'), kith.createUser('cy')]);
  expect((await cy.api.post(`/api/v1/accounts/${ana.account._id}/follow`, {})).status).toBe(200);
  const { app } = await kith.services.oauth.createApp({ name: 'Wall display', redirectUris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read' });
  appOnly = kith.api.withToken((await kith.services.oauth.issueToken(app._id, null, ['read'])).accessToken);

  s.public = await post(ana, 'public #Kith news', { visibility: 'public' });
  s.unlisted = await post(ana, 'unlisted #kith', { visibility: 'unlisted' });
  s.local = await post(ana, 'department only #KITH #ops', { visibility: 'local' });
  s.private = await post(ana, 'followers only #kith', { visibility: 'private' });
  s.direct = await post(ana, 'direct #kith @ben', { visibility: 'direct' });
  s.question = await post(ben, 'who knows? #ops');
  s.replyToOther = await post(ana, '@ben I do #kith', { in_reply_to_id: s.question });
  s.selfReply = await post(ana, 'and more', { in_reply_to_id: s.public });
  s.boost = (await ben.api.post(`/api/v1/statuses/${s.public}/reblog`, {})).body.id;
});
afterAll(async () => {
  redis.disconnect();
  await kith.close();
});

describe('local timeline', () => {
  it('holds public and department-only statuses of local accounts, threads but no replies to others, no boosts', async () => {
    const expected = [s.selfReply, s.question, s.local, s.public];
    expect(ids(await get(ben.api, '/api/v1/timelines/public'))).toEqual(expected);
    expect(ids(await get(ben.api, '/api/v1/timelines/public', { local: true }))).toEqual(expected);
    // Federation has not landed: nothing is remote.
    expect(await get(ben.api, '/api/v1/timelines/public', { remote: true })).toEqual([]);
    expect(await get(ben.api, '/api/v1/timelines/public', { only_media: true })).toEqual([]);
    // A token acting for no account sees nothing (the network is closed).
    const byApp = await appOnly.get('/api/v1/timelines/public');
    expect(byApp.status).toBe(401);
    expect(byApp.body).toEqual({ error: 'This method requires an authenticated user' });
  });

  it('pages with max_id, since_id, min_id and limit and sets Link', async () => {
    const all = [s.selfReply, s.question, s.local, s.public];
    const first = await ben.api.get('/api/v1/timelines/public', { limit: 2 });
    expect(ids(first.body)).toEqual(all.slice(0, 2));
    const link = first.headers.get('link')!;
    const next = /<([^>]+)>; rel="next"/.exec(link)![1]!;
    const prev = /<([^>]+)>; rel="prev"/.exec(link)![1]!;
    expect(new URL(next).searchParams.get('max_id')).toBe(all[1]);
    expect(new URL(prev).searchParams.get('min_id')).toBe(all[0]);
    const following = await ben.api.get(new URL(next).pathname + new URL(next).search);
    expect(ids(following.body)).toEqual(all.slice(2, 4));
    expect(ids(await get(ben.api, '/api/v1/timelines/public', { since_id: s.local! }))).toEqual(all.slice(0, 2));
    expect(ids(await get(ben.api, '/api/v1/timelines/public', { min_id: s.public!, limit: 2 }))).toEqual([s.question, s.local]);
    expect(ids(await get(ben.api, '/api/v1/timelines/public', { max_id: s.question!, since_id: s.public! }))).toEqual([s.local]);
  });

  it('is rebuilt from MongoDB when its Redis key is gone, and follows new posts', async () => {
    const before = ids(await get(ben.api, '/api/v1/timelines/public'));
    await redis.del(LOCAL_FEED_KEY);
    expect(ids(await get(ben.api, '/api/v1/timelines/public'))).toEqual(before);
    const fresh = await post(cy, 'fresh news');
    expect(ids(await get(ben.api, '/api/v1/timelines/public'))[0]).toBe(fresh);
    expect(await redis.zscore(LOCAL_FEED_KEY, fresh)).not.toBeNull();
  });
});

describe('hashtag timeline', () => {
  it('holds public and department-only statuses with the tag, replies included, case-insensitively', async () => {
    const expected = [s.replyToOther, s.local, s.public];
    expect(ids(await get(ben.api, '/api/v1/timelines/tag/kith'))).toEqual(expected);
    expect(ids(await get(ben.api, '/api/v1/timelines/tag/KiTh', { local: true }))).toEqual(expected);
    expect(await get(ben.api, '/api/v1/timelines/tag/kith', { remote: true })).toEqual([]);
    expect(await get(ben.api, '/api/v1/timelines/tag/nothing-here')).toEqual([]);
  });

  it('narrows with all[] and none[] and widens with any[]', async () => {
    expect(ids(await get(ben.api, '/api/v1/timelines/tag/kith', { all: ['ops'] }))).toEqual([s.local]);
    expect(ids(await get(ben.api, '/api/v1/timelines/tag/kith', { none: ['OPS'] }))).toEqual([s.replyToOther, s.public]);
    expect(ids(await get(ben.api, '/api/v1/timelines/tag/ops', { any: ['kith'] }))).toEqual([s.replyToOther, s.question, s.local, s.public]);
    expect(ids(await get(ben.api, '/api/v1/timelines/tag/ops', { any: ['kith'], limit: 2, max_id: s.question! }))).toEqual([s.local, s.public]);
    expect(ids(await get(ben.api, '/api/v1/timelines/tag/ops', { any: ['kith'], limit: 2, min_id: s.local! }))).toEqual([s.replyToOther, s.question]);
  });

  it('pages like the others, and is rebuilt when its key is gone', async () => {
    const first = await ben.api.get('/api/v1/timelines/tag/kith', { limit: 1 });
    expect(ids(first.body)).toEqual([s.replyToOther]);
    expect(first.headers.get('link')).toContain(`max_id=${s.replyToOther}`);
    expect(ids(await get(ben.api, '/api/v1/timelines/tag/kith', { limit: 1, max_id: s.replyToOther! }))).toEqual([s.local]);
    await redis.del(tagFeedKey('kith'));
    expect(ids(await get(ben.api, '/api/v1/timelines/tag/kith'))).toEqual([s.replyToOther, s.local, s.public]);
  });
});

describe('account statuses', () => {
  const path = () => `/api/v1/accounts/${ana.account._id}/statuses`;

  it("shows what the viewer may see of an account's statuses", async () => {
    const mine = [s.selfReply, s.replyToOther, s.direct, s.private, s.local, s.unlisted, s.public];
    expect(ids(await get(ana.api, path()))).toEqual(mine);
    // cy follows ana; ben is mentioned in the direct one.
    expect(ids(await get(cy.api, path()))).toEqual([s.selfReply, s.replyToOther, s.private, s.local, s.unlisted, s.public]);
    // ben is no follower: no private statuses (Mastodon also lists direct ones mentioning the viewer).
    const bens = ids(await get(ben.api, path()));
    expect(bens.filter((id) => id !== s.direct)).toEqual([s.selfReply, s.replyToOther, s.local, s.unlisted, s.public]);
    const byApp = await appOnly.get(path());
    expect(byApp.status).toBe(401);
    expect(byApp.body).toEqual({ error: 'This method requires an authenticated user' });
  });

  it('filters replies, boosts, media, tags and pins', async () => {
    expect(ids(await get(cy.api, path(), { exclude_replies: true }))).toEqual([s.selfReply, s.private, s.local, s.unlisted, s.public]);
    const bens = `/api/v1/accounts/${ben.account._id}/statuses`;
    expect(ids(await get(cy.api, bens))).toEqual([s.boost, s.question]);
    expect(ids(await get(cy.api, bens, { exclude_reblogs: true }))).toEqual([s.question]);
    expect(await get(cy.api, path(), { only_media: true })).toEqual([]);
    expect(ids(await get(cy.api, path(), { tagged: 'OPS' }))).toEqual([s.local]);
    expect((await ana.api.post(`/api/v1/statuses/${s.local}/pin`, {})).status).toBe(200);
    expect(ids(await get(cy.api, path(), { pinned: true }))).toEqual([s.local]);
  });

  it('pages with Link headers', async () => {
    const first = await cy.api.get(path(), { limit: 2 });
    expect(ids(first.body)).toEqual([s.selfReply, s.replyToOther]);
    expect(first.headers.get('link')).toContain(`max_id=${s.replyToOther}>; rel="next"`);
    expect(ids(await get(cy.api, path(), { limit: 2, max_id: s.replyToOther! }))).toEqual([s.private, s.local]);
    expect(ids(await get(cy.api, path(), { limit: 2, min_id: s.local! }))).toEqual([s.replyToOther, s.private]);
  });
});

describe('bad input', () => {
  it('answers 400, 403, 401 and 404 exactly, and stores nothing', async () => {
    const local = await redis.zrange(LOCAL_FEED_KEY, '0', '-1');
    const cases: [ApiClient, string, Record<string, string | number | string[]>, number][] = [
      [ben.api, '/api/v1/timelines/public', { limit: 'abc' }, 400],
      [ben.api, '/api/v1/timelines/public', { max_id: 'abc' }, 400],
      [ben.api, '/api/v1/timelines/public', { local: 'maybe' }, 400],
      [ben.api, '/api/v1/timelines/tag/kith', { any: Array(21).fill('x') }, 400],
      [ben.api, '/api/v1/timelines/tag/kith', { all: ['x'.repeat(101)] }, 400],
      // Fastify refuses path parameters over 100 characters itself.
      [ben.api, `/api/v1/timelines/tag/${'x'.repeat(101)}`, {}, 414],
      [ben.api, path(), { exclude_replies: 'sometimes' }, 400],
      [ben.api, path(), { limit: -1 }, 400],
      [ben.api, '/api/v1/accounts/1000000000000000/statuses', {}, 404],
      [ben.api, '/api/v1/accounts/nobody/statuses', {}, 404],
      [kith.api, '/api/v1/timelines/public', {}, 401],
      [kith.api, '/api/v1/timelines/tag/kith', {}, 401],
    ];
    for (const [api, url, query, status] of cases) {
      const res = await api.get(url, query);
      expect(res.status, `${url} ${JSON.stringify(query)}`).toBe(status);
      expect(res.body.error).toEqual(expect.any(String));
    }
    const noScope = await kith.createUser('noscope', { scopes: ['read:accounts', 'write'] });
    for (const url of ['/api/v1/timelines/public', '/api/v1/timelines/tag/kith', path()]) {
      expect((await noScope.api.get(url)).status, url).toBe(403);
    }
    expect(await redis.zrange(LOCAL_FEED_KEY, '0', '-1')).toEqual(local);
    expect(await redis.exists(tagFeedKey('x'.repeat(101)))).toBe(0);
  });

  function path() {
    return `/api/v1/accounts/${ana.account._id}/statuses`;
  }
});

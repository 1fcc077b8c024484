// Capped feeds, with caps small enough to reach: the service under test runs on the instance's real
// services and MongoDB, with its own feeds under a separate Redis prefix.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';
import type { Page } from '../shared/pagination.ts';
import { homeFeedKey, LOCAL_FEED_KEY, tagFeedKey } from './feed-keys.ts';
import { FeedStore } from './feed-store.ts';
import { TimelinesService, type TimelinePage } from './timelines.service.ts';

let kith: TestInstance;
let redis: Redis;
let small: TimelinesService;
let una: TestUser;
const posted: string[] = []; // newest first

const page = (p: Partial<Page> = {}): Page => ({ maxId: null, sinceId: null, minId: null, limit: 3, ...p });
const ids = (p: TimelinePage) => p.statuses.map((s) => s._id);

beforeAll(async () => {
  kith = await startTestInstance();
  redis = new Redis(inject('redisUrl'), { keyPrefix: `${kith.config.redisPrefix}small-${randomBytes(3).toString('hex')}:` });
  const { statuses, follows, accounts } = kith.services;
  small = new TimelinesService({
    feeds: new FeedStore(redis, { home: 5, local: 4, tag: 3 }),
    statuses,
    follows,
    accounts,
    streams: null,
    log: kith.kith.app.log,
  });
  una = await kith.createUser('una');
  for (let i = 1; i <= 8; i++) {
    const res = await una.api.post('/api/v1/statuses', { status: `number ${i} #deep` });
    expect(res.status).toBe(200);
    posted.unshift(res.body.id);
  }
  await kith.idle();
});
afterAll(async () => {
  redis.disconnect();
  await kith.close();
});

describe('capped feeds', () => {
  it('keep only their newest entries', async () => {
    await small.public(una.account, page());
    expect(await redis.zrevrangebyscore(LOCAL_FEED_KEY, '+inf', '(0')).toEqual(posted.slice(0, 4));
    // A rebuilt home feed takes the reader's own statuses up to half its cap (Mastodon's populate_home).
    await small.home(una.account, page());
    expect(await redis.zrevrangebyscore(homeFeedKey(una.account._id), '+inf', '(0')).toEqual(posted.slice(0, 3));
  });

  it('page the local and hashtag timelines on into MongoDB past the cap', async () => {
    expect(ids(await small.public(una.account, page()))).toEqual(posted.slice(0, 3));
    expect(ids(await small.public(una.account, page({ maxId: posted[2]! })))).toEqual(posted.slice(3, 6));
    expect(ids(await small.public(una.account, page({ maxId: posted[5]! })))).toEqual(posted.slice(6, 8));
    expect(ids(await small.public(una.account, page({ minId: posted[7]!, limit: 2 })))).toEqual([posted[5], posted[6]]);
    expect(ids(await small.public(una.account, page({ maxId: posted[1]!, sinceId: posted[6]!, limit: 10 })))).toEqual(posted.slice(2, 6));

    expect(ids(await small.tag(una.account, 'deep', page({ limit: 5 })))).toEqual(posted.slice(0, 5));
    expect(await redis.zcard(tagFeedKey('deep'))).toBe(4); // three entries and the marker
  });

  it('trim the home feed on fan-out and end the home timeline at the cap, as Mastodon does', async () => {
    const fresh: string[] = [];
    for (let i = 9; i <= 11; i++) {
      const res = await una.api.post('/api/v1/statuses', { status: `number ${i}` });
      fresh.unshift(res.body.id);
      await small.fanOut(res.body.id);
    }
    const kept = [...fresh, ...posted.slice(0, 2)];
    expect(await redis.zrevrangebyscore(homeFeedKey(una.account._id), '+inf', '(0')).toEqual(kept);
    expect(ids(await small.home(una.account, page({ limit: 10 })))).toEqual(kept);
    expect(ids(await small.home(una.account, page({ maxId: posted[1]! })))).toEqual([]);
  });
});

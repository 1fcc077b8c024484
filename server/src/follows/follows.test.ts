import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';

let kith: TestInstance;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let locked: TestUser;

beforeAll(async () => {
  kith = await startTestInstance();
  [alice, bob, carol, locked] = await Promise.all([
    kith.createUser('alice'),
    kith.createUser('bob'),
    kith.createUser('carol'),
    kith.createUser('lena', { locked: true }),
  ]);
});
afterAll(async () => kith.close());

async function counts(user: TestUser) {
  const account = await kith.services.accounts.get(user.account._id);
  return { followers: account.followersCount, following: account.followingCount };
}

describe('follow and unfollow', () => {
  it('follows an account, updates counts and relationships, and unfollows', async () => {
    const res = await alice.api.post(`/api/v1/accounts/${bob.account._id}/follow`, { reblogs: false });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: bob.account._id, following: true, showing_reblogs: false, requested: false, followed_by: false });
    // Following again only changes options and does not count twice.
    const again = await alice.api.post(`/api/v1/accounts/${bob.account._id}/follow`, { notify: true });
    expect(again.body).toMatchObject({ following: true, notifying: true, showing_reblogs: false });
    expect(await counts(alice)).toEqual({ followers: 0, following: 1 });
    expect(await counts(bob)).toEqual({ followers: 1, following: 0 });
    expect(await kith.services.follows.isFollowing(alice.account._id, bob.account._id)).toBe(true);

    const rel = await bob.api.get('/api/v1/accounts/relationships', { id: [alice.account._id, carol.account._id] });
    expect(rel.status).toBe(200);
    expect(rel.body.map((r: { id: string; followed_by: boolean }) => [r.id, r.followed_by])).toEqual([
      [alice.account._id, true],
      [carol.account._id, false],
    ]);

    const un = await alice.api.post(`/api/v1/accounts/${bob.account._id}/unfollow`);
    expect(un.status).toBe(200);
    expect(un.body.following).toBe(false);
    expect(await counts(bob)).toEqual({ followers: 0, following: 0 });
    expect(await kith.services.follows.isFollowing(alice.account._id, bob.account._id)).toBe(false);
  });

  it('refuses following yourself, unknown accounts and wrong scopes, storing nothing', async () => {
    expect((await alice.api.post(`/api/v1/accounts/${alice.account._id}/follow`)).status).toBe(403);
    expect((await alice.api.post('/api/v1/accounts/1000000000000000/follow')).status).toBe(404);
    expect((await alice.api.post('/api/v1/accounts/1000000000000000/unfollow')).status).toBe(404);
    expect((await alice.api.post(`/api/v1/accounts/${carol.account._id}/follow`, { reblogs: 'sometimes' })).status).toBe(400);
    const readOnly = await kith.createUser('reader', { scopes: ['read'] });
    expect((await readOnly.api.post(`/api/v1/accounts/${carol.account._id}/follow`)).status).toBe(403);
    expect((await kith.api.post(`/api/v1/accounts/${carol.account._id}/follow`)).status).toBe(401);
    expect(await counts(carol)).toEqual({ followers: 0, following: 0 });
    expect((await alice.api.get('/api/v1/accounts/relationships')).status).toBe(400);
  });
});

describe('locked accounts and follow requests', () => {
  it('turns a follow into a request the locked account can authorize', async () => {
    const res = await alice.api.post(`/api/v1/accounts/${locked.account._id}/follow`);
    expect(res.body).toMatchObject({ following: false, requested: true });
    const requests = await locked.api.get('/api/v1/follow_requests');
    expect(requests.status).toBe(200);
    expect(requests.body.map((a: { id: string }) => a.id)).toEqual([alice.account._id]);
    const me = await locked.api.get('/api/v1/accounts/verify_credentials');
    expect(me.body.source.follow_requests_count).toBe(1);

    const ok = await locked.api.post(`/api/v1/follow_requests/${alice.account._id}/authorize`);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ id: alice.account._id, followed_by: true, requested_by: false });
    expect(await counts(locked)).toEqual({ followers: 1, following: 0 });
    expect((await locked.api.get('/api/v1/follow_requests')).body).toEqual([]);
    expect((await locked.api.post(`/api/v1/follow_requests/${alice.account._id}/authorize`)).status).toBe(404);
  });

  it('lets the locked account reject, and the requester withdraw', async () => {
    await bob.api.post(`/api/v1/accounts/${locked.account._id}/follow`);
    const rejected = await locked.api.post(`/api/v1/follow_requests/${bob.account._id}/reject`);
    expect(rejected.status).toBe(200);
    expect(rejected.body.requested_by).toBe(false);
    await carol.api.post(`/api/v1/accounts/${locked.account._id}/follow`);
    const withdrawn = await carol.api.post(`/api/v1/accounts/${locked.account._id}/unfollow`);
    expect(withdrawn.body).toMatchObject({ following: false, requested: false });
    expect((await locked.api.get('/api/v1/follow_requests')).body).toEqual([]);
    expect(await counts(locked)).toEqual({ followers: 1, following: 0 });
  });
});

describe('followers and following lists', () => {
  it('pages with Link headers, newest follow first', async () => {
    const fans = await Promise.all(['f1', 'f2', 'f3'].map((name) => kith.createUser(name)));
    for (const fan of fans) await fan.api.post(`/api/v1/accounts/${carol.account._id}/follow`);
    const first = await alice.api.get(`/api/v1/accounts/${carol.account._id}/followers`, { limit: 2 });
    expect(first.status).toBe(200);
    expect(first.body.map((a: { username: string }) => a.username)).toEqual(['f3', 'f2']);
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '')?.[1];
    expect(next).toBeDefined();
    const second = await alice.api.get(next!.slice(kith.url.length));
    expect(second.body.map((a: { username: string }) => a.username)).toEqual(['f1']);
    const following = await alice.api.get(`/api/v1/accounts/${fans[0]!.account._id}/following`);
    expect(following.body.map((a: { username: string }) => a.username)).toEqual(['carol']);
    expect((await alice.api.get('/api/v1/accounts/1000000000000000/followers')).status).toBe(404);
    expect((await alice.api.get(`/api/v1/accounts/${carol.account._id}/followers`, { limit: 'many' })).status).toBe(400);
  });
});

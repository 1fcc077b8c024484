import { Collection } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';

let kith: TestInstance;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;

beforeAll(async () => {
  kith = await startTestInstance();
  [alice, bob, carol] = await Promise.all([kith.createUser('alice'), kith.createUser('bob'), kith.createUser('carol')]);
  // bob follows alice, so he sees her private statuses; carol does not.
  expect((await bob.api.post(`/api/v1/accounts/${alice.account._id}/follow`, {})).status).toBe(200);
});
afterAll(async () => kith.close());

async function post(user: TestUser, status: string, visibility = 'public'): Promise<string> {
  const res = await user.api.post('/api/v1/statuses', { status, visibility });
  expect(res.status).toBe(200);
  return res.body.id;
}

/** Follows a Link header's rel="next" to a path the client can request. */
function nextPath(link: string | null): string | null {
  const match = /<([^>]+)>;\s*rel="next"/.exec(link ?? '');
  return match ? new URL(match[1]!).pathname + new URL(match[1]!).search : null;
}

describe('favourites', () => {
  it('favourites once, counts once, shows the viewer flag, and lists who did it', async () => {
    const id = await post(alice, 'like me');
    const fav = await bob.api.post(`/api/v1/statuses/${id}/favourite`);
    expect(fav.status).toBe(200);
    expect(fav.body).toMatchObject({ id, favourited: true, favourites_count: 1 });
    const again = await bob.api.post(`/api/v1/statuses/${id}/favourite`);
    expect(again.body).toMatchObject({ favourited: true, favourites_count: 1 });
    await carol.api.post(`/api/v1/statuses/${id}/favourite`);

    const asAlice = await alice.api.get(`/api/v1/statuses/${id}`);
    expect(asAlice.body).toMatchObject({ favourited: false, favourites_count: 2 });
    const by = await alice.api.get(`/api/v1/statuses/${id}/favourited_by`);
    expect(by.status).toBe(200);
    expect(by.body.map((a: { id: string }) => a.id)).toEqual([carol.account._id, bob.account._id]);
    const firstPage = await alice.api.get(`/api/v1/statuses/${id}/favourited_by`, { limit: 1 });
    expect(firstPage.body.map((a: { id: string }) => a.id)).toEqual([carol.account._id]);
    const second = await alice.api.get(nextPath(firstPage.headers.get('link'))!);
    expect(second.body.map((a: { id: string }) => a.id)).toEqual([bob.account._id]);

    const un = await bob.api.post(`/api/v1/statuses/${id}/unfavourite`);
    expect(un.body).toMatchObject({ favourited: false, favourites_count: 1 });
    const unAgain = await bob.api.post(`/api/v1/statuses/${id}/unfavourite`);
    expect(unAgain.body).toMatchObject({ favourited: false, favourites_count: 1 });
    await kith.idle();
  });

  it('lists the favourites of the signed-in account, newest first, with Link headers', async () => {
    const ids = [await post(alice, 'one'), await post(alice, 'two'), await post(alice, 'three')];
    for (const id of ids) await carol.api.post(`/api/v1/statuses/${id}/favourite`);
    const page = await carol.api.get('/api/v1/favourites', { limit: 2 });
    expect(page.status).toBe(200);
    expect(page.body.map((s: { id: string }) => s.id)).toEqual([ids[2], ids[1]]);
    expect(page.body.every((s: { favourited: boolean }) => s.favourited)).toBe(true);
    const rest = await carol.api.get(nextPath(page.headers.get('link'))!);
    expect(rest.body.map((s: { id: string }) => s.id).slice(0, 1)).toEqual([ids[0]]);
    expect((await kith.api.get('/api/v1/favourites')).status).toBe(401);
  });

  it('refuses what the viewer may not see, and unknown ids, changing nothing', async () => {
    const secret = await post(alice, 'followers only', 'private');
    expect((await carol.api.post(`/api/v1/statuses/${secret}/favourite`)).status).toBe(404);
    expect((await carol.api.post(`/api/v1/statuses/${secret}/bookmark`)).status).toBe(404);
    expect((await carol.api.post(`/api/v1/statuses/${secret}/unfavourite`)).status).toBe(404);
    expect((await carol.api.get(`/api/v1/statuses/${secret}/favourited_by`)).status).toBe(404);
    expect((await carol.api.post('/api/v1/statuses/1000000000000000/favourite')).status).toBe(404);
    const asAlice = await alice.api.get(`/api/v1/statuses/${secret}`);
    expect(asAlice.body.favourites_count).toBe(0);
    expect((await carol.api.get('/api/v1/bookmarks')).body.map((s: { id: string }) => s.id)).not.toContain(secret);
  });

  it('needs write:favourites', async () => {
    const id = await post(alice, 'scoped');
    const reader = await kith.createUser('reader', { scopes: ['read'] });
    expect((await reader.api.post(`/api/v1/statuses/${id}/favourite`)).status).toBe(403);
    expect((await alice.api.get(`/api/v1/statuses/${id}`)).body.favourites_count).toBe(0);
  });
});

describe('boosts', () => {
  it('boosts a status: the answer is the boost, counters and flags follow, and twice is once', async () => {
    const id = await post(alice, 'boost me');
    const before = (await kith.services.accounts.get(bob.account._id)).statusesCount;
    const boost = await bob.api.post(`/api/v1/statuses/${id}/reblog`);
    expect(boost.status).toBe(200);
    expect(boost.body).toMatchObject({ account: { id: bob.account._id }, content: '', reblog: { id, reblogged: true, reblogs_count: 1 } });
    expect(boost.body.id).not.toBe(id);
    const again = await bob.api.post(`/api/v1/statuses/${id}/reblog`, {});
    expect(again.body.id).toBe(boost.body.id);
    expect((await kith.services.accounts.get(bob.account._id)).statusesCount).toBe(before + 1);

    const original = await bob.api.get(`/api/v1/statuses/${id}`);
    expect(original.body).toMatchObject({ reblogged: true, reblogs_count: 1 });
    const by = await alice.api.get(`/api/v1/statuses/${id}/reblogged_by`);
    expect(by.body.map((a: { id: string }) => a.id)).toEqual([bob.account._id]);
    // Favouriting the boost favourites what was boosted.
    const fav = await carol.api.post(`/api/v1/statuses/${boost.body.id}/favourite`);
    expect(fav.body).toMatchObject({ id, favourited: true });

    const un = await bob.api.post(`/api/v1/statuses/${id}/unreblog`);
    expect(un.status).toBe(200);
    expect(un.body).toMatchObject({ id, reblogged: false, reblogs_count: 0 });
    expect((await bob.api.get(`/api/v1/statuses/${boost.body.id}`)).status).toBe(404);
    expect((await kith.services.accounts.get(bob.account._id)).statusesCount).toBe(before);
    await kith.idle();
  });

  it('answers a double-tapped boost with the same boost, counted once', async () => {
    for (const text of ['double tap', 'double tap again', 'and once more']) {
      const id = await post(alice, text);
      const before = (await kith.services.accounts.get(carol.account._id)).statusesCount;
      const [first, second] = await Promise.all([carol.api.post(`/api/v1/statuses/${id}/reblog`), carol.api.post(`/api/v1/statuses/${id}/reblog`)]);
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(second.body.id).toBe(first.body.id);
      expect(first.body.reblog.id).toBe(id);
      expect((await carol.api.get(`/api/v1/statuses/${id}`)).body).toMatchObject({ reblogged: true, reblogs_count: 1 });
      expect((await alice.api.get(`/api/v1/statuses/${id}/reblogged_by`)).body.map((a: { id: string }) => a.id)).toEqual([carol.account._id]);
      expect((await kith.services.accounts.get(carol.account._id)).statusesCount).toBe(before + 1);
      const boosts = await kith.services.statuses.list({ accountIds: [carol.account._id] }, { maxId: null, sinceId: null, minId: null, limit: 40 });
      expect(boosts.filter((s) => s.reblogOfId === id).map((s) => s._id)).toEqual([first.body.id]);
    }
    await kith.idle();
  });

  it('refuses boosting private statuses of others and direct ones (403), allows your own private ones', async () => {
    const priv = await post(alice, 'followers only', 'private');
    const direct = await post(alice, 'just me', 'direct');
    expect((await bob.api.post(`/api/v1/statuses/${priv}/reblog`)).status).toBe(403);
    expect((await carol.api.post(`/api/v1/statuses/${priv}/reblog`)).status).toBe(404);
    expect((await alice.api.post(`/api/v1/statuses/${direct}/reblog`)).status).toBe(403);
    expect((await bob.api.post(`/api/v1/statuses/${direct}/reblog`)).status).toBe(404);
    expect((await alice.api.get(`/api/v1/statuses/${priv}`)).body.reblogs_count).toBe(0);
    expect((await alice.api.get(`/api/v1/statuses/${priv}/reblogged_by`)).body).toEqual([]);

    const own = await alice.api.post(`/api/v1/statuses/${priv}/reblog`);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ visibility: 'private', reblog: { id: priv } });
    // A boost of a private status stays private: carol cannot see it either.
    expect((await carol.api.get(`/api/v1/statuses/${own.body.id}`)).status).toBe(404);
    expect((await bob.api.get(`/api/v1/statuses/${own.body.id}`)).status).toBe(200);
    expect((await bob.api.post(`/api/v1/statuses/${priv}/reblog`, { visibility: 'everyone' })).status).toBe(400);
  });

  it('deleting a status deletes its boosts', async () => {
    const id = await post(alice, 'short-lived');
    const boost = await carol.api.post(`/api/v1/statuses/${id}/reblog`);
    const before = (await kith.services.accounts.get(carol.account._id)).statusesCount;
    expect((await alice.api.delete(`/api/v1/statuses/${id}`)).status).toBe(200);
    await kith.idle();
    expect((await carol.api.get(`/api/v1/statuses/${boost.body.id}`)).status).toBe(404);
    expect((await kith.services.accounts.get(carol.account._id)).statusesCount).toBe(before - 1);
    expect((await carol.api.post(`/api/v1/statuses/${id}/unreblog`)).status).toBe(404);
  });
});

describe('bookmarks', () => {
  it('bookmarks and lists them for the account only', async () => {
    const id = await post(alice, 'read later');
    const res = await bob.api.post(`/api/v1/statuses/${id}/bookmark`);
    expect(res.body).toMatchObject({ id, bookmarked: true });
    expect((await bob.api.get('/api/v1/bookmarks')).body.map((s: { id: string }) => s.id)).toEqual([id]);
    expect((await alice.api.get(`/api/v1/statuses/${id}`)).body.bookmarked).toBe(false);
    expect((await alice.api.get('/api/v1/bookmarks')).body).toEqual([]);
    const un = await bob.api.post(`/api/v1/statuses/${id}/unbookmark`);
    expect(un.body.bookmarked).toBe(false);
    expect((await bob.api.get('/api/v1/bookmarks')).body).toEqual([]);
  });
});

describe('pins', () => {
  it('pins own statuses, at most five, and refuses others and direct ones with 422', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await post(carol, `pin ${i}`, i === 5 ? 'private' : 'public'));
    for (const id of ids.slice(0, 5)) {
      const res = await carol.api.post(`/api/v1/statuses/${id}/pin`);
      expect(res.status).toBe(200);
      expect(res.body.pinned).toBe(true);
    }
    const sixth = await carol.api.post(`/api/v1/statuses/${ids[5]}/pin`);
    expect(sixth.status).toBe(422);
    expect(sixth.body).toEqual({ error: 'Validation failed: You have already pinned the maximum number of posts' });
    expect((await carol.api.get(`/api/v1/statuses/${ids[5]}`)).body.pinned).toBe(false);

    const others = await carol.api.post(`/api/v1/statuses/${await post(alice, 'not yours')}/pin`);
    expect(others.status).toBe(422);
    const direct = await post(bob, 'dm', 'direct');
    expect((await bob.api.post(`/api/v1/statuses/${direct}/pin`)).status).toBe(422);
    expect((await carol.api.post('/api/v1/statuses/1000000000000000/pin')).status).toBe(404);

    const pinned = await kith.services.statuses.listPinned(carol.account._id, alice.account);
    expect(pinned.map((s) => s._id).sort()).toEqual(ids.slice(0, 5).sort());
    // Another viewer sees the statuses, but no "pinned" flag: it is the author's own.
    expect((await alice.api.get(`/api/v1/statuses/${ids[0]}`)).body.pinned).toBeUndefined();

    const un = await carol.api.post(`/api/v1/statuses/${ids[0]}/unpin`);
    expect(un.body.pinned).toBe(false);
    expect((await carol.api.post(`/api/v1/statuses/${ids[5]}/pin`)).body.pinned).toBe(true);
    const reader = await kith.createUser('pinreader', { scopes: ['read', 'write:statuses'] });
    const readerStatus = await post(reader, 'no write:accounts');
    expect((await reader.api.post(`/api/v1/statuses/${readerStatus}/pin`)).status).toBe(403);
  });
});

describe('serializing a page', () => {
  it('costs the same few MongoDB queries for 3 statuses as for 36, boosts and mentions included', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const id = await post(i % 2 ? alice : carol, `item ${i} for @bob and @carol`);
      const boost = await bob.api.post(`/api/v1/statuses/${id}/reblog`);
      await bob.api.post(`/api/v1/statuses/${id}/favourite`);
      ids.push(id, boost.body.id, await post(bob, `reply ${i}`));
    }
    const records = await kith.services.statuses.getMany(ids);
    expect(records).toHaveLength(36);
    await kith.services.statuses.serializeMany(records, bob.account);
    // The spies count every query in the process: let the side effects of the posts above (fan-out,
    // notifications, the federation outbox) finish first.
    await kith.idle();

    const find = vi.spyOn(Collection.prototype, 'find');
    const findOne = vi.spyOn(Collection.prototype, 'findOne');
    try {
      const few = await kith.services.statuses.serializeMany(records.slice(0, 3), bob.account);
      const queriesForFew = find.mock.calls.length + findOne.mock.calls.length;
      find.mockClear();
      findOne.mockClear();
      const page = await kith.services.statuses.serializeMany(records, bob.account);
      expect(find.mock.calls.length + findOne.mock.calls.length).toBe(queriesForFew);
      // Accounts, then the viewer's favourites, boosts, bookmarks and pins: one query each.
      expect(queriesForFew).toBeGreaterThan(0);
      expect(queriesForFew).toBeLessThanOrEqual(5);
      expect(few).toHaveLength(3);
      expect(page).toHaveLength(36);
      expect(page[1]).toMatchObject({ reblog: { id: ids[0], favourited: true, reblogged: true } });
    } finally {
      find.mockRestore();
      findOne.mockRestore();
    }
  });
});

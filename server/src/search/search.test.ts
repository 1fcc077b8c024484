import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';
import { dayOf } from './hashtags.service.ts';

let kith: TestInstance;
let mongo: MongoClient;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let dave: TestUser;

async function post(user: TestUser, status: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await user.api.post('/api/v1/statuses', { status, ...extra });
  expect(res.status).toBe(200);
  return res.body.id;
}

const names = (accounts: { username: string }[]) => accounts.map((a) => a.username);

beforeAll(async () => {
  kith = await startTestInstance();
  mongo = await MongoClient.connect(inject('mongoUrl'));
  [alice, bob, carol, dave] = await Promise.all([
    kith.createUser('alice', { displayName: 'Alice Martin' }),
    kith.createUser('bob', { displayName: 'Robert Engel' }),
    kith.createUser('carol', { displayName: 'Carol Díaz' }),
    kith.createUser('dave', { displayName: 'Dave' }),
  ]);
  await alice.api.patch('/api/v1/accounts/update_credentials', { title: 'Sales Lead', department: 'Sales', location: 'Lyon' });
  await bob.api.patch('/api/v1/accounts/update_credentials', { title: 'Engineer', department: 'Engineering', location: 'Berlin' });
  await carol.api.patch('/api/v1/accounts/update_credentials', { title: 'Engineering Manager', department: 'Engineering', location: 'Lyon' });
});
afterAll(async () => {
  await mongo?.close();
  await kith?.close();
});

describe('account search', () => {
  it('finds accounts by prefixes of username, display name, title, department and location', async () => {
    const byName = await dave.api.get('/api/v2/search', { q: 'ali', type: 'accounts' });
    expect(byName.status).toBe(200);
    expect(names(byName.body.accounts)).toEqual(['alice']);
    expect(byName.body.accounts[0]).toMatchObject({ id: alice.account._id, acct: 'alice', display_name: 'Alice Martin', kith: { department: 'Sales' } });
    expect(byName.body).toMatchObject({ statuses: [], hashtags: [] });

    expect(names((await dave.api.get('/api/v2/search', { q: 'engin', type: 'accounts' })).body.accounts).sort()).toEqual(['bob', 'carol']);
    // Every word must match: "engineering" (department) and "lyon" (location).
    expect(names((await dave.api.get('/api/v2/search', { q: 'Engineering Lyon', type: 'accounts' })).body.accounts)).toEqual(['carol']);
    // Accents and case do not matter.
    expect(names((await dave.api.get('/api/v2/search', { q: 'DIAZ', type: 'accounts' })).body.accounts)).toEqual(['carol']);
    expect(names((await dave.api.get('/api/v2/search', { q: 'sales lead', type: 'accounts' })).body.accounts)).toEqual(['alice']);
    expect((await dave.api.get('/api/v2/search', { q: 'nobody-here', type: 'accounts' })).body.accounts).toEqual([]);
  });

  it('takes handles, puts the exact username first, and finds nobody on other domains', async () => {
    expect(names((await dave.api.get('/api/v2/search', { q: '@bob', type: 'accounts' })).body.accounts)[0]).toBe('bob');
    expect(names((await dave.api.get('/api/v2/search', { q: `bob@${kith.config.domain}`, type: 'accounts' })).body.accounts)).toEqual(['bob']);
    expect((await dave.api.get('/api/v2/search', { q: 'bob@elsewhere.example', type: 'accounts', resolve: true })).body.accounts).toEqual([]);
  });

  it('limits to followed accounts with following=true, and pages with limit and offset', async () => {
    expect((await dave.api.post(`/api/v1/accounts/${carol.account._id}/follow`)).status).toBe(200);
    const followed = await dave.api.get('/api/v2/search', { q: 'engineering', type: 'accounts', following: true });
    expect(names(followed.body.accounts)).toEqual(['carol']);

    const first = await dave.api.get('/api/v2/search', { q: 'engineering', type: 'accounts', limit: 1 });
    const second = await dave.api.get('/api/v2/search', { q: 'engineering', type: 'accounts', limit: 1, offset: 1 });
    expect(first.body.accounts).toHaveLength(1);
    expect(second.body.accounts).toHaveLength(1);
    expect(first.body.accounts[0].id).not.toBe(second.body.accounts[0].id);
  });

  it('serves GET /api/v1/accounts/search', async () => {
    const res = await dave.api.get('/api/v1/accounts/search', { q: 'lyon' });
    expect(res.status).toBe(200);
    expect(names(res.body).sort()).toEqual(['alice', 'carol']);
    expect(names((await dave.api.get('/api/v1/accounts/search', { q: 'lyon', following: true })).body)).toEqual(['carol']);
    expect((await dave.api.get('/api/v1/accounts/search', { q: 'lyon', limit: 1 })).body).toHaveLength(1);
  });

  it('leaves suspended accounts out', async () => {
    const gone = await kith.createUser('suspendedsam', { displayName: 'Suspended Sam' });
    await kith.services.accounts.setSuspended(gone.account._id, true);
    expect((await dave.api.get('/api/v1/accounts/search', { q: 'suspendedsam' })).body).toEqual([]);
  });
});

describe('hashtag search and GET /api/v1/tags/:name', () => {
  it('records hashtags from statuses with their display name and daily uses', async () => {
    await post(alice, 'Kick-off for #KithLaunch today');
    await post(bob, 'Ready for #kithlaunch and #Kickoff2025');
    await post(carol, 'Private note on #KithLaunch', { visibility: 'private' });
    await kith.idle();

    const res = await dave.api.get('/api/v2/search', { q: '#kith', type: 'hashtags' });
    expect(res.status).toBe(200);
    expect(res.body.hashtags).toHaveLength(1);
    const tag = res.body.hashtags[0];
    expect(tag).toMatchObject({ name: 'KithLaunch', url: `${kith.url}/tags/kithlaunch`, following: false });
    expect(tag.id).toMatch(/^\d{16}$/);
    expect(tag.history).toHaveLength(7);
    // Newest day first; day is the Unix time of midnight UTC; numbers are strings. The private status does not count.
    expect(tag.history[0]).toEqual({ day: String(dayOf(new Date())), uses: '2', accounts: '2' });
    expect(tag.history.slice(1).every((h: { uses: string }) => h.uses === '0')).toBe(true);
    expect(Number(tag.history[0].day) - Number(tag.history[1].day)).toBe(86_400);

    // "Kickoff2025": prefixes of each word.
    expect((await dave.api.get('/api/v2/search', { q: 'kick', type: 'hashtags' })).body.hashtags.map((t: { name: string }) => t.name)).toEqual(['Kickoff2025']);
    expect((await dave.api.get('/api/v2/search', { q: 'unused', type: 'hashtags' })).body.hashtags).toEqual([]);

    const lookup = await dave.api.get('/api/v1/tags/KITHLAUNCH');
    expect(lookup.status).toBe(200);
    expect(lookup.body).toMatchObject({ id: tag.id, name: 'KithLaunch', history: tag.history });
  });

  it('keeps tags used only in private or direct statuses out of search and the tag lookup, edits included', async () => {
    const secret = await post(bob, 'Planning #HushProject quietly', { visibility: 'private' });
    await post(bob, '@alice about #WhisperPlan', { visibility: 'direct' });
    await post(alice, 'Everyone is welcome at the #OpenHouse');
    await kith.idle();
    // An edit adding a tag to a private status records nothing either.
    expect((await bob.api.put(`/api/v1/statuses/${secret}`, { status: 'Planning #HushProject and #HushEdit quietly' })).status).toBe(200);
    await kith.idle();

    const tagNames = async (user: TestUser, q: string) => {
      const res = await user.api.get('/api/v2/search', { q, type: 'hashtags' });
      expect(res.status).toBe(200);
      return res.body.hashtags.map((t: { name: string }) => t.name);
    };
    expect(await tagNames(dave, 'openhouse')).toEqual(['OpenHouse']);
    for (const q of ['hush', '#HushProject', 'hushedit', 'whisper', '#WhisperPlan']) {
      expect(await tagNames(dave, q), q).toEqual([]);
      // Not even their authors find them: search shows what the whole instance uses.
      expect(await tagNames(bob, q), q).toEqual([]);
    }
    // The lookup answers as for a tag nobody used: no id, the name as asked, no uses.
    for (const name of ['HushProject', 'hushedit', 'WhisperPlan']) {
      const res = await dave.api.get(`/api/v1/tags/${name}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: '', name, following: false });
      expect(res.body.history.map((h: { uses: string }) => h.uses)).toEqual(['0', '0', '0', '0', '0', '0', '0']);
    }
    const open = await dave.api.get('/api/v1/tags/openhouse');
    expect(open.body).toMatchObject({ name: 'OpenHouse' });
    expect(open.body.id).toMatch(/^\d{16}$/);
    expect(open.body.history[0]).toMatchObject({ uses: '1', accounts: '1' });
    const hashtags = mongo.db(kith.config.mongodbDatabase).collection<{ _id: string }>('hashtags');
    expect(await hashtags.countDocuments({ _id: { $in: ['hushproject', 'hushedit', 'whisperplan'] } })).toBe(0);
  });

  it('answers a valid tag nobody used with an empty history, and an invalid name with 404', async () => {
    const fresh = await dave.api.get('/api/v1/tags/NeverUsed');
    expect(fresh.status).toBe(200);
    expect(fresh.body).toMatchObject({ id: '', name: 'NeverUsed', url: `${kith.url}/tags/neverused`, following: false });
    expect(fresh.body.history.map((h: { uses: string }) => h.uses)).toEqual(['0', '0', '0', '0', '0', '0', '0']);
    expect((await dave.api.get('/api/v1/tags/not-a-tag')).status).toBe(404);
    expect((await dave.api.get('/api/v1/tags/1234')).status).toBe(404);
    expect((await kith.api.get('/api/v1/tags/KithLaunch')).status).toBe(401);
  });

  it('takes a deleted status out of the day count', async () => {
    const id = await post(dave, 'One more for #CountMe');
    await kith.idle();
    expect((await dave.api.get('/api/v1/tags/countme')).body.history[0].uses).toBe('1');
    expect((await dave.api.delete(`/api/v1/statuses/${id}`)).status).toBe(200);
    await kith.idle();
    expect((await dave.api.get('/api/v1/tags/countme')).body.history[0].uses).toBe('0');
  });
});

describe('status search', () => {
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    ids.report = await post(alice, 'The quarterly report draft is ready');
    ids.budget = await post(bob, 'Quarterly budget numbers, followers only', { visibility: 'private' });
    ids.secret = await post(bob, '@carol the quarterly surprise is set', { visibility: 'direct' });
    ids.offsite = await post(carol, 'Quarterly offsite for the department', { visibility: 'local' });
    ids.unlisted = await post(carol, 'Quarterly numbers are unlisted here', { visibility: 'unlisted' });
    ids.boost = (await dave.api.post(`/api/v1/statuses/${ids.report}/reblog`)).body.id;
  });

  const found = (res: { body: { statuses: { id: string }[] } }) => res.body.statuses.map((s) => s.id);

  it('matches statuses holding every word, newest first, and only what the viewer may see', async () => {
    const res = await dave.api.get('/api/v2/search', { q: 'quarterly', type: 'statuses' });
    expect(res.status).toBe(200);
    // Public, unlisted and department-only statuses; not private or direct ones; never the boost.
    expect(found(res)).toEqual([ids.unlisted, ids.offsite, ids.report]);
    expect(res.body.statuses[0]).toMatchObject({ id: ids.unlisted, account: { id: carol.account._id }, favourited: false, reblogged: false });
    expect(res.body.statuses.find((s: { id: string }) => s.id === ids.report).reblogged).toBe(true);

    expect(found(await dave.api.get('/api/v2/search', { q: 'Quarterly REPORT', type: 'statuses' }))).toEqual([ids.report]);
    expect(found(await dave.api.get('/api/v2/search', { q: 'quarterly numbers', type: 'statuses' }))).toEqual([ids.unlisted]);
    expect(found(await dave.api.get('/api/v2/search', { q: 'quarterly nowhere', type: 'statuses' }))).toEqual([]);
  });

  it("includes the viewer's own statuses and those mentioning them", async () => {
    expect(found(await bob.api.get('/api/v2/search', { q: 'quarterly', type: 'statuses' }))).toEqual([ids.unlisted, ids.offsite, ids.secret, ids.budget, ids.report]);
    expect(found(await carol.api.get('/api/v2/search', { q: 'surprise', type: 'statuses' }))).toEqual([ids.secret]);
    expect(found(await dave.api.get('/api/v2/search', { q: 'surprise', type: 'statuses' }))).toEqual([]);
  });

  it('filters by account and pages with limit, offset, max_id and min_id', async () => {
    expect(found(await dave.api.get('/api/v2/search', { q: 'quarterly', type: 'statuses', account_id: carol.account._id }))).toEqual([ids.unlisted, ids.offsite]);
    expect(found(await dave.api.get('/api/v2/search', { q: 'quarterly', type: 'statuses', limit: 1 }))).toEqual([ids.unlisted]);
    expect(found(await dave.api.get('/api/v2/search', { q: 'quarterly', type: 'statuses', limit: 1, offset: 1 }))).toEqual([ids.offsite]);
    expect(found(await dave.api.get('/api/v2/search', { q: 'quarterly', type: 'statuses', max_id: ids.offsite! }))).toEqual([ids.report]);
    expect(found(await dave.api.get('/api/v2/search', { q: 'quarterly', type: 'statuses', min_id: ids.report!, limit: 1 }))).toEqual([ids.offsite]);
  });

  it('drops deleted statuses', async () => {
    const id = await post(alice, 'Ephemeral quarterly musing');
    expect(found(await dave.api.get('/api/v2/search', { q: 'ephemeral', type: 'statuses' }))).toEqual([id]);
    await alice.api.delete(`/api/v1/statuses/${id}`);
    expect(found(await dave.api.get('/api/v2/search', { q: 'ephemeral', type: 'statuses' }))).toEqual([]);
  });

  it('searches all three kinds without a type, and resolves URLs of this instance', async () => {
    const res = await dave.api.get('/api/v2/search', { q: 'carol' });
    expect(res.status).toBe(200);
    expect(names(res.body.accounts)).toEqual(['carol']);
    expect(Array.isArray(res.body.statuses) && Array.isArray(res.body.hashtags)).toBe(true);

    const url = `${kith.url}/@alice/${ids.report}`;
    expect(found(await dave.api.get('/api/v2/search', { q: url, resolve: true }))).toEqual([ids.report]);
    expect(found(await dave.api.get('/api/v2/search', { q: url }))).toEqual([]);
    expect(names((await dave.api.get('/api/v2/search', { q: `${kith.url}/@bob`, resolve: true })).body.accounts)).toEqual(['bob']);
    // A private status of someone dave does not follow stays hidden, URL or not.
    expect(found(await dave.api.get('/api/v2/search', { q: `${kith.url}/@bob/${ids.budget}`, resolve: true }))).toEqual([]);
  });
});

describe('bad search requests', () => {
  it('answers 400 for a missing or empty q, a bad type and out-of-range numbers', async () => {
    for (const query of [{}, { q: '' }, { q: 'x', type: 'people' }, { q: 'x', limit: 41 }, { q: 'x', limit: 0 }, { q: 'x', offset: -1 }, { q: 'x', limit: 'many' }]) {
      const res = await dave.api.get('/api/v2/search', query as Record<string, string>);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(typeof res.body.error).toBe('string');
    }
    expect((await dave.api.get('/api/v1/accounts/search', {})).status).toBe(400);
  });

  it('needs a user token with read:search (read:accounts for account search)', async () => {
    expect((await kith.api.get('/api/v2/search', { q: 'alice' })).status).toBe(401);
    expect((await kith.api.get('/api/v1/accounts/search', { q: 'alice' })).status).toBe(401);
    const narrow = await kith.createUser('narrowsearch', { scopes: ['read:statuses'] });
    expect((await narrow.api.get('/api/v2/search', { q: 'alice' })).status).toBe(403);
    expect((await narrow.api.get('/api/v1/accounts/search', { q: 'alice' })).status).toBe(403);
    const searcher = await kith.createUser('searcher', { scopes: ['read:search', 'read:accounts'] });
    expect((await searcher.api.get('/api/v2/search', { q: 'alice' })).status).toBe(200);
  });
});

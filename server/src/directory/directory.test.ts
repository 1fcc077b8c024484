// The people directory: discoverable, unsuspended accounts, this instance's first (most recently active
// first), then known accounts of other instances; offset paging runs across both groups.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';
import { remoteActor } from '../accounts/remote-actor.test-support.ts';

let kith: TestInstance;
let ann: TestUser;
let ben: TestUser;
let cat: TestUser;

const names = (accounts: { acct: string }[]) => accounts.map((a) => a.acct);

beforeAll(async () => {
  kith = await startTestInstance();
  ann = await kith.createUser('ann');
  ben = await kith.createUser('ben');
  cat = await kith.createUser('cat');
  const hidden = await kith.createUser('hidden');
  const gone = await kith.createUser('gone');
  await hidden.api.patch('/api/v1/accounts/update_credentials', { discoverable: false });
  await kith.services.accounts.setSuspended(gone.account._id, true);
  // Activity order: ben posted last, then ann; cat never posted.
  expect((await ann.api.post('/api/v1/statuses', { status: 'first' })).status).toBe(200);
  expect((await ben.api.post('/api/v1/statuses', { status: 'second' })).status).toBe(200);
  await kith.services.accounts.upsertRemote(remoteActor('rita', '127.0.0.1:3999'));
  await kith.idle();
});

afterAll(async () => {
  await kith?.close();
});

describe('GET /api/v1/directory', () => {
  it('lists local accounts by recent activity, then remote ones; hidden and suspended accounts are left out', async () => {
    const res = await cat.api.get('/api/v1/directory');
    expect(res.status).toBe(200);
    const all = names(res.body);
    expect(all).not.toContain('hidden');
    expect(all).not.toContain('gone');
    expect(all.slice(0, 2)).toEqual(['ben', 'ann']);
    expect(all.at(-1)).toBe('rita@127.0.0.1:3999');
    expect(all.indexOf('cat')).toBeLessThan(all.indexOf('rita@127.0.0.1:3999'));
    expect(res.body[0]).toMatchObject({ id: ben.account._id, username: 'ben', kith: { department: '' } });
  });

  it('pages by offset across the local and the remote group, and local=true keeps to this instance', async () => {
    const all = names((await cat.api.get('/api/v1/directory', { limit: 80 })).body);
    const pages: string[] = [];
    for (let offset = 0; offset < all.length + 2; offset += 2) {
      pages.push(...names((await cat.api.get('/api/v1/directory', { limit: 2, offset })).body));
    }
    expect(pages).toEqual(all);
    const local = names((await cat.api.get('/api/v1/directory', { local: true, limit: 80 })).body);
    expect(local).toEqual(all.filter((acct) => !acct.includes('@')));
  });

  it('orders by newest account with order=new', async () => {
    const newest = names((await cat.api.get('/api/v1/directory', { order: 'new', local: 'true' })).body);
    expect(newest.indexOf('cat')).toBeLessThan(newest.indexOf('ben'));
    expect(newest.indexOf('ben')).toBeLessThan(newest.indexOf('ann'));
  });

  it('refuses bad parameters and anonymous callers', async () => {
    expect((await cat.api.get('/api/v1/directory', { limit: 0 })).status).toBe(400);
    expect((await cat.api.get('/api/v1/directory', { limit: 81 })).status).toBe(400);
    expect((await cat.api.get('/api/v1/directory', { order: 'popular' })).status).toBe(400);
    expect((await cat.api.get('/api/v1/directory', { offset: -1 })).status).toBe(400);
    expect((await kith.api.get('/api/v1/directory')).status).toBe(401);
  });
});

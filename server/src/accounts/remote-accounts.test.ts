// Remote accounts as federation stores them: upsert by ActivityPub id, lookups by id, and the API view.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance } from '../../test/harness.ts';
import { remoteActor } from './remote-actor.test-support.ts';

let kith: TestInstance;

beforeAll(async () => {
  kith = await startTestInstance();
});

afterAll(async () => {
  await kith?.close();
});

describe('AccountsService.upsertRemote', () => {
  it('creates a remote account, then updates the same record by uri', async () => {
    const accounts = kith.services.accounts;
    const id = await accounts.upsertRemote(remoteActor('zed'));
    const stored = await accounts.get(id);
    expect(stored).toMatchObject({
      username: 'zed', domain: '127.0.0.1:3999', uri: 'http://127.0.0.1:3999/users/zed', url: 'http://127.0.0.1:3999/@zed',
      inboxUrl: 'http://127.0.0.1:3999/users/zed/inbox', sharedInboxUrl: 'http://127.0.0.1:3999/inbox', followersUrl: 'http://127.0.0.1:3999/users/zed/followers',
      email: null, passwordHash: null, role: 'member', title: 'Engineer', department: 'Engineering', fetchedAt: expect.any(Date),
    });
    const again = await accounts.upsertRemote(remoteActor('zed', undefined, { displayName: 'Zed Z.', locked: true, title: 'Lead' }));
    expect(again).toBe(id);
    expect(await accounts.get(id)).toMatchObject({ displayName: 'Zed Z.', locked: true, title: 'Lead', domain: '127.0.0.1:3999' });
    expect(await accounts.findByUri('http://127.0.0.1:3999/users/zed')).toMatchObject({ _id: id });
    // A remote account can never sign in.
    expect(await accounts.authenticate('zed', 'anything at all')).toBeNull();
  });

  it('stores one record when the same actor arrives twice at once', async () => {
    const ids = await Promise.all(Array.from({ length: 4 }, () => kith.services.accounts.upsertRemote(remoteActor('twin'))));
    expect(new Set(ids).size).toBe(1);
  });

  it('never lets a remote actor take a local name, claim this host, or name a host it is not on', async () => {
    const accounts = kith.services.accounts;
    const local = await kith.createUser('alice');
    // Same username elsewhere is another account.
    const remoteAlice = await accounts.upsertRemote(remoteActor('alice'));
    expect(remoteAlice).not.toBe(local.account._id);
    expect((await accounts.get(local.account._id)).domain).toBeNull();
    await expect(accounts.upsertRemote(remoteActor('alice', kith.config.domain))).rejects.toThrow(/cannot be on this instance/);
    await expect(accounts.upsertRemote(remoteActor('mallory', '127.0.0.1:3999', { uri: 'http://127.0.0.1:4000/users/mallory' }))).rejects.toThrow(/not on the actor host/);
    await expect(accounts.upsertRemote(remoteActor('bad name'))).rejects.toThrow(/username is not valid/);
    await expect(accounts.upsertRemote(remoteActor('eve', undefined, { inboxUrl: 'javascript:alert(1)' }))).rejects.toThrow(/Inbox URL/);
    // Another actor id claiming a username@host that is taken.
    await expect(accounts.upsertRemote(remoteActor('zed', undefined, { uri: 'http://127.0.0.1:3999/actors/zed-2' }))).rejects.toThrow(/Another actor holds/);
    expect(await accounts.findByUri('http://127.0.0.1:4000/users/mallory')).toBeNull();
    expect(await accounts.findByUri('http://127.0.0.1:3999/users/eve')).toBeNull();
    expect((await accounts.search(['mallory'], { localOnly: false, limit: 5, offset: 0 }))).toEqual([]);
  });

  it('finds local accounts by their actor id without the network', async () => {
    const accounts = kith.services.accounts;
    const bob = await kith.createUser('bob');
    expect(await accounts.findByUri(`${kith.url}/users/bob`)).toMatchObject({ _id: bob.account._id });
    expect(await accounts.findByUri(`${kith.url}/users/nobody`)).toBeNull();
    expect(await accounts.findByUri(`${kith.url}/users/bob/followers`)).toBeNull();
    expect(await accounts.findByUri('http://127.0.0.1:3999/users/nobody')).toBeNull();
  });

  it('shows remote accounts with their own URLs, http included', async () => {
    const id = await kith.services.accounts.upsertRemote(remoteActor('yan', '127.0.0.1:3998'));
    const me = await kith.createUser('viewer');
    const res = await me.api.get(`/api/v1/accounts/${id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ username: 'yan', acct: 'yan@127.0.0.1:3998', url: 'http://127.0.0.1:3998/@yan', uri: 'http://127.0.0.1:3998/users/yan' });
    const local = await me.api.get(`/api/v1/accounts/${me.account._id}`);
    expect(local.body).toMatchObject({ url: `${kith.url}/@viewer`, uri: `${kith.url}/users/viewer` });
  });
});

// Likes, boosts and edits between two real instances, and the inbox's ownership rules: an actor may
// update, delete and undo only its own objects. The crafted activities are sent by a real instance
// (validly signed by mallory, a real account there), so only the listeners' checks stop them.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Create, Delete, Follow, Mention, Note, PUBLIC_COLLECTION, Tombstone, Undo, Update, type Activity } from '@fedify/fedify/vocab';
import type { TestInstance, TestUser } from '../harness.ts';
import { allow, closeAll, contextOf, hostOf, post, remoteAccountId, remoteStatusId, settle, startInstances } from './network.ts';

let a: TestInstance; // alice
let b: TestInstance; // bob, bea, and mallory who tries to act on bob's objects
let alice: TestUser;
let bob: TestUser;
let bea: TestUser; // follows alice too: two followers on b
let dan: TestUser; // alice's colleague on a

/** Sends `activity` as mallory@b straight to alice's inbox on a; a refusal at the HTTP level is fine too. */
async function sendAsMallory(activity: Activity): Promise<void> {
  const recipient = { id: new URL(`${a.url}/users/alice`), inboxId: new URL(`${a.url}/users/alice/inbox`) };
  await contextOf(b).sendActivity({ identifier: 'mallory' }, recipient, activity, { immediate: true }).catch(() => undefined);
  await settle([a, b]);
}

let aliceStatus: { id: string; uri: string; onB: string };
let bobStatus: { id: string; uri: string; onA: string };
let aliceOnB: string;

beforeAll(async () => {
  [a, b] = await startInstances(2);
  await allow(a, b);
  await allow(b, a);
  [alice, bob, bea, dan] = await Promise.all([a.createUser('alice'), b.createUser('bob'), b.createUser('bea'), a.createUser('dan'), b.createUser('mallory')]);

  // Each follows the other, so each one's public statuses reach the other instance.
  aliceOnB = await remoteAccountId(b, a, 'alice');
  const bobOnA = await remoteAccountId(a, b, 'bob');
  await bob.api.post(`/api/v1/accounts/${aliceOnB}/follow`);
  await bea.api.post(`/api/v1/accounts/${aliceOnB}/follow`);
  await alice.api.post(`/api/v1/accounts/${bobOnA}/follow`);
  await settle([a, b]);

  const fromAlice = await post(alice, 'Quarterly numbers are in');
  const fromBob = await post(bob, 'Release 2.0 shipped');
  await settle([a, b]);
  aliceStatus = { id: fromAlice.id, uri: fromAlice.uri, onB: (await remoteStatusId(b, fromAlice.uri))! };
  bobStatus = { id: fromBob.id, uri: fromBob.uri, onA: (await remoteStatusId(a, fromBob.uri))! };
});

afterAll(async () => {
  await closeAll([a, b]);
});

describe('likes, boosts and edits across instances', () => {
  it('a Like and its Undo reach the author’s instance', async () => {
    expect(aliceStatus.onB).not.toBeNull();
    expect((await bob.api.post(`/api/v1/statuses/${aliceStatus.onB}/favourite`)).status).toBe(200);
    await settle([a, b]);
    expect((await alice.api.get(`/api/v1/statuses/${aliceStatus.id}`)).body.favourites_count).toBe(1);

    expect((await bob.api.post(`/api/v1/statuses/${aliceStatus.onB}/unfavourite`)).status).toBe(200);
    await settle([a, b]);
    expect((await alice.api.get(`/api/v1/statuses/${aliceStatus.id}`)).body.favourites_count).toBe(0);
  });

  it('an Announce and its Undo reach the author’s instance', async () => {
    expect((await bob.api.post(`/api/v1/statuses/${aliceStatus.onB}/reblog`)).status).toBe(200);
    await settle([a, b]);
    expect((await alice.api.get(`/api/v1/statuses/${aliceStatus.id}`)).body.reblogs_count).toBe(1);

    expect((await bob.api.post(`/api/v1/statuses/${aliceStatus.onB}/unreblog`)).status).toBe(200);
    await settle([a, b]);
    expect((await alice.api.get(`/api/v1/statuses/${aliceStatus.id}`)).body.reblogs_count).toBe(0);
  });

  it('an edit (Update) replaces the remote copy’s content', async () => {
    const edited = await alice.api.put(`/api/v1/statuses/${aliceStatus.id}`, { status: 'Quarterly numbers are in (corrected)' });
    expect(edited.status).toBe(200);
    await settle([a, b]);
    const copy = await bob.api.get(`/api/v1/statuses/${aliceStatus.onB}`);
    expect(copy.body.content).toContain('(corrected)');
    expect(copy.body.edited_at).not.toBeNull();
  });
});

describe('profiles across instances', () => {
  it('a profile change (Update of the Person) reaches the followers’ instance', async () => {
    const updated = await alice.api.patch('/api/v1/accounts/update_credentials', { display_name: 'Alice from Sales', title: 'Account Executive' });
    expect(updated.status).toBe(200);
    await settle([a, b]);
    const copy = await bob.api.get(`/api/v1/accounts/${aliceOnB}`);
    expect(copy.body.display_name).toBe('Alice from Sales');
  });
});

describe('delivery', () => {
  it('sends one request to an instance where two followers live: its shared inbox', async () => {
    const posts: string[] = [];
    const spy = vi.spyOn(globalThis, 'fetch');
    try {
      await alice.api.post('/api/v1/statuses', { status: 'One request per instance' });
      await settle([a, b]);
      for (const [input, init] of spy.mock.calls) {
        const request = input instanceof Request ? input : null;
        const url = new URL(request ? request.url : String(input));
        const method = (request?.method ?? init?.method ?? 'GET').toUpperCase();
        if (method === 'POST' && url.host === hostOf(b)) posts.push(url.href);
      }
    } finally {
      spy.mockRestore();
    }
    expect(posts).toEqual([`${b.url}/inbox`]);
    const followers = await alice.api.get(`/api/v1/accounts/${alice.account._id}/followers`);
    expect((followers.body as unknown[]).length).toBe(2);
  });
});

describe('the inbox acts only on the sender’s own objects', () => {
  const mallory = () => new URL(`${b.url}/users/mallory`);

  it('applies mallory’s Create of her own Note (the path the refusals below take works)', async () => {
    const uri = `${mallory().href}/statuses/own-1`;
    const own = new Note({ id: new URL(uri), attribution: mallory(), content: '<p>Hello, I am new</p>', to: PUBLIC_COLLECTION });
    await sendAsMallory(new Create({ id: new URL(`${uri}/activity`), actor: mallory(), object: own, to: PUBLIC_COLLECTION }));
    const stored = await remoteStatusId(a, uri);
    expect(stored).not.toBeNull();
    expect((await alice.api.get(`/api/v1/statuses/${stored}`)).body.content).toContain('Hello, I am new');
  });

  it('stores a direct Note as direct: the mentioned account sees it, a colleague does not', async () => {
    const uri = `${mallory().href}/statuses/dm-1`;
    const aliceUri = new URL(`${a.url}/users/alice`);
    const dm = new Note({
      id: new URL(uri),
      attribution: mallory(),
      content: '<p>Psst, alice</p>',
      to: aliceUri,
      tags: [new Mention({ href: aliceUri, name: `@alice@${hostOf(a)}` })],
    });
    await sendAsMallory(new Create({ id: new URL(`${uri}/activity`), actor: mallory(), object: dm, to: aliceUri }));
    const stored = await remoteStatusId(a, uri);
    expect(stored).not.toBeNull();
    const seen = await alice.api.get(`/api/v1/statuses/${stored}`);
    expect(seen.body).toEqual(expect.objectContaining({ visibility: 'direct', mentions: [expect.objectContaining({ username: 'alice' })] }));
    expect((await dan.api.get(`/api/v1/statuses/${stored}`)).status).toBe(404);
  });

  it('ignores a Delete of another actor’s status', async () => {
    expect(bobStatus.onA).not.toBeNull();
    await sendAsMallory(
      new Delete({ id: new URL(`${mallory().href}#delete-bob`), actor: mallory(), object: new Tombstone({ id: new URL(bobStatus.uri) }), to: PUBLIC_COLLECTION }),
    );
    const copy = await alice.api.get(`/api/v1/statuses/${bobStatus.onA}`);
    expect(copy.status).toBe(200);
    expect(copy.body.content).toContain('Release 2.0 shipped');
  });

  it('ignores an Update of another actor’s status', async () => {
    const forged = new Note({ id: new URL(bobStatus.uri), attribution: mallory(), content: '<p>Release cancelled</p>', to: PUBLIC_COLLECTION });
    await sendAsMallory(new Update({ id: new URL(`${mallory().href}#update-bob`), actor: mallory(), object: forged, to: PUBLIC_COLLECTION }));
    const copy = await alice.api.get(`/api/v1/statuses/${bobStatus.onA}`);
    expect(copy.body.content).toContain('Release 2.0 shipped');
    expect(copy.body.edited_at).toBeNull();
  });

  it('ignores a Create of a Note attributed to someone else', async () => {
    const uri = `${mallory().href}/statuses/forged-1`;
    const forged = new Note({ id: new URL(uri), attribution: new URL(`${b.url}/users/bob`), content: '<p>I quit</p>', to: PUBLIC_COLLECTION });
    await sendAsMallory(new Create({ id: new URL(`${uri}/activity`), actor: mallory(), object: forged, to: PUBLIC_COLLECTION }));
    expect(await remoteStatusId(a, uri)).toBeNull();
  });

  it('ignores an Undo of another actor’s Follow', async () => {
    const bobFollow = new Follow({ actor: new URL(`${b.url}/users/bob`), object: new URL(`${a.url}/users/alice`) });
    await sendAsMallory(new Undo({ id: new URL(`${mallory().href}#undo-bob`), actor: mallory(), object: bobFollow }));
    const followers = await alice.api.get(`/api/v1/accounts/${alice.account._id}/followers`);
    expect((followers.body as { acct: string }[]).map((f) => f.acct).sort()).toEqual([`bea@${hostOf(b)}`, `bob@${hostOf(b)}`]);
  });
});

describe('unfollowing across instances', () => {
  it('an Undo of a Follow ends it on the followed account’s instance', async () => {
    expect((await bea.api.post(`/api/v1/accounts/${aliceOnB}/unfollow`)).status).toBe(200);
    await settle([a, b]);
    const followers = await alice.api.get(`/api/v1/accounts/${alice.account._id}/followers`);
    expect((followers.body as { acct: string }[]).map((f) => f.acct)).toEqual([`bob@${hostOf(b)}`]);
  });
});

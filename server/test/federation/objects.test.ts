// Statuses as ActivityPub objects and finding things on other instances, between real instances on
// loopback over real signed HTTP: the Note (and its Create) served by authorized fetch with the status's
// visibility, and search / account lookup resolving handles and URLs of allowed instances only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { webcrypto } from 'node:crypto';
import { signRequest } from '@fedify/fedify';
import type { TestInstance, TestUser } from '../harness.ts';
import { allow, closeAll, hostOf, post, settle, startInstances } from './network.ts';

const AS = 'application/activity+json';
let a: TestInstance; // alice (followed by bob), dan (followed by nobody); allows b, not c
let b: TestInstance; // bob; allows a
let c: TestInstance; // carol; allows a, but a does not allow c
let alice: TestUser;
let dan: TestUser;
let bob: TestUser;
let carol: TestUser;

/** A GET of `url` signed with the instance actor's RSA key on `instance` (what its lookups send). */
async function signedGet(instance: TestInstance, url: string): Promise<Response> {
  const ctx = instance.kith.federation.federation.createContext(new URL(instance.url), { signer: null });
  const [rsa] = await ctx.getActorKeyPairs('~instance');
  const { privateKey } = rsa as unknown as webcrypto.CryptoKeyPair;
  const request = await signRequest(new Request(url, { headers: { accept: AS } }), privateKey, rsa!.keyId, { spec: 'rfc9421' });
  return fetch(url, { headers: request.headers, redirect: 'manual' });
}

const noteUrl = (username: string, id: string) => `${a.url}/users/${username}/statuses/${id}`;

/** Whether `on` has stored the account `username` of `from`. */
async function knows(on: TestInstance, from: TestInstance, username: string): Promise<boolean> {
  return (await on.kith.federation.ports.actors.idByUri(`${from.url}/users/${username}`)) !== null;
}

/** A JSON-LD value that may be compacted to a single item, as a list. */
const list = (value: unknown): unknown[] => [value].flat();

beforeAll(async () => {
  [a, b, c] = await startInstances(3);
  await allow(a, b);
  await allow(b, a);
  await allow(c, a);
  [alice, dan, bob, carol] = await Promise.all([a.createUser('alice'), a.createUser('dan'), b.createUser('bob'), c.createUser('carol')]);
});

afterAll(async () => {
  await closeAll([a, b, c]);
});

describe('search and lookup across instances', () => {
  it('finds a colleague of an allowed instance by handle, stores her and shows her profile', async () => {
    const found = await bob.api.get('/api/v2/search', { q: `@alice@${hostOf(a)}`, resolve: true, type: 'accounts' });
    expect(found.status).toBe(200);
    expect((found.body.accounts as { acct: string }[]).map((x) => x.acct)).toEqual([`alice@${hostOf(a)}`]);
    const id = found.body.accounts[0].id as string;

    const profile = await bob.api.get(`/api/v1/accounts/${id}`);
    expect(profile.status).toBe(200);
    expect(profile.body).toEqual(expect.objectContaining({ acct: `alice@${hostOf(a)}`, url: `${a.url}/@alice`, uri: `${a.url}/users/alice` }));
    // Once known, the same handle finds her without resolve, and the lookup endpoint finds her too.
    const again = await bob.api.get('/api/v2/search', { q: `alice@${hostOf(a)}`, type: 'accounts' });
    expect((again.body.accounts as { id: string }[]).map((x) => x.id)).toEqual([id]);
    const lookup = await bob.api.get('/api/v1/accounts/lookup', { acct: `alice@${hostOf(a)}` });
    expect(lookup.status).toBe(200);
    expect(lookup.body.id).toBe(id);
  });

  it('without resolve, an unknown handle finds nothing and nothing is fetched', async () => {
    const found = await bob.api.get('/api/v2/search', { q: `dan@${hostOf(a)}`, type: 'accounts' });
    expect(found.body.accounts).toEqual([]);
    expect(await knows(b, a, 'dan')).toBe(false);
  });

  it('finds a colleague by actor URL and by profile URL, and through accounts/search and accounts/lookup', async () => {
    const byActor = await bob.api.get('/api/v2/search', { q: `${a.url}/users/dan`, resolve: true });
    expect((byActor.body.accounts as { acct: string }[]).map((x) => x.acct)).toEqual([`dan@${hostOf(a)}`]);
    expect(byActor.body.statuses).toEqual([]);

    await a.createUser('erin');
    const byProfile = await bob.api.get('/api/v1/accounts/search', { q: `${a.url}/@erin`, resolve: true });
    expect((byProfile.body as { acct: string }[]).map((x) => x.acct)).toEqual([`erin@${hostOf(a)}`]);

    await a.createUser('fay');
    const lookup = await bob.api.get('/api/v1/accounts/lookup', { acct: `@fay@${hostOf(a)}` });
    expect(lookup.status).toBe(200);
    expect(lookup.body.acct).toBe(`fay@${hostOf(a)}`);
    expect((await bob.api.get('/api/v1/accounts/lookup', { acct: `nobody@${hostOf(a)}` })).status).toBe(404);
  });

  it('finds a public status by its URL (Note id and web URL), stored with its author', async () => {
    const id = (await post(alice, 'Quarterly numbers are in #sales')).id;
    const byId = await bob.api.get('/api/v2/search', { q: noteUrl('alice', id), resolve: true, type: 'statuses' });
    expect(byId.status).toBe(200);
    expect(byId.body.statuses).toHaveLength(1);
    const found = byId.body.statuses[0];
    expect(found).toEqual(expect.objectContaining({ uri: noteUrl('alice', id), visibility: 'public' }));
    expect(found.content).toContain('Quarterly numbers are in');
    expect(found.account.acct).toBe(`alice@${hostOf(a)}`);
    expect((await bob.api.get(`/api/v1/statuses/${found.id}`)).status).toBe(200);

    const byWebUrl = await bob.api.get('/api/v2/search', { q: `${a.url}/@alice/${id}`, resolve: true });
    expect((byWebUrl.body.statuses as { id: string }[]).map((s) => s.id)).toEqual([found.id]);
  });

  it('a status the searching instance may not read is not found', async () => {
    const id = (await post(dan, 'Dan, followers only', { visibility: 'private' })).id;
    const found = await bob.api.get('/api/v2/search', { q: noteUrl('dan', id), resolve: true });
    expect(found.status).toBe(200);
    expect(found.body.statuses).toEqual([]);
    expect(await b.kith.federation.ports.statuses.idByUri(noteUrl('dan', id))).toBeNull();
  });

  it('a host that is not allowed resolves to nothing, by handle or URL, and nothing of it is stored', async () => {
    const carolStatus = (await post(carol, 'Hello from hq')).id;
    for (const q of [`carol@${hostOf(c)}`, `@carol@${hostOf(c)}`, `${c.url}/users/carol`, `${c.url}/users/carol/statuses/${carolStatus}`]) {
      const found = await alice.api.get('/api/v2/search', { q, resolve: true });
      expect(found.status).toBe(200);
      expect(found.body).toEqual({ accounts: [], statuses: [], hashtags: [] });
    }
    expect((await alice.api.get('/api/v1/accounts/lookup', { acct: `carol@${hostOf(c)}` })).status).toBe(404);
    expect(await knows(a, c, 'carol')).toBe(false);
    expect(await a.kith.federation.ports.statuses.idByUri(`${c.url}/users/carol/statuses/${carolStatus}`)).toBeNull();
  });

  it('needs a signed-in user with read:search', async () => {
    expect((await b.api.get('/api/v2/search', { q: `alice@${hostOf(a)}`, resolve: true })).status).toBe(401);
    const noScope = await b.createUser('nosearch', { scopes: ['write'] });
    expect((await noScope.api.get('/api/v2/search', { q: `alice@${hostOf(a)}`, resolve: true })).status).toBe(403);
  });
});

describe('Note objects with authorized fetch', () => {
  let publicId: string;
  let privateId: string;
  let dansPrivateId: string;

  beforeAll(async () => {
    // bob follows alice (so b hosts a follower of alice); nobody follows dan.
    const aliceOnB = await bob.api.get('/api/v1/accounts/lookup', { acct: `alice@${hostOf(a)}` });
    await bob.api.post(`/api/v1/accounts/${aliceOnB.body.id}/follow`);
    await settle([a, b, c]);
    publicId = (await post(alice, 'Public note')).id;
    privateId = (await post(alice, 'Private note', { visibility: 'private' })).id;
    dansPrivateId = (await post(dan, 'Dan private note', { visibility: 'private' })).id;
    await settle([a, b, c]);
  });

  it('answers 401 to an unsigned GET of a Note', async () => {
    const response = await fetch(noteUrl('alice', publicId), { headers: { accept: AS } });
    expect(response.status).toBe(401);
  });

  it('answers 403 to a GET signed by an instance that is not allowed', async () => {
    expect((await signedGet(c, noteUrl('alice', publicId))).status).toBe(403);
  });

  it('serves a public Note to an allowed peer, addressed as Mastodon addresses it', async () => {
    const response = await signedGet(b, noteUrl('alice', publicId));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/activity+json');
    const note = (await response.json()) as any;
    expect(note).toEqual(expect.objectContaining({ id: noteUrl('alice', publicId), type: 'Note', attributedTo: `${a.url}/users/alice` }));
    expect(note.content).toContain('Public note');
    expect(note.url).toBe(`${a.url}/@alice/${publicId}`);
    expect(list(note.to)).toEqual(['as:Public']);
    expect(list(note.cc)).toEqual([`${a.url}/users/alice/followers`]);
  });

  it('serves the Create activity of a status', async () => {
    const response = await signedGet(b, `${noteUrl('alice', publicId)}/activity`);
    expect(response.status).toBe(200);
    const create = (await response.json()) as any;
    expect(create).toEqual(expect.objectContaining({ id: `${noteUrl('alice', publicId)}/activity`, type: 'Create', actor: `${a.url}/users/alice` }));
    expect(create.object.id).toBe(noteUrl('alice', publicId));
  });

  it('serves a private Note to the instance of a follower, and not to an instance without one', async () => {
    expect((await signedGet(b, noteUrl('alice', privateId))).status).toBe(200);
    expect((await signedGet(b, noteUrl('dan', dansPrivateId))).status).toBe(404);
  });

  it('serves a direct Note only to the instance of a mentioned account', async () => {
    const direct = (await post(dan, `@bob@${hostOf(b)} just for you`, { visibility: 'direct' })).id;
    const unmentioned = (await post(dan, 'nobody mentioned', { visibility: 'direct' })).id;
    const response = await signedGet(b, noteUrl('dan', direct));
    expect(response.status).toBe(200);
    const note = (await response.json()) as any;
    expect(list(note.to)).toEqual([`${b.url}/users/bob`]);
    expect(list(note.tag)).toContainEqual(expect.objectContaining({ type: 'Mention', href: `${b.url}/users/bob`, name: `@bob@${hostOf(b)}` }));
    expect((await signedGet(b, noteUrl('dan', unmentioned))).status).toBe(404);
  });

  it('never serves a local, deleted or unknown status, nor one under another author', async () => {
    const local = (await post(alice, 'Sales only', { visibility: 'local' })).id;
    const gone = (await post(alice, 'Soon gone')).id;
    expect((await alice.api.delete(`/api/v1/statuses/${gone}`)).status).toBe(200);
    expect((await signedGet(b, noteUrl('alice', local))).status).toBe(404);
    expect((await signedGet(b, noteUrl('alice', gone))).status).toBe(404);
    expect((await signedGet(b, noteUrl('alice', '9999999999999999'))).status).toBe(404);
    expect((await signedGet(b, noteUrl('dan', publicId))).status).toBe(404);
  });

  it('sends a browser to the status page', async () => {
    const response = await fetch(noteUrl('alice', publicId), { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(`/@alice/${publicId}`);
  });
});

// The outbound guard and the fetched-document checks between real instances (issue 3 items 7-9,
// docs/federation-design.md §8). `a` runs in open mode with `b` as its one explicit peer; `b` runs in
// allowlist mode. Two real HTTP servers on loopback play the attacker: `evil` (a peer of `a`, so a
// host `a` may reach, which serves actors, documents and redirects) and `secret` (never a peer: the
// private target). Loopback is private, so in open mode `secret` stands for every internal service;
// every case checks that `secret` got no request at all, that nothing was stored, and that the
// instance still serves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID, type webcrypto } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { inject } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../harness.ts';
import { allow, settle, waitFor } from './network.ts';
import { AS, AS_CONTEXT, SECURITY_CONTEXT, keyOf, postSigned, rsaKeyPair, startAttacker, type Attacker, type SigningKey } from './attacker.ts';

const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public';
let a: TestInstance; // open mode; peers: b, evil
let b: TestInstance; // allowlist mode; peers: a
let evil: Attacker;
let secret: Attacker;
let alice: TestUser;
let bob: TestUser;
let mongo: MongoClient;
let dbA: Db;
let dbB: Db;
let mallory: SigningKey; // an actor on evil, with its own key
let publicKeyPem: string;
let privateKey: webcrypto.CryptoKey;

const malloryUrl = () => `${evil.url}/users/mallory`;

/** Every loopback spelling of `secret`, and the cloud metadata address. */
const privateTargets = (path: string) => [
  `http://localhost:${secret.port}${path}`,
  `http://127.0.0.1:${secret.port}${path}`,
  `http://2130706433:${secret.port}${path}`,
  `http://[::ffff:127.0.0.1]:${secret.port}${path}`,
  `http://[::1]:${secret.port}${path}`,
  `http://169.254.169.254${path}`,
  // An allowed host that redirects to a private one.
  `${evil.url}/to?url=${encodeURIComponent(`http://localhost:${secret.port}${path}`)}`,
  `${evil.url}/to?url=${encodeURIComponent(`http://127.0.0.1:${secret.port}${path}`)}`,
];

function actorDocument(name: string, inbox: string): object {
  const id = `${evil.url}/users/${name}`;
  return {
    '@context': [AS_CONTEXT, SECURITY_CONTEXT],
    id,
    type: 'Person',
    preferredUsername: name,
    name,
    inbox,
    outbox: `${id}/outbox`,
    followers: `${id}/followers`,
    following: `${id}/following`,
    publicKey: { id: `${id}#main-key`, owner: id, publicKeyPem },
  };
}

function note(id: string, extra: object = {}): object {
  return { '@context': AS_CONTEXT, id, type: 'Note', attributedTo: malloryUrl(), content: '<p>From evil</p>', to: [PUBLIC], published: new Date().toISOString(), ...extra };
}

function createOf(object: string | object, actor = malloryUrl()): object {
  return { '@context': AS_CONTEXT, id: `${actor}/activities/${randomUUID()}`, type: 'Create', actor, to: [PUBLIC], object };
}

async function counts(db: Db): Promise<Record<string, number>> {
  const names = ['statuses', 'follows', 'accounts', 'notifications'];
  const result: Record<string, number> = {};
  for (const name of names) result[name] = await db.collection(name).countDocuments();
  return result;
}

async function expectServing(instance: TestInstance): Promise<void> {
  expect((await fetch(`${instance.url}/readyz`)).status).toBe(200);
}

const secretHits = () => secret.hits.length;

beforeAll(async () => {
  [evil, secret] = await Promise.all([startAttacker(), startAttacker()]);
  ({ privateKey, publicKeyPem } = await rsaKeyPair());
  mallory = { keyId: new URL(`${malloryUrl()}#main-key`), privateKey };
  secret.on('/users/x', { body: { id: 'whatever' } });

  // evil: mallory, a second actor whose inbox redirects to secret, documents, redirects.
  evil.on('/users/mallory', { body: actorDocument('mallory', `${evil.url}/users/mallory/inbox`) });
  evil.on('/users/mallory/inbox', { status: 202 });
  evil.on('/users/redirector', () => ({ body: actorDocument('redirector', `${evil.url}/to?url=${encodeURIComponent(`http://localhost:${secret.port}/inbox`)}`) }));
  evil.on('/to', (request) => ({ status: 307, headers: { location: new URL(request.url!, evil.url).searchParams.get('url')! } }));
  evil.on('/notes/good', () => ({ body: note(`${evil.url}/notes/good`) }));
  evil.on('/notes/ld', () => ({ headers: { 'content-type': 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"' }, body: note(`${evil.url}/notes/ld`) }));
  evil.on('/notes/other-id', () => ({ body: note(`${evil.url}/notes/good`) }));
  evil.on('/notes/plain', () => ({ headers: { 'content-type': 'text/plain' }, body: note(`${evil.url}/notes/plain`) }));
  evil.on('/notes/json', () => ({ headers: { 'content-type': 'application/json' }, body: note(`${evil.url}/notes/json`) }));
  evil.on('/notes/ld-no-profile', () => ({ headers: { 'content-type': 'application/ld+json' }, body: note(`${evil.url}/notes/ld-no-profile`) }));
  evil.on('/notes/none', () => ({ headers: { 'content-type': '' }, body: note(`${evil.url}/notes/none`) }));
  evil.on('/notes/huge', () => ({ body: note(`${evil.url}/notes/huge`, { content: `<p>${'x'.repeat(5 * 1024 * 1024)}</p>` }) }));
  evil.on('/notes/html', () => ({
    headers: { 'content-type': 'text/html' },
    body: `<html><head><link rel="alternate" type="application/activity+json" href="${evil.url}/notes/alternate"></head></html>`,
  }));
  evil.on('/notes/alternate', () => ({ body: note(`${evil.url}/notes/html`) }));
  // /chain/<left>/<start>: redirects until <left> is 0, then the note whose id is where the chain started.
  for (const start of [3, 4]) {
    for (let left = 0; left <= start; left++) {
      evil.on(`/chain/${left}/${start}`, left === 0 ? () => ({ body: note(`${evil.url}/chain/${start}/${start}`) }) : { status: 302, headers: { location: `/chain/${left - 1}/${start}` } });
    }
  }

  [a, b] = await Promise.all([startTestInstance({ FEDERATION_MODE: 'open' }), startTestInstance()]);
  await allow(a, b, evil);
  await allow(b, a);
  [alice, bob] = await Promise.all([a.createUser('alice'), b.createUser('bob')]);
  mongo = await MongoClient.connect(inject('mongoUrl'));
  dbA = mongo.db(a.config.mongodbDatabase);
  dbB = mongo.db(b.config.mongodbDatabase);
});

afterAll(async () => {
  await mongo?.close();
  await Promise.all([a?.close(), b?.close(), evil?.close(), secret?.close()]);
});

describe('open mode: the attacker and the instances work as expected', () => {
  it('a Create from mallory on the allowed attacker host, its Note fetched by URL, is stored', async () => {
    expect(await postSigned(`${a.url}/inbox`, mallory, createOf(`${evil.url}/notes/good`))).toBe(202);
    expect(await postSigned(`${a.url}/inbox`, mallory, createOf(`${evil.url}/notes/ld`))).toBe(202);
    await settle([a, b]);
    const uris = (await dbA.collection('statuses').find({}, { projection: { uri: 1 } }).toArray()).map((s) => s.uri);
    expect(uris).toEqual(expect.arrayContaining([`${evil.url}/notes/good`, `${evil.url}/notes/ld`]));
  });
});

describe('open mode: SSRF through an inbox keyId', () => {
  it('403 for a keyId written as a private address, 401 for a name or a redirect that leads to one; nothing is fetched', async () => {
    for (const target of privateTargets('/users/x')) {
      const before = await counts(dbA);
      const key = { keyId: new URL(`${target}#main-key`), privateKey };
      const actor = new URL(target).origin === evil.url ? malloryUrl() : target;
      // A host written as a private address is refused before anything (403); a name, or an allowed host
      // that redirects, is refused when the key is fetched, so the signature cannot be verified (401).
      const expected = target.startsWith('http://localhost') || target.startsWith(evil.url) ? 401 : 403;
      expect({ target, status: await postSigned(`${a.url}/inbox`, key, { '@context': AS_CONTEXT, id: `${actor}#follow-${randomUUID()}`, type: 'Follow', actor, object: `${a.url}/users/alice` }) }).toEqual({
        target,
        status: expected,
      });
      await settle([a, b]);
      expect(await counts(dbA)).toEqual(before);
    }
    expect(secretHits()).toBe(0);
    await expectServing(a);
  });
});

describe('open mode: SSRF through a Create whose object URL points inside', () => {
  it('the object is never fetched, nothing is stored, the activity is marked done (not retried)', async () => {
    const ids: string[] = [];
    const before = await counts(dbA);
    for (const target of privateTargets('/notes/1')) {
      const create = createOf(target) as { id: string };
      ids.push(create.id);
      expect(await postSigned(`${a.url}/inbox`, mallory, create)).toBe(202);
    }
    await settle([a, b]);
    expect(await counts(dbA)).toEqual(before);
    for (const id of ids) expect(await dbA.collection('federation_inbound').findOne({ _id: id as never })).toMatchObject({ state: 'done' });
    expect(secretHits()).toBe(0);
    await expectServing(a);
  });
});

describe('open mode: SSRF through a lookup', () => {
  it('search?resolve=true and the lookups server/ calls reach nothing inside', async () => {
    const before = await counts(dbA);
    for (const target of privateTargets('/users/x')) {
      const found = await alice.api.get('/api/v2/search', { q: target, resolve: true });
      expect(found.status).toBe(200);
      expect(found.body.accounts).toEqual([]);
      expect(found.body.statuses).toEqual([]);
      expect(await a.kith.federation.lookup.url(target)).toBeNull();
    }
    for (const handle of [`x@localhost:${secret.port}`, `x@127.0.0.1:${secret.port}`, 'x@169.254.169.254']) {
      expect(await a.kith.federation.lookup.account(handle)).toBeNull();
    }
    expect(await counts(dbA)).toEqual(before);
    expect(secretHits()).toBe(0);
    await expectServing(a);
  });
});

describe('open mode: delivery to an inbox that redirects inside', () => {
  it('the Accept and a new status reach the attacker, and are not followed to the private target', async () => {
    const redirector = { keyId: new URL(`${evil.url}/users/redirector#main-key`), privateKey };
    const actor = `${evil.url}/users/redirector`;
    expect(await postSigned(`${a.url}/inbox`, redirector, { '@context': AS_CONTEXT, id: `${actor}#follow-${randomUUID()}`, type: 'Follow', actor, object: `${a.url}/users/alice` })).toBe(202);
    await settle([a, b]);
    expect((await alice.api.post('/api/v1/statuses', { status: 'Hello followers' })).status).toBe(200);
    await settle([a, b]);
    await waitFor(async () => evil.hits.filter((hit) => hit.method === 'POST' && hit.path.startsWith('/to')).length >= 2, 20);
    expect(secretHits()).toBe(0);
    // A refusal does not change on retry: the deliveries are dead letters at once, not retried for 72 hours.
    const refused = () => dbA.collection('federation_dead_letters').find({ host: new URL(evil.url).host }).toArray();
    await waitFor(async () => (await refused()).length >= 2);
    expect((await refused()).every((letter) => String(letter.reason).startsWith('outbound refused'))).toBe(true);
    await expectServing(a);
  });
});

describe('fetched documents', () => {
  it.each([
    ['an id other than its URL', '/notes/other-id'],
    ['text/plain', '/notes/plain'],
    ['application/json', '/notes/json'],
    ['application/ld+json without the ActivityStreams profile', '/notes/ld-no-profile'],
    ['no content type', '/notes/none'],
    ['a 5 MB body', '/notes/huge'],
    ['an HTML page with an alternate link', '/notes/html'],
    ['more than 3 redirects', '/chain/4/4'],
  ])('a Note served with %s is refused: nothing stored, marked done', async (_what, path) => {
    const before = await counts(dbA);
    const create = createOf(`${evil.url}${path}`) as { id: string };
    expect(await postSigned(`${a.url}/inbox`, mallory, create)).toBe(202);
    await settle([a, b]);
    expect(await counts(dbA)).toEqual(before);
    expect(await dbA.collection('federation_inbound').findOne({ _id: create.id as never })).toMatchObject({ state: 'done' });
    expect(evil.hits.some((hit) => hit.path === '/notes/alternate')).toBe(false);
    await expectServing(a);
  });

  it('3 redirects are followed, and the Note is stored under the URL asked for', async () => {
    expect(await postSigned(`${a.url}/inbox`, mallory, createOf(`${evil.url}/chain/3/3`))).toBe(202);
    await settle([a, b]);
    expect(await dbA.collection('statuses').countDocuments({ uri: `${evil.url}/chain/3/3` })).toBe(1);
    expect(evil.hits.filter((hit) => hit.path.endsWith('/3')).map((hit) => hit.path)).toEqual(['/chain/3/3', '/chain/2/3', '/chain/1/3', '/chain/0/3']);
  });
});

describe('allowlist mode: the four paths', () => {
  it('inbox: 403 for a validly signed request from a host that is not a peer (evil is not one of b’s)', async () => {
    const before = await counts(dbB);
    expect(await postSigned(`${b.url}/inbox`, mallory, createOf(note(`${malloryUrl()}/notes/${randomUUID()}`)))).toBe(403);
    await settle([a, b]);
    expect(await counts(dbB)).toEqual(before);
    await expectServing(b);
  });

  it('signed GET: 403 for evil’s validly signed GET of bob', async () => {
    const request = new Request(`${b.url}/users/bob`, { headers: { accept: AS } });
    const { signRequest } = await import('@fedify/fedify');
    const signed = await signRequest(request, privateKey, mallory.keyId, { spec: 'draft-cavage-http-signatures-12' });
    expect((await fetch(signed)).status).toBe(403);
  });

  it('referenced objects: a peer’s Create naming an object on a host that is not a peer is not fetched', async () => {
    const alicesKey = await keyOf(a, 'alice');
    const actor = `${a.url}/users/alice`;
    const before = await counts(dbB);
    const fetchesOfNote = () => evil.hits.filter((hit) => hit.path === '/notes/good').length;
    const hitsBefore = fetchesOfNote();
    const create = { '@context': AS_CONTEXT, id: `${actor}/statuses/${randomUUID()}/activity`, type: 'Create', actor, to: [PUBLIC], object: `${evil.url}/notes/good` };
    expect(await postSigned(`${b.url}/inbox`, alicesKey, create)).toBe(202);
    await settle([a, b]);
    expect(fetchesOfNote()).toBe(hitsBefore);
    expect((await counts(dbB)).statuses).toBe(before.statuses);
    expect(await dbB.collection('federation_inbound').findOne({ _id: create.id as never })).toMatchObject({ state: 'done' });
  });

  it('outgoing delivery: a follower on a host removed from the peers gets nothing', async () => {
    await b.services.peers.add(null, { host: evil.host, scheme: 'http' });
    await waitFor(async () => (await b.kith.federation.policy.decide(evil.host)) === 'allow', 20);
    expect(await postSigned(`${b.url}/inbox`, mallory, { '@context': AS_CONTEXT, id: `${malloryUrl()}#follow-${randomUUID()}`, type: 'Follow', actor: malloryUrl(), object: `${b.url}/users/bob` })).toBe(202);
    await settle([a, b]);
    const inboxPosts = () => evil.hits.filter((hit) => hit.method === 'POST' && hit.path === '/users/mallory/inbox').length;
    await waitFor(async () => inboxPosts() >= 1, 20); // the Accept
    await b.services.peers.remove(null, evil.host);
    await waitFor(async () => (await b.kith.federation.policy.decide(evil.host)) === 'deny', 20);
    const delivered = inboxPosts();
    expect((await bob.api.post('/api/v1/statuses', { status: 'For my followers' })).status).toBe(200);
    await settle([a, b]);
    expect(inboxPosts()).toBe(delivered);
    await expectServing(b);
  });
});

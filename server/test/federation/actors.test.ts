// Federation's public surface between real instances on loopback: WebFinger, actors fetched by signed
// HTTP between two instances (authorized fetch), the instance actor, NodeInfo and host-meta.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { webcrypto } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { signRequest } from '@fedify/fedify';
import type { TestInstance } from '../harness.ts';
import { allow, closeAll, contextOf, hostOf, startInstances } from './network.ts';

const AS = 'application/activity+json';
let a: TestInstance; // serves alice; allows b, not c
let b: TestInstance; // bob fetches from a
let c: TestInstance; // carol is not on a's allowlist

/** A GET of `url` signed with `username`'s RSA key on `instance`, sent as is (no double knock). */
async function signedGet(instance: TestInstance, username: string, url: string, sendTo = url): Promise<Response> {
  const [rsa] = await contextOf(instance).getActorKeyPairs(username);
  const { privateKey } = rsa as unknown as webcrypto.CryptoKeyPair;
  const request = await signRequest(new Request(url, { headers: { accept: AS } }), privateKey, rsa!.keyId, { spec: 'rfc9421' });
  return fetch(sendTo, { headers: request.headers });
}

/** A response body as JSON, whether the client parsed it already or not. */
function json(body: unknown): any {
  return typeof body === 'string' ? JSON.parse(body) : body;
}

/** A GET with a Host header of our choosing (fetch does not let a caller set Host). */
function getWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { host, accept: AS } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  [a, b, c] = await startInstances(3);
  await allow(a, b);
  await allow(b, a);
  await allow(c, a);
  const alice = await a.createUser('alice', { displayName: 'Alice Liddell' });
  await alice.api.patch('/api/v1/accounts/update_credentials', {
    title: 'Staff Engineer',
    department: 'Platform',
    location: 'Lisbon',
    fields_attributes: [{ name: 'Pronouns', value: 'she/her' }],
  });
  await b.createUser('bob');
  await c.createUser('carol');
});

afterAll(async () => {
  await closeAll([a, b, c]);
});

describe('WebFinger', () => {
  it('finds acct:alice@host:port and links her actor', async () => {
    const resource = `acct:alice@${hostOf(a)}`;
    const response = await a.api.get(`/.well-known/webfinger?resource=${encodeURIComponent(resource)}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/jrd+json');
    const body = json(response.body);
    expect(body.subject).toBe(resource);
    expect(body.links).toContainEqual(expect.objectContaining({ rel: 'self', type: AS, href: `${a.url}/users/alice` }));
  });

  it('answers 404 for an unknown user', async () => {
    const response = await a.api.get(`/.well-known/webfinger?resource=${encodeURIComponent(`acct:nobody@${hostOf(a)}`)}`);
    expect(response.status).toBe(404);
  });
});

describe('actors with authorized fetch', () => {
  it('serves alice to a signed GET from an allowlisted peer (fetched through the peer\'s own loader)', async () => {
    const loader = await contextOf(b).getDocumentLoader({ identifier: 'bob' });
    const { document } = await loader(`${a.url}/users/alice`);
    const person = document as Record<string, any>;
    expect(person.id).toBe(`${a.url}/users/alice`);
    expect(person.type).toBe('Person');
    expect(person.preferredUsername).toBe('alice');
    expect(person.name).toBe('Alice Liddell');
    expect(person.inbox).toBe(`${a.url}/users/alice/inbox`);
    expect(person.endpoints).toEqual(expect.objectContaining({ sharedInbox: `${a.url}/inbox` }));
    expect(person.followers).toBe(`${a.url}/users/alice/followers`);
    expect(person.publicKey).toEqual(expect.objectContaining({ id: `${a.url}/users/alice#main-key`, owner: `${a.url}/users/alice` }));
    expect(person.publicKey.publicKeyPem).toContain('BEGIN PUBLIC KEY');
    const attachments = (person.attachment as { type: string; name: string; value: string }[]).map(({ type, name, value }) => ({ type, name, value }));
    expect(attachments).toEqual([
      { type: 'PropertyValue', name: 'Title', value: 'Staff Engineer' },
      { type: 'PropertyValue', name: 'Department', value: 'Platform' },
      { type: 'PropertyValue', name: 'Location', value: 'Lisbon' },
      { type: 'PropertyValue', name: 'Pronouns', value: 'she/her' },
    ]);
  });

  it('answers 200 to a single RFC 9421-signed GET from the peer', async () => {
    const response = await signedGet(b, 'bob', `${a.url}/users/alice`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain(AS);
  });

  it('answers 401 to an unsigned GET of an actor', async () => {
    const response = await a.api.request('GET', '/users/alice', undefined, { accept: AS });
    expect(response.status).toBe(401);
  });

  it('answers 401 when the signature does not verify', async () => {
    await a.createUser('alicia');
    // Signed for alice, sent for alicia: @target-uri no longer matches.
    const response = await signedGet(b, 'bob', `${a.url}/users/alice`, `${a.url}/users/alicia`);
    expect(response.status).toBe(401);
  });

  it('answers 403 to a signed GET from an instance that is not on the allowlist', async () => {
    const response = await signedGet(c, 'carol', `${a.url}/users/alice`);
    expect(response.status).toBe(403);
  });

  it('guards the followers collection the same way', async () => {
    expect((await a.api.request('GET', '/users/alice/followers', undefined, { accept: AS })).status).toBe(401);
    const response = await signedGet(b, 'bob', `${a.url}/users/alice/followers`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { type: string; totalItems: number };
    expect(body.type).toBe('OrderedCollection');
    expect(body.totalItems).toBe(0);
  });

  it('serves the instance actor unsigned, with only its key', async () => {
    const response = await a.api.request('GET', '/actor', undefined, { accept: AS });
    expect(response.status).toBe(200);
    const actor = json(response.body);
    expect(actor.id).toBe(`${a.url}/actor`);
    expect(actor.type).toBe('Service');
    expect(actor.publicKey).toEqual(expect.objectContaining({ id: `${a.url}/actor#main-key`, owner: `${a.url}/actor` }));
    expect(Object.keys(actor).sort()).toEqual(['@context', 'id', 'inbox', 'preferredUsername', 'publicKey', 'type']);
  });

  it('redirects a browser asking for an actor to the profile page', async () => {
    const response = await a.api.request('GET', '/users/alice', undefined, { accept: 'text/html' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/@alice');
  });

  it('refuses a request for another Host with 400', async () => {
    expect(await getWithHost(`${a.url}/actor`, 'evil.example')).toBe(400);
    expect(await getWithHost(`${a.url}/actor`, hostOf(a))).toBe(200);
  });
});

describe('inbox transport', () => {
  const follow = () => JSON.stringify({
    '@context': 'https://www.w3.org/ns/activitystreams',
    id: `${b.url}/follows/1`,
    type: 'Follow',
    actor: `${b.url}/users/bob`,
    object: `${a.url}/users/alice`,
  });

  it('answers 415 to a body that is not ActivityStreams JSON', async () => {
    expect((await a.api.post('/inbox', follow(), { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await a.api.post('/users/alice/inbox', { type: 'Follow' })).status).toBe(415);
  });

  it('answers 401 to an unsigned activity', async () => {
    const response = await a.api.post('/users/alice/inbox', follow(), { 'content-type': AS });
    expect(response.status).toBe(401);
  });

  it('answers 403 to an activity signed on a host that is not on the allowlist', async () => {
    const [rsa] = await contextOf(c).getActorKeyPairs('carol');
    const { privateKey } = rsa as unknown as webcrypto.CryptoKeyPair;
    const body = follow().replaceAll(b.url, c.url).replace('/users/bob', '/users/carol');
    const signed = await signRequest(new Request(`${a.url}/users/alice/inbox`, { method: 'POST', headers: { 'content-type': AS }, body }), privateKey, rsa!.keyId, { spec: 'rfc9421' });
    const response = await fetch(`${a.url}/users/alice/inbox`, { method: 'POST', headers: signed.headers, body });
    expect(response.status).toBe(403);
  });
});

describe('NodeInfo and host-meta', () => {
  it('links and serves NodeInfo 2.1', async () => {
    const wellKnown = await a.api.get('/.well-known/nodeinfo');
    expect(wellKnown.status).toBe(200);
    const links = json(wellKnown.body).links;
    expect(links).toContainEqual(expect.objectContaining({ rel: 'http://nodeinfo.diaspora.software/ns/schema/2.1', href: `${a.url}/nodeinfo/2.1` }));
    const response = await a.api.get('/nodeinfo/2.1');
    expect(response.status).toBe(200);
    const info = json(response.body);
    expect(info.version).toBe('2.1');
    expect(info.software).toEqual(expect.objectContaining({ name: 'kith', version: '0.1.0' }));
    expect(info.protocols).toEqual(['activitypub']);
    expect(info.openRegistrations).toBe(true);
    expect(info.usage.users.total).toBeGreaterThanOrEqual(1);
    expect(typeof info.usage.localPosts).toBe('number');
  });

  it('serves host-meta as XRD pointing at WebFinger', async () => {
    const response = await a.api.get('/.well-known/host-meta');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/xrd+xml');
    expect(response.body).toContain(`template="${a.url}/.well-known/webfinger?resource={uri}"`);
  });
});

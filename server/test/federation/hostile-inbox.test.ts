// The inbox guard against a real HTTP attacker (docs/federation-design.md §6, issue 3 items 7-8).
// Every request is built and signed here, with the key pair of a real account on a real allowlisted
// instance (b), or of a real instance that is not on the allowlist (c), and sent with fetch to a real
// instance (a). Each refusal gets its exact status, stores nothing, and leaves `a` serving.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomUUID } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { inject } from 'vitest';
import { getDocumentLoader, signRequest, verifyRequestDetailed } from '@fedify/fedify';
import { Temporal } from '@js-temporal/polyfill';
import type { TestInstance } from '../harness.ts';
import { AS, AS_CONTEXT, SECURITY_CONTEXT, keyOf, rsaKeyPair, signedPost, startAttacker, type SigningKey } from './attacker.ts';
import { allow, closeAll, hostOf, settle, startInstances } from './network.ts';

let a: TestInstance; // the target: alice; allows b, not c
let b: TestInstance; // bob and bea, on an allowlisted instance
let c: TestInstance; // carol, on an instance a does not federate with
let mongo: MongoClient;
let db: Db;

const actorUrl = (instance: TestInstance, username: string) => `${instance.url}/users/${username}`;

/** What `a` has stored that an inbox request could add to. */
async function stored(): Promise<Record<string, number>> {
  const names = ['statuses', 'follows', 'follow_requests', 'federation_inbound', 'accounts', 'notifications'];
  const counts: Record<string, number> = {};
  for (const name of names) counts[name] = await db.collection(name).countDocuments();
  return counts;
}

/** Sends a prepared request to `a`'s shared inbox (or `path`) with fetch; fetch sets the real Host. */
async function send(headers: Headers, body: string | Uint8Array, path = '/inbox'): Promise<number> {
  const response = await fetch(`${a.url}${path}`, { method: 'POST', headers, body });
  await response.arrayBuffer();
  return response.status;
}

/** Signed by Fedify's own signer (what a real Fedify peer sends), for `a`'s shared inbox or `path`. */
function fedifySigned(key: SigningKey, body: string, options: { spec?: 'rfc9421' | 'draft-cavage-http-signatures-12'; at?: Temporal.Instant; path?: string } = {}): Promise<Headers> {
  return signedPost(`${a.url}${options.path ?? '/inbox'}`, key, body, options);
}

/** A cavage signature over exactly the `covered` headers, as an attacker would build it. */
async function cavageSigned(key: SigningKey, body: string, covered: string[], options: { date?: Date; path?: string } = {}): Promise<Headers> {
  const path = options.path ?? '/inbox';
  const values: Record<string, string> = {
    '(request-target)': `post ${path}`,
    host: hostOf(a),
    date: (options.date ?? new Date()).toUTCString(),
    digest: `SHA-256=${createHash('sha256').update(body).digest('base64')}`,
    'content-type': AS,
  };
  const message = covered.map((name) => `${name}: ${values[name]}`).join('\n');
  const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key.privateKey, new TextEncoder().encode(message));
  const headers = new Headers({ 'content-type': AS, date: values.date!, digest: values.digest! });
  headers.set('signature', `keyId="${key.keyId.href}",algorithm="rsa-sha256",headers="${covered.join(' ')}",signature="${Buffer.from(signature).toString('base64')}"`);
  return headers;
}

function follow(actor: string, object = actorUrl(a, 'alice')): string {
  return JSON.stringify({ '@context': AS_CONTEXT, id: `${actor}#follows/${randomUUID()}`, type: 'Follow', actor, object });
}

function create(actor: string, note: Record<string, unknown>): string {
  return JSON.stringify({
    '@context': AS_CONTEXT,
    id: `${actor}/statuses/${randomUUID()}/activity`,
    type: 'Create',
    actor,
    to: ['https://www.w3.org/ns/activitystreams#Public'],
    object: { type: 'Note', content: '<p>Quarterly numbers</p>', to: ['https://www.w3.org/ns/activitystreams#Public'], ...note },
  });
}

/** Sends, then asserts the status, that nothing was stored, and that `a` still serves. */
async function expectRefused(expected: number, headers: Headers, body: string | Uint8Array, path?: string): Promise<void> {
  const before = await stored();
  expect(await send(headers, body, path)).toBe(expected);
  await settle([a, b]);
  expect(await stored()).toEqual(before);
  expect((await fetch(`${a.url}/readyz`)).status).toBe(200);
}

let bob: SigningKey;
let carol: SigningKey;

beforeAll(async () => {
  [a, b, c] = await startInstances(3);
  await allow(a, b);
  await allow(b, a);
  await allow(c, a);
  await Promise.all([a.createUser('alice'), b.createUser('bob'), b.createUser('bea'), c.createUser('carol')]);
  [bob, carol] = await Promise.all([keyOf(b, 'bob'), keyOf(c, 'carol')]);
  mongo = await MongoClient.connect(inject('mongoUrl'));
  db = mongo.db(a.config.mongodbDatabase);
});

afterAll(async () => {
  await mongo?.close();
  await closeAll([a, b, c]);
});

describe('the attacker\'s signing is sound', () => {
  it('accepts a Follow signed by bob in the cavage form and stores it', async () => {
    const body = follow(actorUrl(b, 'bob'));
    expect(await send(await fedifySigned(bob, body), body)).toBe(202);
    await settle([a, b]);
    expect(await db.collection('follows').countDocuments()).toBe(1);
  });

  it('accepts a Create signed by bob in the RFC 9421 form, and one signed over exactly (request-target) host date digest', async () => {
    const first = create(actorUrl(b, 'bob'), { id: `${actorUrl(b, 'bob')}/statuses/${randomUUID()}`, attributedTo: actorUrl(b, 'bob') });
    expect(await send(await fedifySigned(bob, first, { spec: 'rfc9421' }), first)).toBe(202);
    const second = create(actorUrl(b, 'bob'), { id: `${actorUrl(b, 'bob')}/statuses/${randomUUID()}`, attributedTo: actorUrl(b, 'bob') });
    expect(await send(await cavageSigned(bob, second, ['(request-target)', 'host', 'date', 'digest']), second)).toBe(202);
    await settle([a, b]);
  });
});

describe('signatures', () => {
  it('401: an unsigned POST', async () => {
    const body = follow(actorUrl(b, 'bob'));
    await expectRefused(401, new Headers({ 'content-type': AS }), body);
  });

  it('401: one body byte changed after signing (cavage and RFC 9421)', async () => {
    for (const spec of ['draft-cavage-http-signatures-12', 'rfc9421'] as const) {
      const body = follow(actorUrl(b, 'bob'), actorUrl(a, 'alice'));
      const headers = await fedifySigned(bob, body, { spec });
      await expectRefused(401, headers, body.replace('alice', 'alicf'));
    }
  });

  it('401: digest, host or date not signed', async () => {
    const everything = ['(request-target)', 'host', 'date', 'digest'];
    for (const left of ['digest', 'host', 'date']) {
      const body = follow(actorUrl(b, 'bob'));
      await expectRefused(401, await cavageSigned(bob, body, everything.filter((name) => name !== left)), body);
    }
  });

  it('401: RFC 9421 without @authority or @target-uri', async () => {
    for (const left of ['@authority', '@target-uri']) {
      const body = follow(actorUrl(b, 'bob'));
      const request = new Request(`${a.url}/inbox`, { method: 'POST', headers: { 'content-type': AS }, body });
      const components = ['@method', '@target-uri', '@authority', 'host', 'date'].filter((name) => name !== left).map((value) => ({ value, params: {} }));
      const signed = await signRequest(request, bob.privateKey, bob.keyId, { spec: 'rfc9421', rfc9421: { components } });
      await expectRefused(401, signed.headers, body);
    }
  });

  it('401: a Date two hours old and two hours ahead (cavage), and RFC 9421 created two hours old', async () => {
    const now = Date.now();
    for (const offset of [-2, 2]) {
      const body = follow(actorUrl(b, 'bob'));
      await expectRefused(401, await cavageSigned(bob, body, ['(request-target)', 'host', 'date', 'digest'], { date: new Date(now + offset * 3_600_000) }), body);
    }
    const body = follow(actorUrl(b, 'bob'));
    const at = Temporal.Now.instant().subtract({ hours: 2 });
    await expectRefused(401, await fedifySigned(bob, body, { spec: 'rfc9421', at }), body);
  });

  it('401: a key that does not exist', async () => {
    const body = follow(actorUrl(b, 'bob'));
    const ghost = { keyId: new URL(`${actorUrl(b, 'nobody')}#main-key`), privateKey: bob.privateKey };
    await expectRefused(401, await fedifySigned(ghost, body), body);
  });

  it('401: the same request replayed', async () => {
    const body = create(actorUrl(b, 'bob'), { id: `${actorUrl(b, 'bob')}/statuses/${randomUUID()}`, attributedTo: actorUrl(b, 'bob') });
    const headers = await fedifySigned(bob, body);
    expect(await send(headers, body)).toBe(202);
    await settle([a, b]);
    await expectRefused(401, headers, body);
  });

  it('401: the same request replayed with its Signature header respelled', async () => {
    const body = create(actorUrl(b, 'bob'), { id: `${actorUrl(b, 'bob')}/statuses/${randomUUID()}`, attributedTo: actorUrl(b, 'bob') });
    const headers = await fedifySigned(bob, body);
    expect(await send(headers, body)).toBe(202);
    await settle([a, b]);
    // The same parameters in reverse order, with spaces after the commas: the same signature to a verifier.
    const respelled = new Headers(headers);
    respelled.set('signature', headers.get('signature')!.split(',').reverse().join(', '));
    await expectRefused(401, respelled, body);
  });
});

describe('origins', () => {
  it('401: bob signs an activity claiming bea (same host) or carol (another host)', async () => {
    for (const actor of [actorUrl(b, 'bea'), actorUrl(c, 'carol')]) {
      const body = follow(actor);
      await expectRefused(401, await fedifySigned(bob, body), body);
      const note = create(actor, { id: `${actor}/statuses/${randomUUID()}`, attributedTo: actor });
      await expectRefused(401, await fedifySigned(bob, note, { spec: 'rfc9421' }), note);
    }
  });

  it('400: a Create whose object belongs to another host, or is attributed to someone else', async () => {
    const carolsNote = create(actorUrl(b, 'bob'), { id: `${actorUrl(c, 'carol')}/statuses/${randomUUID()}`, attributedTo: actorUrl(c, 'carol') });
    await expectRefused(400, await fedifySigned(bob, carolsNote), carolsNote);
    const beasNote = create(actorUrl(b, 'bob'), { id: `${actorUrl(b, 'bea')}/statuses/${randomUUID()}`, attributedTo: actorUrl(b, 'bea') });
    await expectRefused(400, await fedifySigned(bob, beasNote), beasNote);
  });

  it('403: a validly signed request from an instance not on the allowlist', async () => {
    const body = follow(actorUrl(c, 'carol'));
    await expectRefused(403, await fedifySigned(carol, body), body);
    await expectRefused(403, await fedifySigned(carol, body, { spec: 'rfc9421', path: '/users/alice/inbox' }), body, '/users/alice/inbox');
  });
});

describe('keys and ids of another origin', () => {
  it("401: an allowlisted host's key document that names bob (on b) as its owner", async () => {
    // A real attacker server on the allowlist publishes its own key, claiming b's bob as the owner. The key
    // document is one Fedify parses (a `Key` typed only under security/v1 is not, and its signature then
    // fails to verify, which would refuse the request before the check this test is about), and the
    // signature is shown to verify with owner = bob = the actor: only the key-origin check can refuse it.
    const pair = await rsaKeyPair();
    const attacker = await startAttacker();
    const keyUrl = `${attacker.url}/k`;
    attacker.on('/k', { body: { '@context': [AS_CONTEXT, SECURITY_CONTEXT], id: keyUrl, type: 'CryptographicKey', owner: actorUrl(b, 'bob'), publicKeyPem: pair.publicKeyPem } });
    await allow(a, attacker);
    try {
      const actor = actorUrl(b, 'bob');
      const body = create(actor, { id: `${actor}/statuses/${randomUUID()}`, attributedTo: actor });
      const headers = await fedifySigned({ keyId: new URL(keyUrl), privateKey: pair.privateKey }, body);
      // The signature itself is sound and its key claims the activity's actor: the guard's earlier steps pass.
      const loader = getDocumentLoader({ allowPrivateAddress: true });
      const verified = await verifyRequestDetailed(new Request(`${a.url}/inbox`, { method: 'POST', headers, body }), { documentLoader: loader, contextLoader: loader, timeWindow: { minutes: 15 } });
      expect(verified.verified && verified.key.ownerId?.href).toBe(actor);
      const before = await stored();
      const response = await fetch(`${a.url}/inbox`, { method: 'POST', headers, body });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: "The signing key does not belong to the activity's actor" });
      await settle([a, b]);
      expect(await stored()).toEqual(before);
    } finally {
      await attacker.close();
    }
  });

  it("400: an activity whose id is on another origin than its actor's", async () => {
    const actor = actorUrl(b, 'bob');
    const body = JSON.stringify({ '@context': AS_CONTEXT, id: `${a.url}/users/alice#follows/${randomUUID()}`, type: 'Follow', actor, object: actorUrl(a, 'alice') });
    await expectRefused(400, await fedifySigned(bob, body), body);
  });
});

describe('refusals by the rules', () => {
  it('a Like of a status the sender may not see is refused once and marked done, not retried', async () => {
    const alice = await a.services.accounts.lookup('alice', a.config.domain);
    const hidden = await a.services.statuses.create(alice, { text: 'Followers only', visibility: 'private' });
    // bea does not follow alice (bob does, since the first test), so alice's private status is hidden from her.
    const bea = await keyOf(b, 'bea');
    const actor = actorUrl(b, 'bea');
    const id = `${actor}#likes/${randomUUID()}`;
    const body = JSON.stringify({ '@context': AS_CONTEXT, id, type: 'Like', actor, object: `${a.url}/users/alice/statuses/${hidden._id}` });
    const favouritesBefore = await db.collection('favourites').countDocuments();
    expect(await send(await fedifySigned(bea, body), body)).toBe(202);
    await settle([a, b]);
    expect(await db.collection('favourites').countDocuments()).toBe(favouritesBefore);
    expect(await db.collection('federation_inbound').findOne({ _id: id as never })).toMatchObject({ state: 'done' });
  });
});

describe('bodies', () => {
  it('413: a 5 MB body', async () => {
    const body = JSON.stringify({ '@context': AS_CONTEXT, type: 'Create', actor: actorUrl(b, 'bob'), padding: 'x'.repeat(5 * 1024 * 1024) });
    await expectRefused(413, await fedifySigned(bob, body), body);
  });

  it('400: malformed JSON', async () => {
    const body = '{"@context": "https://www.w3.org/ns/activitystreams", "type": "Follow",';
    await expectRefused(400, await fedifySigned(bob, body), body);
  });

  it('400: __proto__, constructor and prototype keys, at the top and nested', async () => {
    const actor = actorUrl(b, 'bob');
    const bodies = [
      `{"@context":"${AS_CONTEXT}","id":"${actor}#x1","type":"Follow","actor":"${actor}","object":"${actorUrl(a, 'alice')}","__proto__":{"admin":true}}`,
      `{"@context":"${AS_CONTEXT}","id":"${actor}#x2","type":"Follow","actor":"${actor}","object":{"id":"${actorUrl(a, 'alice')}","constructor":{"prototype":{"admin":true}}}}`,
      `{"@context":"${AS_CONTEXT}","id":"${actor}#x3","type":"Follow","actor":"${actor}","object":"${actorUrl(a, 'alice')}","tag":[{"prototype":1}]}`,
    ];
    for (const body of bodies) await expectRefused(400, await fedifySigned(bob, body), body);
  });
});

// Inbound correctness between three real instances: what a remote activity stores, exactly. Boosts
// keep the visibility of their addressing; a Delete that overtakes its Create leaves no zombie; an
// actor's Delete of itself removes it; known actors are not fetched again for every activity; fan-out
// writes only local feeds; mentions and replies notify. Crafted activities are sent by a real instance,
// validly signed by a real account there (mallory, gus), so only the inbox's own rules decide.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import type { IncomingMessage } from 'node:http';
import { Announce, Create, Delete, Like, Note, PUBLIC_COLLECTION, Person, Tombstone, Update, type Activity } from '@fedify/fedify/vocab';
import type { TestInstance, TestUser } from '../harness.ts';
import { allow, closeAll, contextOf, hostOf, post, remoteAccountId, settle, startInstances } from './network.ts';

let a: TestInstance; // alice and dan: where everything is received
let b: TestInstance; // bob, bea and mallory
let c: TestInstance; // gus, who deletes himself
let alice: TestUser;
let dan: TestUser;
let bob: TestUser;
let gus: TestUser;
let aliceOnB: string;
let malloryOnA: string;
let gusOnA: string;
let aliceOnC: string;
let mongo: MongoClient;
let db: Db; // a's database, read directly for what no API shows

const actorOf = (instance: TestInstance, username: string) => new URL(`${instance.url}/users/${username}`);
const mallory = () => actorOf(b, 'mallory');

/** Sends `activity` as `username` of `from`, validly signed, straight to alice's inbox on a. */
async function sendAs(from: TestInstance, username: string, activity: Activity): Promise<void> {
  const recipient = { id: actorOf(a, 'alice'), inboxId: new URL(`${a.url}/users/alice/inbox`) };
  await contextOf(from).sendActivity({ identifier: username }, recipient, activity, { immediate: true });
  await settle([a, b, c]);
}

const inboundState = async (id: string) => (await db.collection('federation_inbound').findOne({ _id: id as never }))?.state;
const storedByUri = (uri: string) => a.services.statuses.findByUri(uri);

beforeAll(async () => {
  [a, b, c] = await startInstances(3);
  await allow(a, b, c);
  await allow(b, a);
  await allow(c, a);
  [alice, dan, bob, , , gus] = await Promise.all([
    a.createUser('alice'), a.createUser('dan'), b.createUser('bob'), b.createUser('bea'), b.createUser('mallory'), c.createUser('gus'),
  ]);
  [aliceOnB, malloryOnA, gusOnA, aliceOnC] = await Promise.all([
    remoteAccountId(b, a, 'alice'), remoteAccountId(a, b, 'mallory'), remoteAccountId(a, c, 'gus'), remoteAccountId(c, a, 'alice'),
  ]);
  // bob reads alice; dan reads mallory and gus; gus reads alice.
  expect((await bob.api.post(`/api/v1/accounts/${aliceOnB}/follow`)).status).toBe(200);
  expect((await dan.api.post(`/api/v1/accounts/${malloryOnA}/follow`)).status).toBe(200);
  expect((await dan.api.post(`/api/v1/accounts/${gusOnA}/follow`)).status).toBe(200);
  expect((await gus.api.post(`/api/v1/accounts/${aliceOnC}/follow`)).status).toBe(200);
  await settle([a, b, c]);
  mongo = await MongoClient.connect(inject('mongoUrl'));
  db = mongo.db(a.config.mongodbDatabase);
});

afterAll(async () => {
  await mongo?.close();
  await closeAll([a, b, c]);
});

describe('a remote Announce keeps the visibility of its addressing', () => {
  const followersOfMallory = () => new URL(`${mallory().href}/followers`);

  async function announce(to: URL[], cc: URL[]): Promise<{ original: string; boostUri: string }> {
    const original = await post(alice, `Boost me ${randomUUID()}`);
    const boostUri = `${mallory().href}/statuses/${randomUUID()}/activity`;
    await sendAs(b, 'mallory', new Announce({ id: new URL(boostUri), actor: mallory(), object: new URL(original.uri), tos: to, ccs: cc }));
    return { original: original.id, boostUri };
  }

  it('to Public: public', async () => {
    const { original, boostUri } = await announce([PUBLIC_COLLECTION], [followersOfMallory()]);
    expect(await storedByUri(boostUri)).toMatchObject({ accountId: malloryOnA, reblogOfId: original, visibility: 'public', deletedAt: null });
  });

  it('Public only in cc: unlisted', async () => {
    const { original, boostUri } = await announce([followersOfMallory()], [PUBLIC_COLLECTION]);
    expect(await storedByUri(boostUri)).toMatchObject({ accountId: malloryOnA, reblogOfId: original, visibility: 'unlisted', deletedAt: null });
  });

  it('to the booster’s followers only: private, in the home of her follower here', async () => {
    const { original, boostUri } = await announce([followersOfMallory()], []);
    const boost = await storedByUri(boostUri);
    expect(boost).toMatchObject({ accountId: malloryOnA, reblogOfId: original, visibility: 'private', deletedAt: null });
    const home = (await dan.api.get('/api/v1/timelines/home')).body as { id: string; visibility: string }[];
    expect(home.find((s) => s.id === boost!._id)).toMatchObject({ visibility: 'private' });
    // alice does not follow mallory: the private boost is not hers to see.
    expect((await alice.api.get(`/api/v1/statuses/${boost!._id}`)).status).toBe(404);
  });

  it('addressed to one person only: refused, nothing stored, marked done', async () => {
    const { original, boostUri } = await announce([actorOf(a, 'alice')], []);
    expect(await storedByUri(boostUri)).toBeNull();
    expect((await alice.api.get(`/api/v1/statuses/${original}`)).body.reblogs_count).toBe(0);
    expect(await inboundState(boostUri)).toBe('done');
  });
});

describe('a Delete that arrives before its Create', () => {
  const note = (author: URL, uri: string, content: string) => new Note({ id: new URL(uri), attribution: author, content, to: PUBLIC_COLLECTION });

  it('leaves a tombstone: the late Create and an Update of the uri are refused and marked done', async () => {
    const uri = `${mallory().href}/statuses/early-${randomUUID()}`;
    await sendAs(b, 'mallory', new Delete({ id: new URL(`${uri}#delete`), actor: mallory(), object: new Tombstone({ id: new URL(uri) }), to: PUBLIC_COLLECTION }));
    expect(await a.services.remoteTombstones.collection.find({ uri }, { projection: { _id: 0, uri: 1, accountId: 1 } }).toArray()).toEqual([{ uri, accountId: malloryOnA }]);

    await sendAs(b, 'mallory', new Create({ id: new URL(`${uri}/activity`), actor: mallory(), object: note(mallory(), uri, '<p>Too late</p>'), to: PUBLIC_COLLECTION }));
    expect(await storedByUri(uri)).toBeNull();
    expect(await inboundState(`${uri}/activity`)).toBe('done');

    await sendAs(b, 'mallory', new Update({ id: new URL(`${uri}#update`), actor: mallory(), object: note(mallory(), uri, '<p>Still too late</p>'), to: PUBLIC_COLLECTION }));
    expect(await storedByUri(uri)).toBeNull();
    expect(await inboundState(`${uri}#update`)).toBe('done');
  });

  it('another actor’s Delete of the uri does not stop its author’s Create', async () => {
    const uri = `${mallory().href}/statuses/${randomUUID()}`;
    const bea = actorOf(b, 'bea');
    await sendAs(b, 'bea', new Delete({ id: new URL(`${bea.href}#delete-${randomUUID()}`), actor: bea, object: new Tombstone({ id: new URL(uri) }), to: PUBLIC_COLLECTION }));
    await sendAs(b, 'mallory', new Create({ id: new URL(`${uri}/activity`), actor: mallory(), object: note(mallory(), uri, '<p>Mine</p>'), to: PUBLIC_COLLECTION }));
    expect(await storedByUri(uri)).toMatchObject({ accountId: malloryOnA, uri, visibility: 'public', deletedAt: null, contentHtml: '<p>Mine</p>' });
  });
});

describe('the inbox does not fetch a known actor for every activity', () => {
  // GETs of mallory's actor document, counted where they arrive: at b.
  let actorGets = 0;
  const countActorGets = (request: IncomingMessage) => {
    if (request.method === 'GET' && request.url === '/users/mallory') actorGets++;
  };
  beforeAll(() => b.kith.app.server.on('request', countActorGets));
  afterAll(() => b.kith.app.server.off('request', countActorGets));

  async function likes(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const status = await post(alice, `Like me ${randomUUID()}`);
      await sendAs(b, 'mallory', new Like({ id: new URL(`${mallory().href}#likes/${randomUUID()}`), actor: mallory(), object: new URL(status.uri) }));
      expect((await alice.api.get(`/api/v1/statuses/${status.id}`)).body.favourites_count).toBe(1);
    }
  }

  it('a stored actor fetched within 24 h: no request; an older one: fetched once, then stored again', async () => {
    await likes(1); // mallory is known and her key cached from here on
    actorGets = 0;
    await likes(3);
    expect(actorGets).toBe(0);

    const stale = new Date(Date.now() - 25 * 3600_000);
    // No API sets when an actor was fetched: the test stands in for a day passing.
    await db.collection('accounts').updateOne({ _id: malloryOnA as never }, { $set: { fetchedAt: stale } });
    await likes(3);
    expect(actorGets).toBe(1);
    expect((await a.services.accounts.find(malloryOnA))!.fetchedAt!.getTime()).toBeGreaterThan(stale.getTime());
  });

  it('an Update of the Person refreshes the stored actor without a fetch', async () => {
    actorGets = 0;
    const person = new Person({
      id: mallory(), preferredUsername: 'mallory', name: 'Mallory (renamed)', inbox: new URL(`${mallory().href}/inbox`),
      followers: new URL(`${mallory().href}/followers`), url: mallory(),
    });
    await sendAs(b, 'mallory', new Update({ id: new URL(`${mallory().href}#updates/${randomUUID()}`), actor: mallory(), object: person }));
    expect((await a.services.accounts.find(malloryOnA))!.displayName).toBe('Mallory (renamed)');
    expect(actorGets).toBe(0);
  });
});

describe('fan-out writes only local home feeds', () => {
  it('a status reaches the local follower’s feed, not a materialized feed of a remote follower', async () => {
    const bobOnA = await remoteAccountId(a, b, 'bob');
    // bob follows alice from b; a feed under his remote account id exists only because this test made one.
    await a.services.timelines.ensureHomeFeed(bobOnA);
    const danFollowsAlice = await dan.api.post(`/api/v1/accounts/${alice.account._id}/follow`);
    expect(danFollowsAlice.status).toBe(200);
    await a.services.timelines.ensureHomeFeed(dan.account._id);
    const status = await post(alice, 'For my followers');
    await settle([a, b, c]);
    expect(await a.services.timelines.isInHomeFeed(dan.account._id, status.id)).toBe(true);
    expect(await a.services.timelines.isInHomeFeed(bobOnA, status.id)).toBe(false);
  });
});

describe('mentions and replies notify the local accounts', () => {
  async function mentionsOf(user: TestUser): Promise<{ type: string; status: { uri: string } }[]> {
    return (await user.api.get('/api/v1/notifications')).body as { type: string; status: { uri: string } }[];
  }

  it('a remote reply to alice’s status (mentioning her, as clients do) notifies her, threaded under her status', async () => {
    const original = await post(alice, `Who can review ${randomUUID()}?`);
    await settle([a, b, c]);
    const onB = (await b.kith.federation.ports.statuses.idByUri(original.uri))!.statusId;
    const reply = await post(bob, `@alice@${hostOf(a)} I can`, { in_reply_to_id: onB });
    await settle([a, b, c]);
    const stored = await storedByUri(reply.uri);
    expect(stored).toMatchObject({ inReplyToId: original.id, inReplyToAccountId: alice.account._id, mentionIds: [alice.account._id] });
    expect((await mentionsOf(alice)).filter((n) => n.type === 'mention' && n.status.uri === reply.uri)).toHaveLength(1);
  });

  it('a remote direct note mentioning alice notifies her, and only her', async () => {
    const dm = await post(bob, `@alice@${hostOf(a)} a word in private`, { visibility: 'direct' });
    await settle([a, b, c]);
    expect(await storedByUri(dm.uri)).toMatchObject({ visibility: 'direct', mentionIds: [alice.account._id] });
    expect((await mentionsOf(alice)).filter((n) => n.type === 'mention' && n.status.uri === dm.uri)).toHaveLength(1);
    expect((await mentionsOf(dan)).filter((n) => n.status?.uri === dm.uri)).toHaveLength(0);
  });
});

describe('an actor’s Delete of itself', () => {
  let gusStatus: { uri: string; onA: string };
  let liked: { id: string; uri: string };

  beforeAll(async () => {
    const posted = await post(gus, 'Hello from c');
    liked = await post(alice, `Gus will like this ${randomUUID()}`);
    await settle([a, b, c]);
    const likedOnC = (await c.kith.federation.ports.statuses.idByUri(liked.uri))!.statusId;
    expect((await gus.api.post(`/api/v1/statuses/${likedOnC}/favourite`)).status).toBe(200);
    await settle([a, b, c]);
    gusStatus = { uri: posted.uri, onA: (await storedByUri(posted.uri))!._id };
    expect((await alice.api.get(`/api/v1/statuses/${liked.id}`)).body.favourites_count).toBe(1);
    expect(((await dan.api.get('/api/v1/timelines/home')).body as { id: string }[]).map((s) => s.id)).toContain(gusStatus.onA);
  });

  it('by another actor: ignored, gus stays', async () => {
    const id = `${mallory().href}#delete-gus-${randomUUID()}`;
    await sendAs(b, 'mallory', new Delete({ id: new URL(id), actor: mallory(), object: actorOf(c, 'gus') }));
    expect(await a.services.accounts.find(gusOnA)).toMatchObject({ suspended: false });
    expect(await storedByUri(gusStatus.uri)).toMatchObject({ deletedAt: null });
    expect(await inboundState(id)).toBe('done');
  });

  it('by gus himself: his account is suspended, his statuses and favourites gone, his follows ended both ways', async () => {
    const gusActor = actorOf(c, 'gus');
    await sendAs(c, 'gus', new Delete({ id: new URL(`${gusActor.href}#delete`), actor: gusActor, object: gusActor, to: PUBLIC_COLLECTION }));

    expect(await a.services.accounts.find(gusOnA)).toMatchObject({ suspended: true, followersCount: 0, followingCount: 0 });
    expect((await storedByUri(gusStatus.uri))!.deletedAt).toBeInstanceOf(Date);
    expect(((await dan.api.get('/api/v1/timelines/home')).body as { id: string }[]).map((s) => s.id)).not.toContain(gusStatus.onA);
    expect(await a.services.follows.followingIds(dan.account._id)).not.toContain(gusOnA);
    expect(await a.services.follows.followerIds(alice.account._id)).not.toContain(gusOnA);
    expect((await alice.api.get(`/api/v1/statuses/${liked.id}`)).body.favourites_count).toBe(0);

    // Whatever gus sends afterwards is refused.
    const late = `${gusActor.href}/statuses/${randomUUID()}`;
    await sendAs(c, 'gus', new Create({ id: new URL(`${late}/activity`), actor: gusActor, object: new Note({ id: new URL(late), attribution: gusActor, content: '<p>Back</p>', to: PUBLIC_COLLECTION }), to: PUBLIC_COLLECTION }));
    expect(await storedByUri(late)).toBeNull();
  });
});

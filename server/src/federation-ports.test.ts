// The ports federation/ calls, as the server implements them, against real services, MongoDB and Redis.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FederationPorts, RemoteNoteInput } from '@kith/federation';
import { startTestInstance, type TestInstance, type TestUser } from '../test/harness.ts';
import { remoteActor } from './accounts/remote-actor.test-support.ts';
import { createFederationPorts } from './federation-ports.ts';

const HOST = '127.0.0.1:3994';
let kith: TestInstance;
let ports: FederationPorts;
let alice: TestUser;
let zedId: string;

function note(id: string, changes: Partial<RemoteNoteInput> = {}): RemoteNoteInput {
  return {
    uri: `http://${HOST}/users/zed/statuses/${id}`, url: null, authorId: zedId, contentHtml: `<p>note ${id}</p>`, spoilerText: '', sensitive: false,
    visibility: 'public', language: null, inReplyToUri: null, mentionUris: [], tags: [], published: new Date(Date.now() - 1000), updated: null, ...changes,
  };
}

beforeAll(async () => {
  kith = await startTestInstance();
  ports = createFederationPorts(kith.services, { config: kith.config });
  alice = await kith.createUser('alice', { displayName: 'Alice A.' });
  await kith.services.accounts.updateProfile(alice.account._id, { title: 'CFO', department: 'Finance', location: 'Paris', fields: [{ name: 'Desk', value: '4.12' }] });
  zedId = await ports.actors.upsertRemote({ ...remoteActor('zed', HOST), host: HOST });
});

afterAll(async () => {
  await kith?.close();
});

describe('actors', () => {
  it('renders local actors, resolves actor ids without the network and lists remote inboxes', async () => {
    expect(await ports.actors.findLocal('ALICE')).toMatchObject({
      accountId: alice.account._id, username: 'alice', displayName: 'Alice A.', title: 'CFO', department: 'Finance', location: 'Paris',
      fields: [{ name: 'Desk', value: '4.12' }], locked: false, suspended: false, createdAt: expect.any(Date),
    });
    expect(await ports.actors.findLocal('zed')).toBeNull();
    expect(await ports.actors.idByUri(`${kith.url}/users/alice`)).toEqual({ accountId: alice.account._id, local: true });
    expect(await ports.actors.idByUri(`http://${HOST}/users/zed`)).toEqual({ accountId: zedId, local: false });
    expect(await ports.actors.idByUri(`http://${HOST}/users/nobody`)).toBeNull();
    expect(await ports.actors.localUsername(alice.account._id)).toBe('alice');
    expect(await ports.actors.localUsername(zedId)).toBeNull();

    expect(await ports.follows.receiveFollow(zedId, alice.account._id, `http://${HOST}/follows/1`)).toBe('accepted');
    const inbox = { actorUri: `http://${HOST}/users/zed`, inboxUrl: `http://${HOST}/users/zed/inbox`, sharedInboxUrl: `http://${HOST}/inbox` };
    expect(await ports.actors.remoteFollowerInboxes(alice.account._id)).toEqual([inbox]);
    expect(await ports.actors.inboxesOf([alice.account._id, zedId])).toEqual([inbox]);
  });
});

describe('follows', () => {
  it('pages follower and following IRIs and counts them', async () => {
    const bob = await kith.createUser('bob');
    await kith.services.follows.follow(bob.account._id, alice.account._id);
    const first = await ports.follows.followersPage(alice.account._id, null, 1);
    expect(first.uris).toEqual([`${kith.url}/users/bob`]);
    expect(first.next).not.toBeNull();
    const second = await ports.follows.followersPage(alice.account._id, first.next, 1);
    expect(second.uris).toEqual([`http://${HOST}/users/zed`]);
    const all = await ports.follows.followersPage(alice.account._id, null, 10);
    expect(all).toEqual({ uris: [`${kith.url}/users/bob`, `http://${HOST}/users/zed`], next: null });
    expect(await ports.follows.followingPage(bob.account._id, null, 10)).toEqual({ uris: [`${kith.url}/users/alice`], next: null });
    expect(await ports.follows.counts(alice.account._id)).toEqual({ followers: 2, following: 0 });
  });
});

describe('statuses', () => {
  it('renders local statuses with their thread, mentions and boosts as IRIs', async () => {
    const remote = await ports.statuses.receiveNote(note('1'));
    const reply = await kith.services.statuses.create(alice.account, { text: `@zed@${HOST} agreed #finance`, inReplyToId: remote, visibility: 'unlisted' });
    const local = await ports.statuses.getLocal(reply._id);
    expect(local).toMatchObject({
      statusId: reply._id, authorUsername: 'alice', visibility: 'unlisted', inReplyToUri: `http://${HOST}/users/zed/statuses/1`, tags: ['finance'], deletedAt: null, reblogOfUri: null,
    });
    const boost = await kith.services.statusInteractions.reblog(alice.account, remote);
    expect((await ports.statuses.getLocal(boost._id))!.reblogOfUri).toBe(`http://${HOST}/users/zed/statuses/1`);
    expect(await ports.statuses.getLocal(remote)).toBeNull();
    expect(await ports.statuses.uriOf(reply._id)).toEqual({ uri: `${kith.url}/users/alice/statuses/${reply._id}`, authorId: alice.account._id });
    expect(await ports.statuses.uriOf(remote)).toEqual({ uri: `http://${HOST}/users/zed/statuses/1`, authorId: zedId });
    expect(await ports.statuses.idByUri(`${kith.url}/users/alice/statuses/${reply._id}`)).toEqual({ statusId: reply._id, authorId: alice.account._id });
    expect(await ports.statuses.idByUri(`http://${HOST}/users/zed/statuses/1`)).toEqual({ statusId: remote, authorId: zedId });
  });

  it('receives, edits and deletes remote notes by uri', async () => {
    const id = await ports.statuses.receiveNote(note('2', { mentionUris: [`${kith.url}/users/alice`] }));
    expect(await ports.statuses.receiveNote(note('2', { contentHtml: '<p>edited</p>', updated: new Date() }))).toBe(id);
    expect((await kith.services.statuses.getMany([id]))[0]).toMatchObject({ contentHtml: '<p>edited</p>', mentionIds: [alice.account._id] });
    expect(await ports.statuses.receiveDelete(`http://${HOST}/users/zed/statuses/2`, alice.account._id)).toBe(false);
    expect(await ports.statuses.receiveDelete(`http://${HOST}/users/zed/statuses/2`, zedId)).toBe(true);
    expect(await kith.services.statuses.getMany([id])).toEqual([]);
  });
});

describe('interactions', () => {
  it('records and undoes remote likes and boosts', async () => {
    const post = await kith.services.statuses.create(alice.account, { text: 'like and boost me' });
    await ports.interactions.receiveLike(zedId, post._id, `http://${HOST}/likes/1`);
    await ports.interactions.receiveAnnounce(zedId, post._id, `http://${HOST}/announces/1`, new Date(), 'public');
    expect(await kith.services.statuses.get(post._id, alice.account)).toMatchObject({ favouritesCount: 1, reblogsCount: 1 });
    await ports.interactions.undoLike(zedId, post._id);
    await ports.interactions.undoAnnounce(zedId, `http://${HOST}/announces/1`);
    expect(await kith.services.statuses.get(post._id, alice.account)).toMatchObject({ favouritesCount: 0, reblogsCount: 0 });
    await expect(ports.interactions.receiveLike(alice.account._id, post._id, 'http://x/1')).rejects.toThrow(/Record not found/);
  });
});

describe('keys, inbound log, dead letters, peers, events', () => {
  it('passes through to the services that own them', async () => {
    const keys = await ports.keys.keyPairs('~instance');
    expect(await ports.keys.keyPairs('~instance')).toEqual(keys);
    expect(await ports.inboundLog.claim('http://a/1', 'Like')).toBe('new');
    await ports.inboundLog.done('http://a/1');
    expect(await ports.inboundLog.claim('http://a/1', 'Like')).toBe('done');
    await ports.deadLetters.record({ activityId: null, inbox: `http://${HOST}/inbox`, host: HOST, reason: '410', jobId: '1' });
    expect((await kith.services.federationState.listDeadLetters())[0]).toMatchObject({ host: HOST, reason: '410' });

    const changed = new Promise<void>((resolve) => ports.peers.onChange(resolve));
    await kith.services.peers.add(null, { host: HOST, scheme: 'http' });
    await changed;
    expect(await ports.peers.list()).toEqual([{ host: HOST, scheme: 'http', state: 'allow', cidr: null }]);

    const seen: unknown[] = [];
    ports.events.on('account.updated', 'test.ports-account-updated', async (payload) => void seen.push(payload));
    await kith.services.accounts.updateProfile(alice.account._id, { location: 'Lyon' });
    await kith.idle();
    expect(seen).toEqual([{ accountId: alice.account._id }]);
  });
});

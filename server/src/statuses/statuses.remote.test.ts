// Statuses from other instances: stored by uri through the same side effects as local posts (home
// feeds, notifications, threads), edited and deleted only by their author; remote boosts and likes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';
import { remoteActor } from '../accounts/remote-actor.test-support.ts';
import type { RemoteStatusInput } from './remote-statuses.ts';

const HOST = '127.0.0.1:3997';
let kith: TestInstance;
let alice: TestUser;
let zedId: string;
let eveId: string;
let n = 0;

function note(changes: Partial<RemoteStatusInput> = {}): RemoteStatusInput {
  n += 1;
  return {
    uri: `http://${HOST}/users/zed/statuses/${n}`,
    url: `http://${HOST}/@zed/${n}`,
    authorId: zedId,
    contentHtml: `<p>Remote post ${n} about <a href="http://${HOST}/tags/Launch">#Launch</a></p>`,
    spoilerText: '',
    sensitive: false,
    visibility: 'public',
    language: 'en',
    inReplyToUri: null,
    mentionUris: [],
    tags: ['Launch'],
    published: new Date(Date.now() - 60_000),
    updated: null,
    ...changes,
  };
}

beforeAll(async () => {
  kith = await startTestInstance();
  alice = await kith.createUser('alice');
  zedId = await kith.services.accounts.upsertRemote(remoteActor('zed', HOST));
  eveId = await kith.services.accounts.upsertRemote(remoteActor('eve', HOST));
  // alice follows zed: a request until zed's instance accepts.
  await kith.services.follows.follow(alice.account._id, zedId);
  await kith.services.follows.remoteAnswer(alice.account._id, zedId, 'accept');
});

afterAll(async () => {
  await kith?.close();
});

describe('StatusesService.receiveRemote', () => {
  it('stores a remote status that reaches followers home feeds, and is found by uri', async () => {
    const input = note();
    const status = await kith.services.statuses.receiveRemote(input);
    expect(status).toMatchObject({ uri: input.uri, url: input.url, accountId: zedId, visibility: 'public', tags: ['launch'], text: `Remote post ${n} about #Launch`, contentHtml: input.contentHtml });
    expect(status.createdAt).toEqual(input.published);
    expect(await kith.services.statuses.findByUri(input.uri)).toMatchObject({ _id: status._id });
    await kith.idle();
    const home = await alice.api.get('/api/v1/timelines/home');
    expect(home.body.map((s: { id: string }) => s.id)).toContain(status._id);
    const entity = home.body.find((s: { id: string }) => s.id === status._id);
    expect(entity).toMatchObject({ uri: input.uri, url: input.url, account: { acct: `zed@${HOST}` } });
    expect((await kith.services.accounts.get(zedId)).statusesCount).toBe(1);
  });

  it('processes the same Note once, also when it arrives twice at once', async () => {
    const input = note();
    const [a, b] = await Promise.all([kith.services.statuses.receiveRemote(input), kith.services.statuses.receiveRemote(input)]);
    expect(a._id).toBe(b._id);
    expect((await kith.services.statuses.receiveRemote(input))._id).toBe(a._id);
    const page = await kith.services.statuses.list({ accountIds: [zedId] }, { maxId: null, sinceId: null, minId: null, limit: 40 });
    expect(page.filter((s) => s.uri === input.uri)).toHaveLength(1);
  });

  it('notifies mentioned local accounts and threads replies to local statuses', async () => {
    const post = await kith.services.statuses.create(alice.account, { text: 'Launch plan, comments welcome' });
    const reply = await kith.services.statuses.receiveRemote(note({
      inReplyToUri: `${kith.url}/users/alice/statuses/${post._id}`,
      mentionUris: [`${kith.url}/users/alice`, `http://${HOST}/users/unknown`],
      contentHtml: '<p><span class="h-card"><a href="#">@alice</a></span> looks good</p>',
    }));
    expect(reply).toMatchObject({ inReplyToId: post._id, inReplyToAccountId: alice.account._id, mentionIds: [alice.account._id] });
    await kith.idle();
    const notifications = await alice.api.get('/api/v1/notifications');
    expect(notifications.body.find((x: { type: string; status?: { id: string } }) => x.type === 'mention' && x.status?.id === reply._id)).toBeDefined();
    const context = await alice.api.get(`/api/v1/statuses/${post._id}/context`);
    expect(context.body.descendants.map((s: { id: string }) => s.id)).toEqual([reply._id]);
    expect((await kith.services.statuses.get(post._id, alice.account)).repliesCount).toBe(1);
  });

  it('applies an Update from the author as an edit, keeping earlier versions', async () => {
    const input = note();
    const original = await kith.services.statuses.receiveRemote(input);
    const updated = new Date(Date.now() - 1000);
    const edited = await kith.services.statuses.receiveRemote({ ...input, contentHtml: '<p>Edited remotely</p>', tags: [], updated });
    expect(edited._id).toBe(original._id);
    expect(edited).toMatchObject({ contentHtml: '<p>Edited remotely</p>', text: 'Edited remotely', tags: [], editedAt: updated, visibility: 'public' });
    const history = await alice.api.get(`/api/v1/statuses/${original._id}/history`);
    expect(history.body.map((v: { content: string }) => v.content)).toEqual([input.contentHtml, '<p>Edited remotely</p>']);
    // The same Update again changes nothing.
    expect((await kith.services.statuses.receiveRemote({ ...input, contentHtml: '<p>Edited remotely</p>', tags: [], updated })).rev).toBe(edited.rev);
  });

  it('refuses what the author may not send, storing nothing', async () => {
    const statuses = kith.services.statuses;
    const mine = note();
    await statuses.receiveRemote(mine);
    // Another actor of the same host editing zed's status.
    await expect(statuses.receiveRemote({ ...mine, authorId: eveId, contentHtml: '<p>hijacked</p>' })).rejects.toThrow(/another author/);
    expect((await statuses.findByUri(mine.uri))!.contentHtml).toBe(mine.contentHtml);
    // A status on another host than its author's, a local author, local visibility, an unknown author.
    await expect(statuses.receiveRemote(note({ uri: 'http://127.0.0.1:3996/users/zed/statuses/x' }))).rejects.toThrow(/not on its author host/);
    await expect(statuses.receiveRemote(note({ authorId: alice.account._id }))).rejects.toThrow(/Not a remote author/);
    await expect(statuses.receiveRemote(note({ visibility: 'local' }))).rejects.toThrow(/cannot be local/);
    await expect(statuses.receiveRemote(note({ authorId: '0000000000000000' }))).rejects.toThrow(/Not a remote author/);
    await expect(statuses.receiveRemote(note({ contentHtml: 'x'.repeat(100_001) }))).rejects.toThrow(/too long/);
    for (let i = n - 4; i <= n; i++) expect(await statuses.findByUri(`http://${HOST}/users/zed/statuses/${i}`)).toBeNull();
  });

  it('never dates a status in the future', async () => {
    const status = await kith.services.statuses.receiveRemote(note({ published: new Date(Date.now() + 86_400_000) }));
    expect(status.createdAt.getTime()).toBeLessThanOrEqual(Date.now());
  });
});

describe('StatusesService.receiveDelete', () => {
  it('tombstones only for the author; a later Create of the uri stays deleted', async () => {
    const input = note();
    const status = await kith.services.statuses.receiveRemote(input);
    expect(await kith.services.statuses.receiveDelete(input.uri, eveId)).toBe(false);
    expect((await kith.services.statuses.findByUri(input.uri))!.deletedAt).toBeNull();
    expect(await kith.services.statuses.receiveDelete(input.uri, zedId)).toBe(true);
    expect(await kith.services.statuses.receiveDelete(input.uri, zedId)).toBe(true);
    expect((await kith.services.statuses.findByUri(input.uri))!.deletedAt).toBeInstanceOf(Date);
    expect(await kith.services.statuses.receiveDelete(`http://${HOST}/users/zed/statuses/none`, zedId)).toBe(false);
    const again = await kith.services.statuses.receiveRemote(input);
    expect(again).toMatchObject({ _id: status._id, deletedAt: expect.any(Date) });
    await kith.idle();
    expect((await alice.api.get(`/api/v1/statuses/${status._id}`)).status).toBe(404);
  });
});

describe('StatusesService.findByUri', () => {
  it('finds local statuses by their actor-based IRI and nothing else', async () => {
    const post = await kith.services.statuses.create(alice.account, { text: 'mine' });
    expect(await kith.services.statuses.findByUri(`${kith.url}/users/alice/statuses/${post._id}`)).toMatchObject({ _id: post._id });
    expect(await kith.services.statuses.findByUri(`${kith.url}/users/bob/statuses/${post._id}`)).toBeNull();
    expect(await kith.services.statuses.findByUri(`${kith.url}/users/alice/statuses/${post._id}/activity`)).toBeNull();
    expect(await kith.services.statuses.findByUri(`http://${HOST}/users/zed/statuses/${post._id}`)).toBeNull();
  });
});

describe('remote boosts and likes', () => {
  it('stores an Announce as a boost under its id, and undoes it only for its author', async () => {
    const post = await kith.services.statuses.create(alice.account, { text: 'boost me' });
    const zed = await kith.services.accounts.get(zedId);
    const eve = await kith.services.accounts.get(eveId);
    const announce = `http://${HOST}/users/zed/statuses/boost-1/activity`;
    const boost = await kith.services.statusInteractions.receiveAnnounce(zed, post._id, announce, new Date(Date.now() - 5000));
    expect(boost).toMatchObject({ uri: announce, reblogOfId: post._id, accountId: zedId });
    expect((await kith.services.statuses.get(post._id, alice.account)).reblogsCount).toBe(1);
    expect(await kith.services.statusInteractions.undoAnnounce(eve, announce)).toBe(false);
    expect(await kith.services.statusInteractions.undoAnnounce(zed, announce)).toBe(true);
    expect((await kith.services.statuses.get(post._id, alice.account)).reblogsCount).toBe(0);
    await expect(kith.services.statusInteractions.receiveAnnounce(alice.account, post._id, announce, new Date())).rejects.toThrow(/Not a remote account/);
  });

  it('emits favourite.removed when a like is taken back', async () => {
    const post = await kith.services.statuses.create(alice.account, { text: 'like me' });
    const zed = await kith.services.accounts.get(zedId);
    const seen: unknown[] = [];
    kith.services.events.on('favourite.removed', 'test.favourite-removed', async (payload) => void seen.push(payload));
    await kith.services.statusInteractions.favourite(zed, post._id);
    await kith.services.statusInteractions.unfavourite(zed, post._id);
    await kith.idle();
    expect(seen).toEqual([{ accountId: zedId, statusId: post._id }]);
    expect((await kith.services.statuses.get(post._id, alice.account)).favouritesCount).toBe(0);
  });
});

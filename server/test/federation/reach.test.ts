// Remote mentions between three real instances on loopback, over real signed HTTP: "@carol@host" in a
// status becomes a mention (resolved on the spot when carol is not known yet), and the status reaches
// exactly who Mastodon's rules say: public and private go to followers' instances and to the mentioned;
// direct only to the mentioned. Every instance's home timelines, notifications and stored copies are
// checked, including those that must receive nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestInstance, TestUser } from '../harness.ts';
import { closeAll, homeContents, hostOf, post, remoteStatusId, settle, startPeeredInstances } from './network.ts';

let a: TestInstance; // alice writes; dan is mentioned from b
let b: TestInstance; // bob follows alice
let c: TestInstance; // carol follows nobody
let alice: TestUser;
let dan: TestUser;
let bob: TestUser;
let carol: TestUser;

/** The user's mention notifications, as the mentioned status's text. */
async function mentionTexts(user: TestUser): Promise<string[]> {
  const response = await user.api.get('/api/v1/notifications', { limit: 40 });
  expect(response.status).toBe(200);
  return (response.body as { type: string; status?: { content: string } }[]).filter((n) => n.type === 'mention').map((n) => n.status!.content);
}

/** Where a status arrived: for each user, whether it is in their home and whether they were notified. */
async function reach(text: string): Promise<Record<string, { home: boolean; mentioned: boolean }>> {
  const result: Record<string, { home: boolean; mentioned: boolean }> = {};
  for (const [name, user] of Object.entries({ alice, dan, bob, carol })) {
    const [home, mentions] = await Promise.all([homeContents(user), mentionTexts(user)]);
    result[name] = { home: home.some((t) => t.includes(text)), mentioned: mentions.some((t) => t.includes(text)) };
  }
  return result;
}

beforeAll(async () => {
  [a, b, c] = await startPeeredInstances(3);
  [alice, dan, bob, carol] = await Promise.all([a.createUser('alice'), a.createUser('dan'), b.createUser('bob'), c.createUser('carol')]);
  const aliceOnB = await bob.api.get('/api/v1/accounts/lookup', { acct: `alice@${hostOf(a)}` });
  expect(aliceOnB.status).toBe(200);
  expect((await bob.api.post(`/api/v1/accounts/${aliceOnB.body.id}/follow`)).status).toBe(200);
  await settle([a, b, c]);
  const relationship = await bob.api.get('/api/v1/accounts/relationships', { id: [aliceOnB.body.id] });
  expect(relationship.body[0].following).toBe(true);
});

afterAll(async () => {
  await closeAll([a, b, c]);
});

describe('remote mentions', () => {
  it('resolves a mention of a colleague not known yet, in Mastodon’s shape', async () => {
    expect(await a.kith.federation.ports.actors.idByUri(`${c.url}/users/carol`)).toBeNull();
    const status = await post(alice, `Welcome @carol@${hostOf(c)} to the launch`);
    expect(status.mentions).toEqual([expect.objectContaining({ username: 'carol', acct: `carol@${hostOf(c)}`, url: `${c.url}/@carol` })]);
    expect(status.content).toContain(`<span class="h-card" translate="no"><a href="${c.url}/@carol" class="u-url mention">@<span>carol</span></a></span>`);
    await settle([a, b, c]);

    // Public: bob (a follower) has it at home; carol (mentioned, no follower) is notified; nobody else.
    expect(await reach('to the launch')).toEqual({
      alice: { home: true, mentioned: false },
      dan: { home: false, mentioned: false },
      bob: { home: true, mentioned: false },
      carol: { home: false, mentioned: true },
    });
    const onC = await remoteStatusId(c, status.uri);
    expect(onC).not.toBeNull();
    const seen = await carol.api.get(`/api/v1/statuses/${onC}`);
    expect(seen.body.mentions).toEqual([expect.objectContaining({ acct: 'carol', url: `${c.url}/@carol` })]);
  });

  it('a private status reaches followers’ instances and the mentioned non-follower', async () => {
    const status = await post(alice, `Numbers for @carol@${hostOf(c)} and followers`, { visibility: 'private' });
    await settle([a, b, c]);
    expect(await reach('Numbers for')).toEqual({
      alice: { home: true, mentioned: false },
      dan: { home: false, mentioned: false },
      bob: { home: true, mentioned: false },
      carol: { home: false, mentioned: true },
    });
    const onC = await remoteStatusId(c, status.uri);
    expect((await carol.api.get(`/api/v1/statuses/${onC}`)).body.visibility).toBe('private');
  });

  it('a direct status reaches only the mentioned: the follower’s instance receives nothing', async () => {
    const status = await post(alice, `Just between us @carol@${hostOf(c)}`, { visibility: 'direct' });
    await settle([a, b, c]);
    expect(await reach('Just between us')).toEqual({
      alice: { home: true, mentioned: false },
      dan: { home: false, mentioned: false },
      bob: { home: false, mentioned: false },
      carol: { home: false, mentioned: true },
    });
    expect(await remoteStatusId(b, status.uri)).toBeNull();
    const onC = await remoteStatusId(c, status.uri);
    expect((await carol.api.get(`/api/v1/statuses/${onC}`)).body.visibility).toBe('direct');
  });

  it('a direct status to a mentioned follower reaches their home; other instances receive nothing', async () => {
    const status = await post(alice, `Ping @bob@${hostOf(b)} privately`, { visibility: 'direct' });
    await settle([a, b, c]);
    expect(await reach('privately')).toEqual({
      alice: { home: true, mentioned: false },
      dan: { home: false, mentioned: false },
      bob: { home: true, mentioned: true },
      carol: { home: false, mentioned: false },
    });
    expect(await remoteStatusId(c, status.uri)).toBeNull();
  });

  it('mentions work the other way round, and for several instances at once', async () => {
    const status = await post(bob, `Thanks @dan@${hostOf(a)} and @carol@${hostOf(c)} for the review`);
    await settle([a, b, c]);
    expect(await reach('for the review')).toEqual({
      alice: { home: false, mentioned: false },
      dan: { home: false, mentioned: true },
      bob: { home: true, mentioned: false },
      carol: { home: false, mentioned: true },
    });
    expect(await remoteStatusId(a, status.uri)).not.toBeNull();
    expect(await remoteStatusId(c, status.uri)).not.toBeNull();
  });

  it('a handle on a host that is not allowed, or that nobody answers for, stays plain text and reaches nobody', async () => {
    const status = await post(alice, `Hello @zed@127.0.0.1:1 and @nobody@${hostOf(c)}`);
    expect(status.mentions).toEqual([]);
    expect(status.content).toContain('@zed@127.0.0.1:1');
    expect(status.content).not.toContain('mention');
  });
});

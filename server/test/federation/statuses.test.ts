// Follows and statuses between three real instances on loopback, over real signed HTTP: Follow → Accept
// (a locked account's request, accepted or rejected), a public status in a remote follower's home timeline, a
// reply across instances in the thread's context, a delete removing the remote copy, and visibility:
// local never leaves, private reaches only the instances of the author's followers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestInstance, TestUser } from '../harness.ts';
import { closeAll, homeContents, hostOf, post, remoteAccountId, remoteStatusId, settle, startPeeredInstances } from './network.ts';

let a: TestInstance; // alice (unlocked), carol (locked)
let b: TestInstance; // bob follows alice and carol
let c: TestInstance; // erin follows dan on a, not alice
let alice: TestUser;
let carol: TestUser;
let dan: TestUser;
let bob: TestUser;
let erin: TestUser;

beforeAll(async () => {
  [a, b, c] = await startPeeredInstances(3);
  [alice, carol, dan, bob, erin] = await Promise.all([
    a.createUser('alice'),
    a.createUser('carol', { locked: true }),
    a.createUser('dan'),
    b.createUser('bob'),
    c.createUser('erin'),
  ]);
});

afterAll(async () => {
  await closeAll([a, b, c]);
});

describe('follows across instances', () => {
  it('Follow of an unlocked account is accepted at once (Follow → Accept)', async () => {
    const aliceOnB = await remoteAccountId(b, a, 'alice');
    const followed = await bob.api.post(`/api/v1/accounts/${aliceOnB}/follow`);
    expect(followed.status).toBe(200);
    expect(followed.body.requested).toBe(true);
    await settle([a, b, c]);

    const relationship = await bob.api.get('/api/v1/accounts/relationships', { id: [aliceOnB] });
    expect(relationship.body[0]).toEqual(expect.objectContaining({ following: true, requested: false }));
    const followers = await alice.api.get(`/api/v1/accounts/${alice.account._id}/followers`);
    expect((followers.body as { acct: string }[]).map((f) => f.acct)).toEqual([`bob@${hostOf(b)}`]);
  });

  it('Follow of a locked account waits as a request until it is authorized', async () => {
    const carolOnB = await remoteAccountId(b, a, 'carol');
    await bob.api.post(`/api/v1/accounts/${carolOnB}/follow`);
    await settle([a, b, c]);

    const pending = await bob.api.get('/api/v1/accounts/relationships', { id: [carolOnB] });
    expect(pending.body[0]).toEqual(expect.objectContaining({ following: false, requested: true }));
    const requests = await carol.api.get('/api/v1/follow_requests');
    expect((requests.body as { acct: string }[]).map((r) => r.acct)).toEqual([`bob@${hostOf(b)}`]);

    const authorized = await carol.api.post(`/api/v1/follow_requests/${requests.body[0].id}/authorize`);
    expect(authorized.status).toBe(200);
    await settle([a, b, c]);
    const accepted = await bob.api.get('/api/v1/accounts/relationships', { id: [carolOnB] });
    expect(accepted.body[0]).toEqual(expect.objectContaining({ following: true, requested: false }));
  });

  it('a rejected request (Reject) is withdrawn on the requester’s instance', async () => {
    const carolOnC = await remoteAccountId(c, a, 'carol');
    await erin.api.post(`/api/v1/accounts/${carolOnC}/follow`);
    await settle([a, b, c]);
    const requests = await carol.api.get('/api/v1/follow_requests');
    const fromErin = (requests.body as { id: string; acct: string }[]).find((r) => r.acct === `erin@${hostOf(c)}`);
    expect(fromErin).toBeDefined();

    expect((await carol.api.post(`/api/v1/follow_requests/${fromErin!.id}/reject`)).status).toBe(200);
    await settle([a, b, c]);
    const rejected = await erin.api.get('/api/v1/accounts/relationships', { id: [carolOnC] });
    expect(rejected.body[0]).toEqual(expect.objectContaining({ following: false, requested: false }));
  });
});

describe('statuses across instances', () => {
  it('a public status reaches the remote follower’s home timeline; a reply joins the thread; a delete removes it', async () => {
    const original = await post(alice, 'Hello from sales #kith');
    await settle([a, b, c]);
    expect(await homeContents(bob)).toEqual([expect.stringContaining('Hello from sales')]);
    const copyOnB = await remoteStatusId(b, original.uri);
    expect(copyOnB).not.toBeNull();

    const reply = await post(bob, `@alice@${hostOf(a)} Hello back from engineering`, { in_reply_to_id: copyOnB });
    await settle([a, b, c]);
    const context = await alice.api.get(`/api/v1/statuses/${original.id}/context`);
    expect(context.status).toBe(200);
    expect((context.body.descendants as { content: string; account: { acct: string } }[]).map((s) => [s.account.acct, s.content])).toEqual([
      [`bob@${hostOf(b)}`, expect.stringContaining('Hello back from engineering')],
    ]);
    expect(await remoteStatusId(a, reply.uri)).not.toBeNull();

    const deleted = await alice.api.delete(`/api/v1/statuses/${original.id}`);
    expect(deleted.status).toBe(200);
    await settle([a, b, c]);
    expect((await bob.api.get(`/api/v1/statuses/${copyOnB}`)).status).toBe(404);
    expect(await homeContents(bob)).not.toContainEqual(expect.stringContaining('Hello from sales'));
  });

  it('a local (department-only) status never leaves the instance', async () => {
    const local = await post(alice, 'Only for sales', { visibility: 'local' });
    await settle([a, b, c]);
    expect(await remoteStatusId(b, local.uri)).toBeNull();
    expect(await homeContents(bob)).not.toContainEqual(expect.stringContaining('Only for sales'));
  });

  it('a private status reaches only the instances of the author’s followers', async () => {
    // c knows a (erin follows dan there), but nobody on c follows alice.
    const danOnC = await remoteAccountId(c, a, 'dan');
    await erin.api.post(`/api/v1/accounts/${danOnC}/follow`);
    await settle([a, b, c]);
    const followsDan = await erin.api.get('/api/v1/accounts/relationships', { id: [danOnC] });
    expect(followsDan.body[0].following).toBe(true);

    const secret = await post(alice, 'Followers only', { visibility: 'private' });
    const open = await post(dan, 'Dan in public');
    await settle([a, b, c]);
    expect(await remoteStatusId(b, secret.uri)).not.toBeNull();
    expect(await homeContents(bob)).toContainEqual(expect.stringContaining('Followers only'));
    expect(await remoteStatusId(c, secret.uri)).toBeNull();
    // The same path did reach c for dan's public status, so c was reachable all along.
    expect(await remoteStatusId(c, open.uri)).not.toBeNull();
    expect(await homeContents(erin)).toEqual([expect.stringContaining('Dan in public')]);
  });
});

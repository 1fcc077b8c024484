// Follows across instances: a remote Follow of a local account (accepted, or pending when locked), and
// the remote answers (Accept, Reject, Undo), through the same rules and events as local follows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';
import { remoteActor } from '../accounts/remote-actor.test-support.ts';

let kith: TestInstance;
let alice: TestUser;
let locked: TestUser;
let zedId: string;
const removed: unknown[] = [];

beforeAll(async () => {
  kith = await startTestInstance();
  alice = await kith.createUser('alice');
  locked = await kith.createUser('lockedlou', { locked: true });
  zedId = await kith.services.accounts.upsertRemote(remoteActor('zed', '127.0.0.1:3995'));
  kith.services.events.on('follow.removed', 'test.follow-removed', async (payload) => void removed.push(payload));
});

afterAll(async () => {
  await kith?.close();
});

describe('FollowsService.receiveFollow', () => {
  it('accepts a remote Follow of an unlocked account and keeps the activity id', async () => {
    const activity = 'http://127.0.0.1:3995/follows/1';
    expect(await kith.services.follows.receiveFollow(zedId, alice.account._id, activity)).toBe('accepted');
    expect(await kith.services.follows.isFollowing(zedId, alice.account._id)).toBe(true);
    expect(await kith.services.follows.followActivityUri(zedId, alice.account._id)).toBe(activity);
    expect((await kith.services.accounts.get(alice.account._id)).followersCount).toBe(1);
    // The same Follow again changes nothing.
    expect(await kith.services.follows.receiveFollow(zedId, alice.account._id, activity)).toBe('accepted');
    expect((await kith.services.accounts.get(alice.account._id)).followersCount).toBe(1);
    await kith.idle();
    const notifications = await alice.api.get('/api/v1/notifications');
    expect(notifications.body.filter((x: { type: string }) => x.type === 'follow')).toHaveLength(1);
  });

  it('leaves a Follow of a locked account pending until the account approves it', async () => {
    const activity = 'http://127.0.0.1:3995/follows/2';
    expect(await kith.services.follows.receiveFollow(zedId, locked.account._id, activity)).toBe('pending');
    expect(await kith.services.follows.isFollowing(zedId, locked.account._id)).toBe(false);
    const requests = await locked.api.get('/api/v1/follow_requests');
    expect(requests.body.map((a: { id: string }) => a.id)).toEqual([zedId]);
    expect((await locked.api.post(`/api/v1/follow_requests/${zedId}/authorize`)).status).toBe(200);
    expect(await kith.services.follows.isFollowing(zedId, locked.account._id)).toBe(true);
    // The approved follow still names the Follow activity, for the Accept.
    expect(await kith.services.follows.followActivityUri(zedId, locked.account._id)).toBe(activity);
  });

  it('refuses a local follower or a remote target', async () => {
    const other = await kith.services.accounts.upsertRemote(remoteActor('yan', '127.0.0.1:3995'));
    await expect(kith.services.follows.receiveFollow(alice.account._id, locked.account._id, 'http://x/1')).rejects.toThrow(/Not a remote follower/);
    await expect(kith.services.follows.receiveFollow(zedId, other, 'http://127.0.0.1:3995/follows/3')).rejects.toThrow(/Record not found/);
    expect(await kith.services.follows.isFollowing(zedId, other)).toBe(false);
  });
});

describe('FollowsService.remoteAnswer', () => {
  it('a local follow of a remote account waits for its Accept', async () => {
    const bob = await kith.createUser('bob');
    const rel = await kith.services.follows.follow(bob.account._id, zedId);
    expect(rel).toMatchObject({ following: false, requested: true });
    await kith.services.follows.remoteAnswer(bob.account._id, zedId, 'accept');
    expect(await kith.services.follows.relationship(bob.account._id, zedId)).toMatchObject({ following: true, requested: false });
    expect((await kith.services.accounts.get(bob.account._id)).followingCount).toBe(1);
    // An Accept of nothing pending changes nothing.
    await kith.services.follows.remoteAnswer(bob.account._id, zedId, 'accept');
    expect((await kith.services.accounts.get(bob.account._id)).followingCount).toBe(1);
  });

  it('a Reject ends a follow or a request, saying it was rejected', async () => {
    const carol = await kith.createUser('carol');
    const dave = await kith.createUser('dave');
    await kith.services.follows.follow(carol.account._id, zedId);
    await kith.services.follows.remoteAnswer(carol.account._id, zedId, 'accept');
    await kith.services.follows.follow(dave.account._id, zedId);
    await kith.services.follows.remoteAnswer(carol.account._id, zedId, 'reject');
    await kith.services.follows.remoteAnswer(dave.account._id, zedId, 'reject');
    expect(await kith.services.follows.relationship(carol.account._id, zedId)).toMatchObject({ following: false, requested: false });
    expect(await kith.services.follows.relationship(dave.account._id, zedId)).toMatchObject({ following: false, requested: false });
    expect((await kith.services.accounts.get(carol.account._id)).followingCount).toBe(0);
    await kith.idle();
    expect(removed).toEqual(expect.arrayContaining([
      { followerId: carol.account._id, targetId: zedId, reason: 'rejected' },
      { followerId: dave.account._id, targetId: zedId, reason: 'rejected' },
    ]));
  });

  it('an Undo from the remote follower unfollows', async () => {
    await kith.services.follows.remoteAnswer(zedId, alice.account._id, 'undo');
    expect(await kith.services.follows.isFollowing(zedId, alice.account._id)).toBe(false);
    expect((await kith.services.accounts.get(alice.account._id)).followersCount).toBe(0);
    // Undo of a follow that does not exist is a no-op.
    await kith.services.follows.remoteAnswer(zedId, alice.account._id, 'undo');
    await kith.idle();
    expect(removed).toContainEqual({ followerId: zedId, targetId: alice.account._id, reason: 'unfollowed' });
  });
});

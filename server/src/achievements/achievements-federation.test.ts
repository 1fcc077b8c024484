// Achievements earned across instances (issue 6, item 5), between two real instances over HTTP: following
// someone on another instance crosses departments once the follow is accepted there; a favourite from another
// instance on a reply earns its local author one; a remote account's profile here shows none.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestInstance, TestUser } from '../../test/harness.ts';
import { closeAll, post, remoteAccountId, remoteStatusId, settle, startPeeredInstances } from '../../test/federation/network.ts';

let a: TestInstance;
let b: TestInstance;
let alice: TestUser; // on a
let cleo: TestUser; // on a, alice's colleague
let bob: TestUser; // on b

async function achievementsOn(instance: TestInstance, reader: TestUser, accountId: string): Promise<any> {
  const response = await reader.api.get(`/api/v1/kith/accounts/${accountId}/achievements`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
}

beforeAll(async () => {
  [a, b] = await startPeeredInstances(2);
  [alice, cleo, bob] = await Promise.all([a.createUser('alice'), a.createUser('cleo'), b.createUser('bob')]);
}, 120_000);

afterAll(() => closeAll([a, b]));

describe('achievements across instances', () => {
  it('following someone on another instance earns first_cross_department_follow once it is accepted', async () => {
    const bobOnA = await remoteAccountId(a, b, 'bob');
    const before = Date.now();
    expect((await alice.api.post(`/api/v1/accounts/${bobOnA}/follow`)).status).toBe(200);
    await settle([a, b]);
    const after = Date.now();
    expect((await alice.api.get('/api/v1/accounts/relationships', { id: [bobOnA] })).body[0].following).toBe(true);
    const { enabled, achievements } = await achievementsOn(a, cleo, alice.account._id);
    expect(enabled).toBe(true);
    expect(achievements).toEqual([expect.objectContaining({ kind: 'first_cross_department_follow' })]);
    expect(Date.parse(achievements[0].earned_at)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(achievements[0].earned_at)).toBeLessThanOrEqual(after);
    // On bob's side the follow came from another instance: bob earns nothing for being followed.
    expect((await achievementsOn(b, bob, bob.account._id)).achievements).toEqual([]);
  });

  it('a favourite from another instance on a reply earns its author first_reply_favourited; on a post it does not', async () => {
    const aliceOnB = await remoteAccountId(b, a, 'alice');
    expect((await bob.api.post(`/api/v1/accounts/${aliceOnB}/follow`)).status).toBe(200);
    await settle([a, b]);
    const cleos = await post(cleo, 'Who is coming to the offsite?');
    const reply = await post(alice, 'I am!', { in_reply_to_id: cleos.id });
    const top = await post(alice, 'Offsite agenda draft');
    await settle([a, b]);
    const topOnB = await remoteStatusId(b, top.uri);
    const replyOnB = await remoteStatusId(b, reply.uri);
    expect(topOnB).not.toBeNull();
    expect(replyOnB).not.toBeNull();

    expect((await bob.api.post(`/api/v1/statuses/${topOnB}/favourite`)).status).toBe(200);
    await settle([a, b]);
    expect((await alice.api.get(`/api/v1/statuses/${top.id}`)).body.favourites_count).toBe(1);
    const kinds = async () => (await achievementsOn(a, cleo, alice.account._id)).achievements.map((x: any) => x.kind).sort();
    expect(await kinds()).toEqual(['first_cross_department_follow', 'first_post']);

    expect((await bob.api.post(`/api/v1/statuses/${replyOnB}/favourite`)).status).toBe(200);
    await settle([a, b]);
    expect((await alice.api.get(`/api/v1/statuses/${reply.id}`)).body.favourites_count).toBe(1);
    expect(await kinds()).toEqual(['first_cross_department_follow', 'first_post', 'first_reply_favourited']);
  });

  it('a remote account’s profile here shows none: its own instance knows its achievements', async () => {
    const bobOnA = await remoteAccountId(a, b, 'bob');
    await post(bob, 'Bob posts at home');
    await settle([a, b]);
    // On b, bob has his own (he followed alice on a in the test before).
    expect((await achievementsOn(b, bob, bob.account._id)).achievements.map((x: any) => x.kind).sort()).toEqual(['first_cross_department_follow', 'first_post']);
    expect(await achievementsOn(a, alice, bobOnA)).toEqual({ enabled: true, achievements: [] });
  });
});

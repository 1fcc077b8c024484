// Achievements on profiles over real HTTP on one instance (issue 6, item 5): what earns each of them on
// this instance, what does not, that each is earned once, the instance's switch, and the route's refusals.
// Remote follows and favourites: achievements-federation.test.ts; relayed news: achievements-relay.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';

const ADMIN_SCOPES = ['read', 'write', 'follow', 'push', 'admin:read', 'admin:write'];

let kith: TestInstance;
let admin: TestUser;

interface Achievement {
  kind: string;
  title: string;
  description: string;
  earned_at: string;
}

/** The achievements a user's profile shows, read by `reader`. */
async function achievementsOf(user: TestUser, reader: TestUser = admin): Promise<{ enabled: boolean; achievements: Achievement[] }> {
  const response = await reader.api.get(`/api/v1/kith/accounts/${user.account._id}/achievements`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
}

async function kindsOf(user: TestUser): Promise<string[]> {
  await kith.idle();
  return (await achievementsOf(user)).achievements.map((a) => a.kind);
}

async function postAs(user: TestUser, body: Record<string, unknown>): Promise<any> {
  const response = await user.api.post('/api/v1/statuses', body);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
}

async function setDepartment(user: TestUser, department: string): Promise<void> {
  const response = await user.api.patch('/api/v1/accounts/update_credentials', { department });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
}

async function follow(user: TestUser, target: TestUser): Promise<void> {
  const response = await user.api.post(`/api/v1/accounts/${target.account._id}/follow`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
}

async function setEnabled(enabled: boolean): Promise<void> {
  const response = await admin.api.put('/api/v1/kith/admin/analytics/settings', { achievements_enabled: enabled });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
}

beforeAll(async () => {
  kith = await startTestInstance();
  admin = await kith.createUser('chief', { role: 'admin', scopes: ADMIN_SCOPES });
});

afterAll(async () => {
  await kith?.close();
});

describe('first_post', () => {
  it('is earned by a top-level post, not by a reply or a boost; once, at the first post’s time', async () => {
    const [ann, ben] = await Promise.all([kith.createUser('ann'), kith.createUser('ben')]);
    const bens = await postAs(ben, { status: 'Hello from ben' });
    await postAs(ann, { status: 'A reply first', in_reply_to_id: bens.id });
    expect((await ann.api.post(`/api/v1/statuses/${bens.id}/reblog`)).status).toBe(200);
    expect(await kindsOf(ann)).toEqual([]);

    const first = await postAs(ann, { status: 'My first post' });
    await kith.idle();
    const { enabled, achievements } = await achievementsOf(ann);
    expect(enabled).toBe(true);
    expect(achievements).toEqual([{
      kind: 'first_post', title: 'First post', description: expect.stringMatching(/not a reply or a boost/), earned_at: first.created_at,
    }]);

    await postAs(ann, { status: 'My second post' });
    await postAs(ann, { status: 'And a third', visibility: 'unlisted' });
    await kith.idle();
    expect((await achievementsOf(ann)).achievements).toEqual(achievements);
    // ben posted first of all; his profile shows it to anyone signed in, ann included.
    expect((await achievementsOf(ben, ann)).achievements.map((a) => a.kind)).toEqual(['first_post']);
  });

  it('is stored once when its handler runs again, keeping the first post’s time', async () => {
    const uma = await kith.createUser('uma');
    const first = await postAs(uma, { status: 'One' });
    const second = await postAs(uma, { status: 'Two' });
    await kith.idle();
    // A retried job: the events run again, the later post's first.
    await kith.services.events.emit('status.created', { statusId: second.id });
    await kith.services.events.emit('status.created', { statusId: first.id });
    await kith.idle();
    expect((await achievementsOf(uma)).achievements).toEqual([expect.objectContaining({ kind: 'first_post', earned_at: first.created_at })]);
  });
});

describe('first_cross_department_follow', () => {
  it('is not earned within a department, nor when either side has no department', async () => {
    const [cat, dom, eve, nod] = await Promise.all([kith.createUser('cat'), kith.createUser('dom'), kith.createUser('eve'), kith.createUser('nod')]);
    await setDepartment(cat, 'Sales');
    await setDepartment(dom, ' sales ');
    await setDepartment(eve, 'Engineering');
    await follow(cat, dom); // the same department, spelt differently
    await follow(cat, nod); // nod has no department
    await follow(nod, eve); // nor has the follower
    const department = await kith.services.departments.departmentAccount();
    expect((await cat.api.post(`/api/v1/accounts/${department._id}/follow`)).status).toBe(200);
    expect(await kindsOf(cat)).toEqual([]);
    expect(await kindsOf(nod)).toEqual([]);
  });

  it('is earned by following someone in another department; once', async () => {
    const [fay, gus, hal] = await Promise.all([kith.createUser('fay'), kith.createUser('gus'), kith.createUser('hal')]);
    await setDepartment(fay, 'Sales');
    await setDepartment(gus, 'Engineering');
    await setDepartment(hal, 'Legal');
    const before = Date.now();
    await follow(fay, gus);
    const after = Date.now();
    await kith.idle();
    const [earned] = (await achievementsOf(fay)).achievements;
    expect(earned).toMatchObject({ kind: 'first_cross_department_follow', title: 'First cross-department follow' });
    expect(Date.parse(earned!.earned_at)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(earned!.earned_at)).toBeLessThanOrEqual(after);

    // Following another department again, or the same person again, changes nothing.
    expect((await fay.api.post(`/api/v1/accounts/${gus.account._id}/unfollow`)).status).toBe(200);
    await follow(fay, gus);
    await follow(fay, hal);
    await kith.idle();
    expect((await achievementsOf(fay)).achievements).toEqual([earned]);
    // The followed one earns nothing.
    expect(await kindsOf(gus)).toEqual([]);
  });

  it('counts a request to a locked account only once it is accepted', async () => {
    const [ida, jon] = await Promise.all([kith.createUser('ida'), kith.createUser('jon', { locked: true })]);
    await setDepartment(ida, 'Sales');
    await setDepartment(jon, 'Finance');
    await follow(ida, jon);
    expect(await kindsOf(ida)).toEqual([]);
    const accepted = await jon.api.post(`/api/v1/follow_requests/${ida.account._id}/authorize`);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(await kindsOf(ida)).toEqual(['first_cross_department_follow']);
  });
});

describe('first_reply_favourited', () => {
  it('is not earned by a self-favourite, nor by a favourite on a top-level post', async () => {
    const [kim, lou] = await Promise.all([kith.createUser('kim'), kith.createUser('lou')]);
    const lous = await postAs(lou, { status: 'What do you think?' });
    const reply = await postAs(kim, { status: 'I agree', in_reply_to_id: lous.id });
    const own = await postAs(kim, { status: 'A post of my own' });
    expect((await kim.api.post(`/api/v1/statuses/${reply.id}/favourite`)).status).toBe(200);
    expect((await lou.api.post(`/api/v1/statuses/${own.id}/favourite`)).status).toBe(200);
    expect(await kindsOf(kim)).toEqual(['first_post']);
  });

  it('is earned when someone else favourites a reply; once, however many favourites follow', async () => {
    const [max, ned, oli] = await Promise.all([kith.createUser('max'), kith.createUser('ned'), kith.createUser('oli')]);
    const neds = await postAs(ned, { status: 'Lunch at noon?' });
    const reply = await postAs(max, { status: 'Count me in', in_reply_to_id: neds.id });
    const before = Date.now();
    expect((await ned.api.post(`/api/v1/statuses/${reply.id}/favourite`)).status).toBe(200);
    await kith.idle();
    const after = Date.now();
    const [earned] = (await achievementsOf(max)).achievements;
    expect(earned).toMatchObject({ kind: 'first_reply_favourited', title: 'First favourited reply' });
    expect(Date.parse(earned!.earned_at)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(earned!.earned_at)).toBeLessThanOrEqual(after);

    expect((await ned.api.post(`/api/v1/statuses/${reply.id}/unfavourite`)).status).toBe(200);
    expect((await ned.api.post(`/api/v1/statuses/${reply.id}/favourite`)).status).toBe(200);
    expect((await oli.api.post(`/api/v1/statuses/${reply.id}/favourite`)).status).toBe(200);
    await kith.idle();
    expect((await achievementsOf(max)).achievements).toEqual([earned]);
    // The one who favourited earns nothing.
    expect(await kindsOf(ned)).toEqual(['first_post']);
  });
});

describe('the switch', () => {
  it('off: profiles show none (and awards are still recorded); on again: every one earned shows', async () => {
    const [pat, quin] = await Promise.all([kith.createUser('pat'), kith.createUser('quin')]);
    await postAs(pat, { status: 'Before the switch' });
    expect(await kindsOf(pat)).toEqual(['first_post']);

    await setEnabled(false);
    try {
      expect(await achievementsOf(pat)).toEqual({ enabled: false, achievements: [] });
      expect(await achievementsOf(pat, quin)).toEqual({ enabled: false, achievements: [] });
      const quins = await postAs(quin, { status: 'While switched off' });
      await kith.idle();
      expect(await achievementsOf(quin)).toEqual({ enabled: false, achievements: [] });

      await setEnabled(true);
      expect((await achievementsOf(pat)).achievements.map((a) => a.kind)).toEqual(['first_post']);
      expect(await achievementsOf(quin)).toEqual({
        enabled: true,
        achievements: [expect.objectContaining({ kind: 'first_post', earned_at: quins.created_at })],
      });
    } finally {
      await setEnabled(true);
    }
  });
});

describe('GET /api/v1/kith/accounts/:id/achievements', () => {
  const path = (id: string) => `/api/v1/kith/accounts/${id}/achievements`;

  it('answers unknown, malformed and suspended accounts as the profile route does', async () => {
    const [rex, sue] = await Promise.all([kith.createUser('rex'), kith.createUser('sue')]);
    for (const id of ['1999999999999999', 'nope', '../../x', 'a'.repeat(32), 'a'.repeat(33)]) {
      const profile = await rex.api.get(`/api/v1/accounts/${encodeURIComponent(id)}`);
      const response = await rex.api.get(path(encodeURIComponent(id)));
      expect([404, 400], id).toContain(response.status);
      expect(response.status, id).toBe(profile.status);
      expect(response.body.error, id).toEqual(expect.any(String));
    }

    await postAs(sue, { status: 'Soon suspended' });
    await kith.idle();
    expect((await admin.api.post(`/api/v1/kith/admin/accounts/${sue.account._id}/suspend`)).status).toBe(200);
    expect((await rex.api.get(path(sue.account._id))).status).toBe(404);
    expect((await admin.api.post(`/api/v1/kith/admin/accounts/${sue.account._id}/unsuspend`)).status).toBe(200);
    expect((await achievementsOf(sue, rex)).achievements.map((a) => a.kind)).toEqual(['first_post']);
  });

  it('needs a signed-in reader with read access to accounts, like the profile itself', async () => {
    const [tia, writer] = await Promise.all([kith.createUser('tia'), kith.createUser('wri', { scopes: ['write'] })]);
    const anonymous = await kith.api.get(path(tia.account._id));
    expect(anonymous.status).toBe((await kith.api.get(`/api/v1/accounts/${tia.account._id}`)).status);
    expect(anonymous.status).toBe(401);
    expect((await writer.api.get(path(tia.account._id))).status).toBe(403);
  });

  it('shows the department actor with none', async () => {
    const department = await kith.services.departments.departmentAccount();
    const response = await admin.api.get(path(department._id));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ enabled: true, achievements: [] });
  });
});

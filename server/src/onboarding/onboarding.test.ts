// The first-run checklist over real HTTP: steps done by what the account shows or marked by hand; bad input refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';

let kith: TestInstance;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  kith = await startTestInstance();
  alice = await kith.createUser('alice');
  bob = await kith.createUser('bob');
});

afterAll(async () => {
  await kith?.close();
});

const stepsOf = (body: { steps: { id: string; done: boolean }[] }) => Object.fromEntries(body.steps.map((s) => [s.id, s.done]));

describe('onboarding', () => {
  it('starts with nothing done, the department step available (the department actor exists from the start)', async () => {
    const res = await alice.api.get('/api/v1/kith/onboarding');
    expect(res.status).toBe(200);
    expect(res.body.finished).toBe(false);
    expect(stepsOf(res.body)).toEqual({ profile: false, follow_colleagues: false, follow_department: false, first_post: false });
    expect(res.body.steps.find((s: { id: string }) => s.id === 'follow_department')).toMatchObject({ available: true, note: null });
  });

  it('sees the department followed on the account itself', async () => {
    const department = await kith.services.departments.departmentAccount();
    expect((await alice.api.post(`/api/v1/accounts/${department._id}/follow`)).status).toBe(200);
    await kith.idle();
    expect(stepsOf((await alice.api.get('/api/v1/kith/onboarding')).body).follow_department).toBe(true);
  });

  it('sees a first post and a follow on the account itself', async () => {
    await alice.api.post('/api/v1/statuses', { status: 'hello' });
    expect((await alice.api.post(`/api/v1/accounts/${bob.account._id}/follow`)).status).toBe(200);
    await kith.idle();
    const res = await alice.api.get('/api/v1/kith/onboarding');
    expect(stepsOf(res.body)).toMatchObject({ follow_colleagues: true, first_post: true, profile: false });
  });

  it('marks a step done by hand, and is finished when every available step is done', async () => {
    const res = await alice.api.patch('/api/v1/kith/onboarding', { completed: ['profile'] });
    expect(res.status).toBe(200);
    expect(stepsOf(res.body).profile).toBe(true);
    expect(res.body.finished).toBe(true);
    // Stored on the server: another read (another device) sees it.
    expect((await alice.api.get('/api/v1/kith/onboarding')).body.finished).toBe(true);
    // Another account's checklist is its own.
    expect((await bob.api.get('/api/v1/kith/onboarding')).body.finished).toBe(false);
  });

  it('refuses an unknown step or extra fields and changes nothing', async () => {
    for (const body of [{ completed: ['everything'] }, { completed: 'profile' }, { completed: [], finished: true }, {}]) {
      const res = await bob.api.patch('/api/v1/kith/onboarding', body);
      expect(res.status).toBe(400);
    }
    expect(stepsOf((await bob.api.get('/api/v1/kith/onboarding')).body).profile).toBe(false);
  });

  it('needs a signed-in account', async () => {
    expect((await kith.api.get('/api/v1/kith/onboarding')).status).toBe(401);
  });
});

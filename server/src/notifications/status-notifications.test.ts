// Mastodon's "status" notifications: following with notify: true notifies of each new original status.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';

// kai posts; lea follows kai with notifications on; mo follows kai without them.
let kith: TestInstance;
let kai: TestUser;
let lea: TestUser;
let mo: TestUser;

type Notification = { id: string; type: string; account: { id: string }; status?: { id: string } };

async function post(user: TestUser, status: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await user.api.post('/api/v1/statuses', { status, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.id;
}

async function follow(user: TestUser, target: TestUser, options: Record<string, unknown> = {}): Promise<void> {
  expect((await user.api.post(`/api/v1/accounts/${target.account._id}/follow`, options)).status).toBe(200);
}

/** The statuses the user was notified of with type "status", newest first. */
async function statusNotifications(user: TestUser): Promise<string[]> {
  await kith.idle();
  const res = await user.api.get('/api/v1/notifications', { types: ['status'] });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const list = res.body as Notification[];
  expect(list.every((n) => n.type === 'status' && n.account.id === kai.account._id)).toBe(true);
  return list.map((n) => n.status!.id);
}

beforeAll(async () => {
  kith = await startTestInstance();
  [kai, lea, mo] = await Promise.all([kith.createUser('kai'), kith.createUser('lea'), kith.createUser('mo')]);
  await follow(lea, kai, { notify: true });
  await follow(mo, kai);
});
afterAll(async () => kith?.close());

describe('status notifications', () => {
  it('notifies followers who asked of new statuses and self-replies; not of boosts, replies to others or unseen direct ones', async () => {
    const first = await post(kai, 'news');
    const privately = await post(kai, 'for followers only', { visibility: 'private' });
    const thread = await post(kai, 'more news', { in_reply_to_id: first });
    const mos = await post(mo, 'a question');
    await post(kai, '@mo an answer', { in_reply_to_id: mos });
    expect((await kai.api.post(`/api/v1/statuses/${mos}/reblog`, {})).status).toBe(200);
    await post(kai, 'psst @mo', { visibility: 'direct' });

    expect(await statusNotifications(lea)).toEqual([thread, privately, first]);
    expect(await statusNotifications(mo)).toEqual([]);
    expect(await statusNotifications(kai)).toEqual([]);
    const me = await lea.api.get('/api/v1/accounts/relationships', { id: [kai.account._id] });
    expect(me.body[0]).toMatchObject({ following: true, notifying: true });
  });

  it('notifies once per status: a retried job and an edit add nothing', async () => {
    const status = await post(kai, 'said once');
    expect(await statusNotifications(lea)).toContain(status);
    const before = await statusNotifications(lea);
    await kith.services.events.emit('status.created', { statusId: status });
    expect((await kai.api.put(`/api/v1/statuses/${status}`, { status: 'said once, edited' })).status).toBe(200);
    expect(await statusNotifications(lea)).toEqual(before);
  });

  it('stops when notifications are turned off, and a deleted status takes its notification with it', async () => {
    const doomed = await post(kai, 'soon gone');
    expect((await statusNotifications(lea))[0]).toBe(doomed);
    expect((await kai.api.delete(`/api/v1/statuses/${doomed}`)).status).toBe(200);
    expect(await statusNotifications(lea)).not.toContain(doomed);

    await follow(lea, kai, { notify: false });
    const before = await statusNotifications(lea);
    await post(kai, 'nobody is told');
    expect(await statusNotifications(lea)).toEqual(before);
  });
});

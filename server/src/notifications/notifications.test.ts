import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';

// nia posts; omar and pia act on her statuses; lux is locked.
let kith: TestInstance;
let nia: TestUser;
let omar: TestUser;
let pia: TestUser;
let lux: TestUser;

type Notification = { id: string; type: string; group_key: string; created_at: string; account: { id: string }; status?: { id: string } };

async function post(user: TestUser, status: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await user.api.post('/api/v1/statuses', { status, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.id;
}

async function notifications(user: TestUser, query: Record<string, string | number | string[]> = {}): Promise<Notification[]> {
  await kith.idle();
  const res = await user.api.get('/api/v1/notifications', query);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

const summary = (list: Notification[]) => list.map((n) => [n.type, n.account.id, n.status?.id ?? null]);
const stored = (accountId: string) => kith.services.notifications.page(accountId, {}, { maxId: null, sinceId: null, minId: null, limit: 200 });

beforeAll(async () => {
  kith = await startTestInstance();
  [nia, omar, pia, lux] = await Promise.all([kith.createUser('nia'), kith.createUser('omar'), kith.createUser('pia'), kith.createUser('lux', { locked: true })]);
});
afterAll(async () => kith.close());

describe('notifications', () => {
  it('notifies mentions, never the author of their own mention', async () => {
    const status = await post(nia, 'hello @omar and @pia and me, @nia');
    expect(summary(await notifications(omar))).toEqual([['mention', nia.account._id, status]]);
    expect(summary(await notifications(pia))).toEqual([['mention', nia.account._id, status]]);
    expect(await notifications(nia)).toEqual([]);
    const [mention] = await notifications(omar);
    expect(mention).toMatchObject({ id: expect.any(String), type: 'mention', group_key: `ungrouped-${mention!.id}`, account: { id: nia.account._id } });
    expect(new Date(mention!.created_at).toISOString()).toBe(mention!.created_at);
  });

  it('notifies follows and follow requests; an answered request leaves no notification', async () => {
    expect((await omar.api.post(`/api/v1/accounts/${nia.account._id}/follow`, {})).status).toBe(200);
    expect(summary(await notifications(nia))).toEqual([['follow', omar.account._id, null]]);

    expect((await omar.api.post(`/api/v1/accounts/${lux.account._id}/follow`, {})).status).toBe(200);
    expect((await pia.api.post(`/api/v1/accounts/${lux.account._id}/follow`, {})).status).toBe(200);
    expect(summary(await notifications(lux))).toEqual([
      ['follow_request', pia.account._id, null],
      ['follow_request', omar.account._id, null],
    ]);
    expect((await lux.api.post(`/api/v1/follow_requests/${omar.account._id}/authorize`, {})).status).toBe(200);
    expect((await lux.api.post(`/api/v1/follow_requests/${pia.account._id}/reject`, {})).status).toBe(200);
    expect(await notifications(lux)).toEqual([]);

    // Unfollowing takes the follow notification away; following again notifies again.
    expect((await omar.api.post(`/api/v1/accounts/${nia.account._id}/unfollow`, {})).status).toBe(200);
    expect(await notifications(nia)).toEqual([]);
    expect((await omar.api.post(`/api/v1/accounts/${nia.account._id}/follow`, {})).status).toBe(200);
    expect(summary(await notifications(nia))).toEqual([['follow', omar.account._id, null]]);
  });

  it('notifies favourites and boosts of the original, grouped per status, never for your own', async () => {
    const status = await post(nia, 'like and share');
    await nia.api.post(`/api/v1/statuses/${status}/favourite`, {});
    await nia.api.post(`/api/v1/statuses/${status}/reblog`, {});
    expect((await omar.api.post(`/api/v1/statuses/${status}/favourite`, {})).status).toBe(200);
    expect((await pia.api.post(`/api/v1/statuses/${status}/favourite`, {})).status).toBe(200);
    const boost = await omar.api.post(`/api/v1/statuses/${status}/reblog`, {});
    expect(boost.status).toBe(200);
    const list = await notifications(nia, { types: ['favourite', 'reblog'] });
    expect(summary(list)).toEqual([
      ['reblog', omar.account._id, status],
      ['favourite', pia.account._id, status],
      ['favourite', omar.account._id, status],
    ]);
    expect(list[1]!.group_key).toBe(list[2]!.group_key);
    expect(list[1]!.group_key).toMatch(new RegExp(`^favourite-${status}-\\d+$`));
    expect(list[0]!.group_key).toMatch(new RegExp(`^reblog-${status}-\\d+$`));

    // Taking the boost back takes its notification away.
    expect((await omar.api.post(`/api/v1/statuses/${status}/unreblog`, {})).status).toBe(200);
    expect(summary(await notifications(nia, { types: ['reblog'] }))).toEqual([]);
  });

  it('notifies those who boosted a status when it is edited, and accounts newly mentioned by the edit', async () => {
    const status = await post(nia, 'first draft');
    expect((await pia.api.post(`/api/v1/statuses/${status}/reblog`, {})).status).toBe(200);
    await kith.idle();
    expect((await nia.api.put(`/api/v1/statuses/${status}`, { status: 'second draft, cc @omar' })).status).toBe(200);
    expect(summary(await notifications(pia, { types: ['update'] }))).toEqual([['update', nia.account._id, status]]);
    expect(summary(await notifications(omar, { types: ['mention'] }))[0]).toEqual(['mention', nia.account._id, status]);
    expect((await nia.api.put(`/api/v1/statuses/${status}`, { status: 'third draft, cc @omar' })).status).toBe(200);
    // Each edit notifies the boosters again; the mention is not repeated.
    expect(summary(await notifications(pia, { types: ['update'] }))).toEqual([
      ['update', nia.account._id, status],
      ['update', nia.account._id, status],
    ]);
    expect((await notifications(omar, { types: ['mention'] })).filter((n) => n.status?.id === status)).toHaveLength(1);
  });

  it('never stores a notification twice when an event is handled again', async () => {
    const status = await post(nia, 'favourite me once');
    expect((await pia.api.post(`/api/v1/statuses/${status}/favourite`, {})).status).toBe(200);
    await kith.idle();
    const before = (await stored(nia.account._id)).notifications.length;
    await kith.services.events.emit('favourite.created', { accountId: pia.account._id, statusId: status });
    await kith.services.events.emit('follow.created', { followerId: omar.account._id, targetId: nia.account._id, pending: false });
    await kith.idle();
    expect((await stored(nia.account._id)).notifications.length).toBe(before);
  });

  it('drops notifications about a deleted status', async () => {
    const status = await post(nia, 'oops @pia');
    expect((await notifications(pia)).some((n) => n.status?.id === status)).toBe(true);
    expect((await nia.api.delete(`/api/v1/statuses/${status}`)).status).toBe(200);
    expect((await notifications(pia)).some((n) => n.status?.id === status)).toBe(false);
  });

  it('filters by types[], exclude_types[] and account_id, and pages with Link', async () => {
    const all = await notifications(nia);
    expect(all.length).toBeGreaterThanOrEqual(4);
    expect(new Set(all.map((n) => n.type))).toEqual(new Set(['follow', 'favourite', 'reblog', 'update', 'mention'].filter((t) => all.some((n) => n.type === t))));
    expect((await notifications(nia, { types: ['follow'] })).every((n) => n.type === 'follow')).toBe(true);
    expect((await notifications(nia, { exclude_types: ['favourite', 'follow'] })).some((n) => n.type === 'favourite' || n.type === 'follow')).toBe(false);
    expect((await notifications(nia, { account_id: pia.account._id })).every((n) => n.account.id === pia.account._id)).toBe(true);
    expect(await notifications(nia, { types: ['poll'] })).toEqual([]);

    const first = await nia.api.get('/api/v1/notifications', { limit: 2 });
    expect(first.body.map((n: Notification) => n.id)).toEqual(all.slice(0, 2).map((n) => n.id));
    expect(first.headers.get('link')).toContain(`max_id=${all[1]!.id}>; rel="next"`);
    expect(first.headers.get('link')).toContain(`min_id=${all[0]!.id}>; rel="prev"`);
    const second = await nia.api.get('/api/v1/notifications', { limit: 2, max_id: all[1]!.id });
    expect(second.body.map((n: Notification) => n.id)).toEqual(all.slice(2, 4).map((n) => n.id));
    const newer = await nia.api.get('/api/v1/notifications', { limit: 1, min_id: all[2]!.id });
    expect(newer.body.map((n: Notification) => n.id)).toEqual([all[1]!.id]);
  });

  it('counts unread notifications above the read marker', async () => {
    const all = await notifications(nia);
    expect((await nia.api.get('/api/v1/notifications/unread_count')).body).toEqual({ count: all.length });
    expect((await nia.api.get('/api/v1/notifications/unread_count', { limit: 2 })).body).toEqual({ count: 2 });
    const saved = await nia.api.post('/api/v1/markers', { notifications: { last_read_id: all[1]!.id } });
    expect(saved.status).toBe(200);
    expect(saved.body.notifications).toMatchObject({ last_read_id: all[1]!.id, version: 1 });
    expect((await nia.api.get('/api/v1/notifications/unread_count')).body).toEqual({ count: 1 });
    expect((await nia.api.get('/api/v1/notifications/unread_count', { types: ['mention'] })).body.count).toBeLessThanOrEqual(1);
    const markers = await nia.api.get('/api/v1/markers', { timeline: ['notifications', 'home'] });
    expect(Object.keys(markers.body)).toEqual(['notifications']);
  });

  it('shows, dismisses and clears, only the own account', async () => {
    const [latest, next] = await notifications(nia);
    const one = await nia.api.get(`/api/v1/notifications/${latest!.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(latest);
    expect((await omar.api.get(`/api/v1/notifications/${latest!.id}`)).status).toBe(404);
    expect((await omar.api.post(`/api/v1/notifications/${latest!.id}/dismiss`, {})).status).toBe(404);

    const dismissed = await nia.api.post(`/api/v1/notifications/${latest!.id}/dismiss`, {});
    expect(dismissed.status).toBe(200);
    expect(dismissed.body).toEqual({});
    expect((await nia.api.get(`/api/v1/notifications/${latest!.id}`)).status).toBe(404);
    expect((await notifications(nia))[0]!.id).toBe(next!.id);

    const omarsBefore = (await notifications(omar)).length;
    expect((await nia.api.post('/api/v1/notifications/clear', {})).status).toBe(200);
    expect(await notifications(nia)).toEqual([]);
    expect((await notifications(omar)).length).toBe(omarsBefore);
  });

  it('refuses bad input and wrong scopes, changing nothing', async () => {
    const before = (await stored(omar.account._id)).notifications.map((n) => n.id);
    expect(before.length).toBeGreaterThan(0);
    const reader = await kith.createUser('reader', { scopes: ['read:statuses', 'write:statuses'] });
    const readOnly = await kith.createUser('readonly', { scopes: ['read'] });
    const cases: [Promise<{ status: number; body: any }>, number][] = [
      [omar.api.get('/api/v1/notifications', { limit: 'abc' }), 400],
      [omar.api.get('/api/v1/notifications', { max_id: 'abc' }), 400],
      [omar.api.get('/api/v1/notifications', { types: Array(21).fill('mention') }), 400],
      [omar.api.get('/api/v1/notifications/unread_count', { limit: 'lots' }), 400],
      [omar.api.get('/api/v1/notifications/1000000000000000'), 404],
      [omar.api.post('/api/v1/notifications/1000000000000000/dismiss', {}), 404],
      [omar.api.post('/api/v1/markers', { notifications: { last_read_id: 'abc' } }), 400],
      [reader.api.get('/api/v1/notifications'), 403],
      [reader.api.get('/api/v1/notifications/unread_count'), 403],
      [readOnly.api.post(`/api/v1/notifications/${before[0]}/dismiss`, {}), 403],
      [readOnly.api.post('/api/v1/notifications/clear', {}), 403],
      [kith.api.get('/api/v1/notifications'), 401],
      [kith.api.post('/api/v1/notifications/clear', {}), 401],
    ];
    for (const [request, status] of cases) {
      const res = await request;
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(res.body.error).toEqual(expect.any(String));
    }
    expect((await stored(omar.account._id)).notifications.map((n) => n.id)).toEqual(before);
    expect((await omar.api.get('/api/v1/markers', { timeline: ['notifications'] })).body).toEqual({});
  });
});

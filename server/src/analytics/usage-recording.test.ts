// Usage recording over real HTTP: each feature once, with its client and device; reads once a day; nothing for
// anonymous, failed or department calls, or with USAGE_RECORDING=false; the rollup equals the raw events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';
import { expectRollupMatchesEvents, recorded, recordedDuring } from './usage-test-support.ts';
import { PWA_CLIENT, WEB_CLIENT } from './usage.types.ts';

const PERSONAL = 'Personal access token';
let kith: TestInstance;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let connector: TestUser;

beforeAll(async () => {
  kith = await startTestInstance();
  alice = await kith.createUser('alice');
  bob = await kith.createUser('bob');
  carol = await kith.createUser('carol', { password: 'a long password' });
  connector = await kith.createUser('conn', { role: 'connector' });
  expect((await alice.api.patch('/api/v1/accounts/update_credentials', { department: 'Sales' })).status).toBe(200);
});

afterAll(async () => {
  await kith?.close();
});

/** The one event an action recorded, checked for its feature, client and device. */
async function onlyEvent(user: TestUser, action: () => Promise<{ status: number; body: unknown }>, feature: string) {
  let status = 0;
  const events = await recordedDuring(kith, user.account._id, async () => {
    const res = await action();
    status = res.status;
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  });
  expect(status).toBeLessThan(300);
  expect(events.map((e) => e.feature)).toEqual([feature]);
  return events[0]!;
}

describe('usage recording', () => {
  it('records each feature once, with the client and device', async () => {
    const bobs = await bob.api.post('/api/v1/statuses', { status: 'hello from bob' });
    expect(bobs.status).toBe(200);
    const expected = { account: alice.account._id, department: 'Sales', client: PERSONAL, device: 'desktop' };

    let mine = '';
    expect(await onlyEvent(alice, async () => {
      const res = await alice.api.post('/api/v1/statuses', { status: 'first post' });
      mine = res.body.id;
      return res;
    }, 'post')).toMatchObject(expected);
    const reply = await onlyEvent(alice, () => alice.api.post('/api/v1/statuses', { status: '@bob hi', in_reply_to_id: bobs.body.id }), 'reply');
    expect(reply).toMatchObject({ ...expected, crossInstance: false });
    expect(await onlyEvent(alice, () => alice.api.post(`/api/v1/statuses/${bobs.body.id}/favourite`), 'favourite')).toMatchObject(expected);
    expect(await onlyEvent(alice, () => alice.api.post(`/api/v1/statuses/${bobs.body.id}/reblog`), 'boost')).toMatchObject(expected);
    const follow = await onlyEvent(alice, () => alice.api.post(`/api/v1/accounts/${bob.account._id}/follow`), 'follow');
    expect(follow).toMatchObject({ ...expected, crossInstance: false });
    expect(await onlyEvent(alice, () => alice.api.get('/api/v2/search', { q: 'bob' }), 'search')).toMatchObject(expected);
    expect(await onlyEvent(alice, () => alice.api.get('/api/v1/accounts/search', { q: 'bo' }), 'search')).toMatchObject(expected);
    let proposal = '';
    expect(await onlyEvent(alice, async () => {
      const res = await alice.api.post('/api/v1/kith/proposals', { status_id: mine });
      proposal = res.body.id;
      return res;
    }, 'proposal')).toMatchObject(expected);
    expect(await onlyEvent(connector, () => connector.api.post(`/api/v1/kith/proposals/${proposal}/approve`, {}), 'approval'))
      .toMatchObject({ account: connector.account._id, client: PERSONAL });
    expect(await onlyEvent(alice, () => alice.api.patch('/api/v1/kith/onboarding', { completed: ['profile'] }), 'onboarding')).toMatchObject(expected);
    for (const e of await recorded(kith, alice.account._id)) expect(e.day).toBe(e.at.toISOString().slice(0, 10));
  });

  it('records reads once per day, client and device', async () => {
    const events = await recordedDuring(kith, bob.account._id, async () => {
      for (const path of ['/api/v1/timelines/home', '/api/v1/timelines/home', '/api/v1/notifications', `/api/v1/accounts/${alice.account._id}`]) {
        expect((await bob.api.get(path)).status).toBe(200);
      }
    });
    const reads = (await recorded(kith, bob.account._id)).filter((e) => e.feature === 'read');
    expect(reads).toHaveLength(1);
    expect(events.filter((e) => e.feature === 'read').length).toBeLessThanOrEqual(1);
    // Another device is another reader.
    const mobile = await recordedDuring(kith, bob.account._id, async () => {
      for (let i = 0; i < 3; i++) await bob.api.request('GET', '/api/v1/timelines/home', undefined, { 'user-agent': 'Mozilla/5.0 (Linux; Android 14) Mobile' });
    });
    expect(mobile.map((e) => [e.feature, e.device])).toEqual([['read', 'mobile']]);
  });

  it('names a Mastodon app by its OAuth application and a phone by its User-Agent', async () => {
    const { app } = await kith.services.oauth.createApp({ name: 'Tusky', redirectUris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read write follow' });
    const { accessToken } = await kith.services.oauth.issueToken(app._id, carol.account._id, ['read', 'write', 'follow']);
    const tusky = carol.api.withToken(accessToken);
    const event = await onlyEvent(carol, () => tusky.request('POST', '/api/v1/statuses', { status: 'from my phone' }, { 'user-agent': 'Tusky/25 Android/14' }), 'post');
    expect(event).toMatchObject({ client: 'Tusky', device: 'mobile' });
  });

  it('names the web app and the installed web app (cookie session), on a desktop', async () => {
    const signIn = await fetch(`${kith.url}/api/v1/kith/session`, {
      method: 'POST', headers: { origin: kith.url, 'content-type': 'application/json' }, body: JSON.stringify({ login: 'carol', password: 'a long password' }),
    });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const csrf = ((await signIn.json()) as { csrf_token: string }).csrf_token;
    const desktop = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/128.0';
    const postAs = (extra: Record<string, string>) => async () => {
      const res = await fetch(`${kith.url}/api/v1/statuses`, {
        method: 'POST', headers: { origin: kith.url, cookie, 'x-csrf-token': csrf, 'content-type': 'application/json', 'user-agent': desktop, ...extra },
        body: JSON.stringify({ status: 'from the browser' }),
      });
      return { status: res.status, body: await res.json() };
    };
    expect(await onlyEvent(carol, postAs({}), 'post')).toMatchObject({ client: WEB_CLIENT, device: 'desktop' });
    expect(await onlyEvent(carol, postAs({ 'x-kith-client': 'pwa' }), 'post')).toMatchObject({ client: PWA_CLIENT, device: 'desktop' });
  });

  it('records nothing for anonymous calls, failed calls, or the department actor', async () => {
    const total = async () => (await kith.services.usage.flush(), kith.services.usageEvents.count());
    const before = await total();
    expect((await kith.api.get('/api/v1/instance')).status).toBe(200);
    expect((await kith.api.get('/api/v1/timelines/public')).status).toBeLessThan(500);
    expect((await alice.api.post('/api/v1/statuses', {})).status).toBe(422);
    expect((await alice.api.post('/api/v1/statuses/999999999/favourite')).status).toBe(404);
    expect((await alice.api.post('/api/v1/kith/proposals', { status_id: '999999999' })).status).toBe(404);
    const department = await kith.services.departments.departmentAccount();
    const departmentApi = kith.api.withToken(await kith.services.oauth.issuePersonalToken(department._id, ['read', 'write']));
    expect((await departmentApi.get('/api/v1/timelines/home')).status).toBe(200);
    expect((await departmentApi.post('/api/v1/statuses', { status: 'department news' })).status).toBe(200);
    expect(await total()).toBe(before);
  });

  it('keeps a rollup equal to the raw events', async () => {
    await expectRollupMatchesEvents(kith, [alice, bob, carol, connector].map((u) => u.account._id));
    const rows = await kith.services.usageDays.ofAccount(alice.account._id);
    expect(rows[0]).toMatchObject({ follows: 1, crossFollows: 0, replies: 1, crossReplies: 0, features: { post: 1, reply: 1, search: 2 } });
  });
});

describe('USAGE_RECORDING=false', () => {
  it('records nothing', async () => {
    const off = await startTestInstance({ USAGE_RECORDING: 'false' });
    try {
      const dave = await off.createUser('dave');
      expect((await dave.api.post('/api/v1/statuses', { status: 'unrecorded' })).status).toBe(200);
      expect((await dave.api.get('/api/v1/timelines/home')).status).toBe(200);
      await off.services.usage.flush();
      expect(await off.services.usageEvents.count()).toBe(0);
      expect(await off.services.usageDays.ofAccount(dave.account._id)).toEqual([]);
    } finally {
      await off.close();
    }
  });
});

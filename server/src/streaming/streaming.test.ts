// The streaming API over a real WebSocket (Node's global client) against a real instance: the user,
// user:notification, public:local and hashtag streams, every way of passing the token, and bad input.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { inject } from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';
import { streamChannels } from './publisher.ts';
import { StreamSocketClient, waitForNoSubscribers, waitForSubscribers } from './stream-clients.test-support.ts';

let kith: TestInstance;
let alice: TestUser;
let bob: TestUser;
let dave: TestUser;

const subscribed = (key: string) => waitForSubscribers(inject('redisUrl'), kith.config.redisPrefix, key);

async function post(user: TestUser, status: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await user.api.post('/api/v1/statuses', { status, ...extra });
  expect(res.status).toBe(200);
  return res.body.id;
}

/** A socket of `user` on the user stream, subscribed (home and notification channels) before it returns. */
async function userStream(user: TestUser): Promise<StreamSocketClient> {
  const client = await StreamSocketClient.open(kith.url, { stream: 'user' }, { headers: { authorization: `Bearer ${user.token}` } });
  await subscribed(streamChannels.home(user.account._id));
  await subscribed(streamChannels.notifications(user.account._id));
  return client;
}

beforeAll(async () => {
  kith = await startTestInstance();
  [alice, bob, dave] = await Promise.all([kith.createUser('alice'), kith.createUser('bob'), kith.createUser('dave')]);
  expect((await dave.api.post(`/api/v1/accounts/${alice.account._id}/follow`)).status).toBe(200);
  await kith.idle();
});
afterAll(async () => kith.close());

describe('the user stream', () => {
  it("delivers a followed account's post as 'update', with the payload a JSON string", async () => {
    const client = await userStream(dave);
    const id = await post(alice, 'Hello from alice');
    const message = await client.nextEvent('update', (s) => s.id === id);
    expect(message.stream).toEqual(['user']);
    expect(typeof message.payload).toBe('string');
    expect(message.data).toMatchObject({ id, content: '<p>Hello from alice</p>', account: { id: alice.account._id }, favourited: false, reblogged: false, bookmarked: false });
    client.close();
  });

  it("delivers the viewer's own posts, but not posts of accounts it does not follow", async () => {
    const client = await userStream(dave);
    const stranger = await post(bob, 'dave does not follow bob');
    const own = await post(dave, 'my own post');
    expect((await client.nextEvent('update', (s) => s.id === own)).data.account.id).toBe(dave.account._id);
    await kith.idle();
    expect(client.pending().some((m) => m.payload?.includes(stranger))).toBe(false);
    client.close();
  });

  it('renders per recipient: a boost carries the reader\'s own favourite of the original', async () => {
    const original = await post(bob, 'worth a boost');
    expect((await dave.api.post(`/api/v1/statuses/${original}/favourite`)).status).toBe(200);
    const client = await userStream(dave);
    const boost = (await alice.api.post(`/api/v1/statuses/${original}/reblog`)).body.id;
    const message = await client.nextEvent('update', (s) => s.id === boost);
    expect(message.data.reblog).toMatchObject({ id: original, favourited: true, reblogged: false });
    client.close();
  });

  it("sends 'notification' for a mention and a favourite, on user and user:notification", async () => {
    const client = await userStream(dave);
    client.send({ type: 'subscribe', stream: 'user:notification' });
    await waitForSubscribers(inject('redisUrl'), kith.config.redisPrefix, streamChannels.notifications(dave.account._id), 1);
    const mention = await post(bob, '@dave have a look');
    const onUser = await client.nextEvent('notification', (n) => n.type === 'mention');
    // Subscribing to user:notification as well is a second subscription: Mastodon sends both.
    const onNotification = await client.next((m) => m.event === 'notification' && m.stream?.[0] === 'user:notification');
    expect(onUser.stream).toEqual(['user']);
    expect(onUser.data).toMatchObject({ type: 'mention', account: { id: bob.account._id }, status: { id: mention } });
    expect(JSON.parse(onNotification.payload!).id).toBe(onUser.data.id);

    const mine = await post(dave, 'please favourite');
    expect((await alice.api.post(`/api/v1/statuses/${mine}/favourite`)).status).toBe(200);
    const favourite = await client.nextEvent('notification', (n) => n.type === 'favourite');
    expect(favourite.data).toMatchObject({ account: { id: alice.account._id }, status: { id: mine, favourited: false } });
    client.close();
  });

  it("sends 'delete' with the id as the payload, and 'status.update' after an edit", async () => {
    // As clients do, read the home timeline before streaming it (deletes go to the feeds that held the status).
    expect((await dave.api.get('/api/v1/timelines/home')).status).toBe(200);
    const client = await userStream(dave);
    const id = await post(alice, 'first version');
    await client.nextEvent('update', (s) => s.id === id);

    expect((await alice.api.put(`/api/v1/statuses/${id}`, { status: 'second version' })).status).toBe(200);
    const edited = await client.nextEvent('status.update', (s) => s.id === id);
    expect(edited.stream).toEqual(['user']);
    expect(edited.data).toMatchObject({ id, content: '<p>second version</p>' });
    expect(edited.data.edited_at).not.toBeNull();

    expect((await alice.api.delete(`/api/v1/statuses/${id}`)).status).toBe(200);
    const deleted = await client.nextEvent('delete', (payload) => payload === id);
    expect(deleted).toMatchObject({ stream: ['user'], event: 'delete', payload: id });
    client.close();
  });
});

describe('public:local and hashtag streams', () => {
  it('carry public and department-only posts of this instance, never private, unlisted or direct ones', async () => {
    const client = await StreamSocketClient.open(kith.url, { access_token: bob.token });
    client.send({ type: 'subscribe', stream: 'public:local' });
    client.send({ type: 'subscribe', stream: 'hashtag', tag: 'Launch' });
    client.send({ type: 'subscribe', stream: 'hashtag:local', tag: 'launch' });
    await subscribed(streamChannels.publicLocal);
    await subscribed(streamChannels.hashtag('launch'));
    await subscribed(streamChannels.hashtag('launch', true));

    const hidden = [
      await post(alice, 'private #launch', { visibility: 'private' }),
      await post(alice, 'unlisted #launch', { visibility: 'unlisted' }),
      await post(alice, '@dave direct #launch', { visibility: 'direct' }),
    ];
    const local = await post(dave, 'department only #launch', { visibility: 'local' });
    const open = await post(alice, 'We #Launch today');

    const onPublic = await client.nextEvent('update', (s) => s.id === open && true);
    expect(onPublic.stream).toEqual(['public:local']);
    // Public streams carry one rendering for everyone: no per-viewer fields.
    expect(onPublic.data.favourited).toBeUndefined();
    const onTag = await client.next((m) => m.event === 'update' && m.stream?.[0] === 'hashtag' && JSON.parse(m.payload!).id === open);
    expect(onTag.stream).toEqual(['hashtag', 'Launch']);
    const onLocalTag = await client.next((m) => m.event === 'update' && m.stream?.[0] === 'hashtag:local' && JSON.parse(m.payload!).id === open);
    expect(onLocalTag.stream).toEqual(['hashtag:local', 'launch']);
    expect((await client.nextEvent('update', (s) => s.id === local)).data.local_only).toBe(true);

    // A reply to someone else stays out of public:local but reaches the hashtag streams.
    const reply = await post(bob, 'replying about #launch', { in_reply_to_id: open });
    await client.next((m) => m.stream?.[0] === 'hashtag' && m.event === 'update' && JSON.parse(m.payload!).id === reply);

    await kith.idle();
    const rest = client.pending();
    for (const id of hidden) expect(rest.some((m) => m.payload?.includes(id))).toBe(false);
    expect(rest.some((m) => m.stream?.[0] === 'public:local' && m.payload?.includes(reply))).toBe(false);

    expect((await alice.api.put(`/api/v1/statuses/${open}`, { status: 'We #Launch tomorrow' })).status).toBe(200);
    expect((await client.next((m) => m.event === 'status.update' && m.stream?.[0] === 'public:local')).payload).toContain('tomorrow');
    expect((await alice.api.delete(`/api/v1/statuses/${open}`)).status).toBe(200);
    expect(await client.next((m) => m.event === 'delete' && m.stream?.[0] === 'public:local')).toMatchObject({ payload: open });
    expect(await client.next((m) => m.event === 'delete' && m.stream?.[0] === 'hashtag')).toMatchObject({ stream: ['hashtag', 'Launch'], payload: open });
    client.close();
  });

  it('stops delivering after unsubscribe', async () => {
    const client = await StreamSocketClient.open(kith.url, { access_token: bob.token, stream: 'hashtag', tag: 'solo' });
    await subscribed(streamChannels.hashtag('solo'));
    client.send({ type: 'unsubscribe', stream: 'hashtag', tag: 'solo' });
    await waitForNoSubscribers(inject('redisUrl'), kith.config.redisPrefix, streamChannels.hashtag('solo'));
    client.close();
  });
});

describe('authentication', () => {
  it('takes the token from Sec-WebSocket-Protocol and answers with the same protocol', async () => {
    const client = await StreamSocketClient.open(kith.url, { stream: 'user' }, { protocols: [dave.token] });
    expect(client.socket.protocol).toBe(dave.token);
    await subscribed(streamChannels.home(dave.account._id));
    const id = await post(alice, 'via protocol token');
    await client.nextEvent('update', (s) => s.id === id);
    client.close();
  });

  it('answers the upgrade with 401 for a missing, unknown or revoked token', async () => {
    expect(await upgradeStatus({})).toBe(401);
    expect(await upgradeStatus({ authorization: 'Bearer not-a-token' })).toBe(401);
    expect(await upgradeStatus({}, '?access_token=not-a-token')).toBe(401);
    expect(await upgradeStatus({ 'sec-websocket-protocol': 'not-a-token' })).toBe(401);
    expect(await upgradeStatus({ authorization: `Bearer ${dave.token}` })).toBe(101);
    await expect(StreamSocketClient.open(kith.url, { access_token: 'wrong' })).rejects.toThrow();
  });

  it('refuses streams the token has no scope for, with an error message', async () => {
    const notificationsOnly = await kith.createUser('notifonly', { scopes: ['read:notifications'] });
    const client = await StreamSocketClient.open(kith.url, { access_token: notificationsOnly.token });
    client.send({ type: 'subscribe', stream: 'public:local' });
    expect(await client.next()).toEqual({ error: 'Access token does not have the required scopes', status: 401 });
    client.send({ type: 'subscribe', stream: 'user:notification' });
    await subscribed(streamChannels.notifications(notificationsOnly.account._id));
    client.close();

    const statusesOnly = await kith.createUser('statusesonly', { scopes: ['read:statuses'] });
    const other = await StreamSocketClient.open(kith.url, { access_token: statusesOnly.token, stream: 'user:notification' });
    expect(await other.next()).toMatchObject({ error: 'Access token does not have the required scopes', status: 401 });
    other.close();
  });
});

describe('bad client messages', () => {
  it('answers each with an error message and keeps the socket working', async () => {
    const client = await StreamSocketClient.open(kith.url, { access_token: dave.token });
    const cases: [unknown, string][] = [
      ['{not json', 'Message is not valid JSON'],
      ['[1,2]', 'Message must be a JSON object'],
      ['"subscribe"', 'Message must be a JSON object'],
      [{ type: 'dance', stream: 'user' }, 'Unknown message type'],
      [{ type: 'subscribe', stream: 'list', list: '1' }, 'Unknown stream type'],
      [{ type: 'subscribe' }, 'Unknown stream type'],
      [{ type: 'subscribe', stream: 'hashtag' }, 'Missing tag name parameter'],
      [{ type: 'subscribe', stream: 'hashtag', tag: 'no spaces allowed' }, 'Invalid tag name parameter'],
      [{ type: 'subscribe', stream: 'hashtag', tag: 7 }, 'Missing tag name parameter'],
    ];
    for (const [message, error] of cases) {
      client.send(message);
      expect(await client.next(), JSON.stringify(message)).toEqual({ error, status: 400 });
    }
    client.socket.send(new Uint8Array([1, 2, 3]));
    expect(await client.next()).toEqual({ error: 'Binary messages are not supported', status: 400 });
    // An unknown stream named in the URL is answered the same way.
    const bad = await StreamSocketClient.open(kith.url, { access_token: dave.token, stream: 'nonsense' });
    expect(await bad.next()).toEqual({ error: 'Unknown stream type', status: 400 });
    bad.close();

    client.send({ type: 'subscribe', stream: 'public:local' });
    await subscribed(streamChannels.publicLocal);
    const id = await post(alice, 'still streaming');
    await client.nextEvent('update', (s) => s.id === id);
    client.close();
  });

  it('closes a socket that sends a message over the size limit', async () => {
    const client = await StreamSocketClient.open(kith.url, { access_token: dave.token });
    client.send(JSON.stringify({ type: 'subscribe', stream: 'x'.repeat(20_000) }));
    expect(await client.closed).toBe(1009);
  });
});

describe('protocol details', () => {
  it('answers a plain GET with 400, and /api/v1/streaming/health with OK', async () => {
    expect((await dave.api.get('/api/v1/streaming')).status).toBe(400);
    const health = await fetch(`${kith.url}/api/v1/streaming/health`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('OK');
  });
});

/** Sends a WebSocket upgrade by hand and returns the HTTP status the server answered with. */
function upgradeStatus(headers: Record<string, string>, search = ''): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${kith.url}/api/v1/streaming${search}`, {
      agent: false,
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64'), ...headers },
    });
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('upgrade', (response, socket) => {
      socket.destroy();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
    request.end();
  });
}

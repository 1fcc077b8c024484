// The server-sent-events variants of the streaming API (read with fetch streaming), WebSocket pings,
// and two server processes of one instance (same database, same Redis prefix): a status posted
// through one reaches a socket on the other, which only Redis pub/sub can carry.
import { inject } from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error the ws package ships no type declarations; used for its ping()
import WsClient from 'ws';
import { startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';
import { streamChannels } from './publisher.ts';
import { SseClient, StreamSocketClient, waitForSubscribers } from './stream-clients.test-support.ts';

let kith: TestInstance;
let alice: TestUser;
let dave: TestUser;

const subscribed = (key: string, atLeast = 1) => waitForSubscribers(inject('redisUrl'), kith.config.redisPrefix, key, atLeast);

async function post(user: TestUser, status: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await user.api.post('/api/v1/statuses', { status, ...extra });
  expect(res.status).toBe(200);
  return res.body.id;
}

beforeAll(async () => {
  kith = await startTestInstance();
  [alice, dave] = await Promise.all([kith.createUser('alice'), kith.createUser('dave')]);
  expect((await dave.api.post(`/api/v1/accounts/${alice.account._id}/follow`)).status).toBe(200);
  await kith.idle();
});
afterAll(async () => kith.close());

describe('server-sent events', () => {
  it('streams public:local as text/event-stream: update and delete', async () => {
    const sse = await SseClient.open(`${kith.url}/api/v1/streaming/public/local`, dave.token);
    expect(sse.response.status).toBe(200);
    expect(sse.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(sse.response.headers.get('cache-control')).toMatch(/no-cache/);
    // Subscribed before the headers were sent: nothing posted from now on is missed.
    const id = await post(alice, 'over server-sent events');
    const update = await sse.next((e) => e.event === 'update');
    expect(JSON.parse(update.data)).toMatchObject({ id, content: '<p>over server-sent events</p>' });
    expect(sse.comments[0]).toBe(':)');

    await alice.api.delete(`/api/v1/statuses/${id}`);
    expect(await sse.next((e) => e.event === 'delete')).toEqual({ event: 'delete', data: id });
    sse.close();
  });

  it('streams the user timeline and notifications, and notifications alone', async () => {
    const user = await SseClient.open(`${kith.url}/api/v1/streaming/user`, dave.token);
    const notifications = await SseClient.open(`${kith.url}/api/v1/streaming/user/notification`, dave.token);
    const id = await post(alice, 'hi @dave');
    expect(JSON.parse((await user.next((e) => e.event === 'update')).data).id).toBe(id);
    expect(JSON.parse((await user.next((e) => e.event === 'notification')).data)).toMatchObject({ type: 'mention', status: { id } });
    const only = await notifications.next();
    expect(only.event).toBe('notification');
    expect(JSON.parse(only.data)).toMatchObject({ type: 'mention', account: { id: alice.account._id } });
    user.close();
    notifications.close();
  });

  it('streams hashtags, all origins and local', async () => {
    const tag = await SseClient.open(`${kith.url}/api/v1/streaming/hashtag?tag=Release`, dave.token);
    const localTag = await SseClient.open(`${kith.url}/api/v1/streaming/hashtag/local?tag=release`, dave.token);
    const all = await SseClient.open(`${kith.url}/api/v1/streaming/public`, dave.token);
    const id = await post(alice, 'New #release is out');
    for (const client of [tag, localTag, all]) {
      expect(JSON.parse((await client.next((e) => e.event === 'update')).data).id).toBe(id);
      client.close();
    }
  });

  it('refuses a missing tag, a missing token and the wrong scope', async () => {
    const get = (path: string, token?: string) => fetch(`${kith.url}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    const noTag = await get('/api/v1/streaming/hashtag', dave.token);
    expect(noTag.status).toBe(400);
    expect(typeof ((await noTag.json()) as { error: string }).error).toBe('string');
    expect((await get('/api/v1/streaming/hashtag?tag=not%20a%20tag', dave.token)).status).toBe(400);
    expect((await get('/api/v1/streaming/public/local')).status).toBe(401);
    expect((await get('/api/v1/streaming/user', 'bogus')).status).toBe(401);
    const notificationsOnly = await kith.createUser('notifonly', { scopes: ['read:notifications'] });
    expect((await get('/api/v1/streaming/user', notificationsOnly.token)).status).toBe(403);
    const statusesOnly = await kith.createUser('statusesonly', { scopes: ['read:statuses'] });
    expect((await get('/api/v1/streaming/user/notification', statusesOnly.token)).status).toBe(403);
  });
});

describe('WebSocket pings', () => {
  it('answers a ping with a pong', async () => {
    const socket = new WsClient(`${kith.url.replace('http', 'ws')}/api/v1/streaming`, { headers: { authorization: `Bearer ${dave.token}` } });
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const pong = new Promise((resolve) => socket.once('pong', (data: Buffer) => resolve(data.toString())));
    socket.ping('are you there');
    expect(await pong).toBe('are you there');
    socket.close();
  });
});

describe('two processes of one instance', () => {
  let second: TestInstance;

  beforeAll(async () => {
    // Same database and key prefix: a second process of the same instance. It runs no jobs, so
    // everything it streams was published by the first process's event handlers, through Redis.
    second = await startTestInstance({
      MONGODB_DATABASE: kith.config.mongodbDatabase,
      REDIS_PREFIX: kith.config.redisPrefix,
      RUN_JOBS: 'false',
    });
  });
  afterAll(async () => second.close());

  it('delivers a status posted through one process to a socket on the other', async () => {
    const client = await StreamSocketClient.open(second.url, { access_token: dave.token, stream: 'user' });
    client.send({ type: 'subscribe', stream: 'public:local' });
    await subscribed(streamChannels.home(dave.account._id));
    await subscribed(streamChannels.publicLocal);

    const id = await post(alice, 'posted on process one');
    const home = await client.next((m) => m.stream?.[0] === 'user' && m.event === 'update');
    expect(JSON.parse(home.payload!).id).toBe(id);
    const local = await client.next((m) => m.stream?.[0] === 'public:local' && m.event === 'update');
    expect(JSON.parse(local.payload!).id).toBe(id);

    // And the other way round: posted through the second process, streamed by the first.
    const back = await StreamSocketClient.open(kith.url, { access_token: alice.token, stream: 'public:local' });
    await subscribed(streamChannels.publicLocal, 2);
    const reply = await second.api.withToken(dave.token).post('/api/v1/statuses', { status: 'posted on process two' });
    expect(reply.status).toBe(200);
    expect((await back.nextEvent('update', (s) => s.id === reply.body.id)).data.account.id).toBe(dave.account._id);
    client.close();
    back.close();
  });
});

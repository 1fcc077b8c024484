// Web Push end to end: a real instance, a real HTTP push service stand-in that verifies the VAPID
// signature and decrypts every message with the subscription's private key and auth secret.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';
import { decryptAes128gcm, newUserAgentKeys, PushServiceStandIn, verifyVapid, type UserAgentKeys } from './push-service-stand-in.test-support.ts';
import type { PushPayload } from './push-payload.ts';

let kith: TestInstance;
let pushService: PushServiceStandIn;
let vapidKey: string;
// ana subscribes; ben and cy act on her.
let ana: TestUser;
let ben: TestUser;
let cy: TestUser;
let endpointCount = 0;

interface Subscribed {
  endpoint: string;
  keys: UserAgentKeys;
  body: Record<string, any>;
}

/** Every side effect done: notifications stored, fanned out, and every push message sent or given up. */
async function settle(): Promise<void> {
  await kith.idle();
  await kith.services.push.idle();
}

async function subscribe(user: TestUser, data: Record<string, unknown>, keys = newUserAgentKeys()): Promise<Subscribed> {
  const endpoint = pushService.endpoint(`sub${++endpointCount}`);
  const res = await user.api.post('/api/v1/push/subscription', { subscription: { endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } }, data });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { endpoint, keys, body: res.body };
}

const allAlerts = { mention: true, status: true, reblog: true, follow: true, follow_request: true, favourite: true, poll: true, update: true };

/** Verifies and decrypts every message the endpoint received, oldest first. */
function messages(subscription: Subscribed): PushPayload[] {
  return pushService.to(subscription.endpoint).map((message) => {
    const claims = verifyVapid(message.headers.authorization as string, vapidKey);
    expect(claims.aud).toBe(pushService.origin);
    expect(claims.exp * 1000).toBeGreaterThan(Date.now());
    expect(claims.exp * 1000).toBeLessThanOrEqual(Date.now() + 24 * 3600 * 1000);
    expect(claims.sub).toMatch(/^(mailto|https):/);
    expect(message.headers['content-encoding']).toBe('aes128gcm');
    expect(Number(message.headers.ttl)).toBeGreaterThan(0);
    return JSON.parse(decryptAes128gcm(message.body, subscription.keys)) as PushPayload;
  });
}

async function post(user: TestUser, status: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await user.api.post('/api/v1/statuses', { status, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.id;
}

async function latestNotification(user: TestUser): Promise<{ id: string; type: string }> {
  const res = await user.api.get('/api/v1/notifications', { limit: 1 });
  expect(res.status).toBe(200);
  return res.body[0];
}

beforeAll(async () => {
  [kith, pushService] = await Promise.all([startTestInstance({ PUSH_ALLOW_INSECURE_ENDPOINTS: 'true' }), new PushServiceStandIn()]);
  await pushService.start();
  [ana, ben, cy] = await Promise.all([kith.createUser('ana'), kith.createUser('ben', { displayName: 'Ben B' }), kith.createUser('cy')]);
  vapidKey = (await kith.api.get('/api/v2/instance')).body.configuration.vapid.public_key;
});
afterAll(async () => {
  await kith.close();
  await pushService.stop();
});

describe('the VAPID key', () => {
  it('is made once per instance, kept, and shown in the instance and every subscription', async () => {
    expect(Buffer.from(vapidKey, 'base64url')).toHaveLength(65);
    const stored = await kith.services.push['deps'].keys.keys();
    expect(stored.vapidPublicKey).toBe(vapidKey);
    const subscription = await subscribe(cy, {});
    expect(subscription.body.server_key).toBe(vapidKey);
    await cy.api.delete('/api/v1/push/subscription');
  });
});

describe('pushing notifications', () => {
  it('pushes a mention, a reply, a direct message and a follow as Mastodon payloads', async () => {
    const subscription = await subscribe(ana, { alerts: allAlerts, policy: 'all' });
    expect(subscription.body).toMatchObject({ endpoint: subscription.endpoint, standard: true, policy: 'all', alerts: { mention: true, follow: true, 'admin.sign_up': false } });

    await post(ben, 'hello @ana, lunch?');
    await settle();
    const mentionId = (await latestNotification(ana)).id;
    const own = await post(ana, 'anyone up for chess?');
    await post(ben, '@ana count me in', { in_reply_to_id: own });
    await settle();
    const replyId = (await latestNotification(ana)).id;
    await post(ben, '@ana just between us', { visibility: 'direct' });
    await settle();
    const directId = (await latestNotification(ana)).id;
    expect((await ben.api.post(`/api/v1/accounts/${ana.account._id}/follow`, {})).status).toBe(200);
    await settle();
    const followId = (await latestNotification(ana)).id;

    const pushed = messages(subscription);
    const common = { access_token: ana.token, preferred_locale: 'en', icon: expect.stringMatching(/^http/) };
    expect(pushed).toEqual([
      { ...common, notification_id: mentionId, notification_type: 'mention', title: 'You were mentioned by Ben B', body: expect.stringContaining('lunch?') },
      { ...common, notification_id: replyId, notification_type: 'mention', title: 'Ben B replied to you', body: expect.stringContaining('count me in') },
      { ...common, notification_id: directId, notification_type: 'mention', title: 'Ben B sent you a direct message', body: expect.stringContaining('just between us') },
      { ...common, notification_id: followId, notification_type: 'follow', title: 'Ben B is now following you', body: expect.any(String) },
    ]);
    expect(pushService.to(subscription.endpoint).map((m) => m.headers.urgency)).toEqual(['high', 'high', 'high', 'normal']);
    await ana.api.delete('/api/v1/push/subscription');
  });

  it('sends nothing for an alert that is off', async () => {
    const subscription = await subscribe(ana, { alerts: { follow: true, mention: false } });
    await post(cy, 'psst @ana');
    expect((await cy.api.post(`/api/v1/accounts/${ana.account._id}/follow`, {})).status).toBe(200);
    await settle();
    // Only the follow: the mention before it was left out.
    expect(messages(subscription).map((p) => p.notification_type)).toEqual(['follow']);
    await ana.api.delete('/api/v1/push/subscription');
  });

  it('follows the policy: none sends nothing, followed only what accounts she follows do', async () => {
    const none = await subscribe(ana, { alerts: { mention: true }, policy: 'none' });
    await post(ben, '@ana first');
    await settle();
    expect(messages(none)).toEqual([]);

    const followed = await subscribe(ana, { alerts: { mention: true }, policy: 'followed' });
    expect((await ana.api.post(`/api/v1/accounts/${ben.account._id}/follow`, {})).status).toBe(200);
    await settle();
    await post(cy, '@ana from someone she does not follow');
    await post(ben, '@ana from someone she follows');
    await settle();
    expect(messages(followed).map((p) => p.body)).toEqual([expect.stringContaining('from someone she follows')]);
    // The replaced subscription got nothing more.
    expect(messages(none)).toEqual([]);
    await ana.api.delete('/api/v1/push/subscription');
  });

  it('deletes the subscription when the push service says it is gone (410)', async () => {
    const subscription = await subscribe(ana, { alerts: { mention: true } });
    pushService.answer(subscription.endpoint, 410);
    await post(ben, '@ana are you there?');
    await settle();
    expect(pushService.to(subscription.endpoint)).toHaveLength(1);
    expect((await ana.api.get('/api/v1/push/subscription')).status).toBe(404);
  });
});

describe('the push subscription API', () => {
  it('keeps one subscription per token: a new POST replaces it, another token has its own', async () => {
    const first = await subscribe(cy, { alerts: { mention: true } });
    const second = await subscribe(cy, { alerts: { mention: true } });
    expect(second.body.id).not.toBe(first.body.id);
    const shown = await cy.api.get('/api/v1/push/subscription');
    expect(shown.body).toMatchObject({ id: second.body.id, endpoint: second.endpoint });

    const otherToken = await kith.services.oauth.issuePersonalToken(cy.account._id, ['push', 'read']);
    const other = await subscribe({ ...cy, token: otherToken, api: cy.api.withToken(otherToken) }, { alerts: { mention: true } });
    await post(ben, 'ping @cy');
    await settle();
    expect(messages(first)).toEqual([]);
    expect(messages(second)).toHaveLength(1);
    expect(messages(other).map((p) => p.access_token)).toEqual([otherToken]);
    await cy.api.delete('/api/v1/push/subscription');
    await cy.api.withToken(otherToken).delete('/api/v1/push/subscription');
  });

  it('takes form bodies as Mastodon clients send them, changes alerts with PUT and forgets with DELETE', async () => {
    const keys = newUserAgentKeys();
    const endpoint = pushService.endpoint('form');
    const form = new URLSearchParams({
      'subscription[endpoint]': endpoint,
      'subscription[keys][p256dh]': keys.p256dh,
      'subscription[keys][auth]': keys.auth,
      'data[alerts][mention]': 'true',
      'data[alerts][admin.sign_up]': 'true',
      'data[alerts][follow]': 'false',
      'data[policy]': 'follower',
    }).toString();
    const created = await cy.api.post('/api/v1/push/subscription', form, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body).toMatchObject({ endpoint, policy: 'follower', alerts: { mention: true, follow: false, 'admin.sign_up': true } });

    const updated = await cy.api.put('/api/v1/push/subscription', { data: { alerts: { follow: true }, policy: 'all' } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id: created.body.id, endpoint, policy: 'all', alerts: { mention: false, follow: true } });

    expect((await cy.api.delete('/api/v1/push/subscription')).status).toBe(200);
    expect((await cy.api.get('/api/v1/push/subscription')).status).toBe(404);
    expect((await cy.api.put('/api/v1/push/subscription', { data: { alerts: { follow: true } } })).status).toBe(404);
  });

  it("subscribes a web session (its cookie counts as its token) until the session ends", async () => {
    const headers = { origin: kith.url, 'content-type': 'application/json' };
    const signIn = await fetch(`${kith.url}/api/v1/kith/session`, { method: 'POST', headers, body: JSON.stringify({ login: 'ana', password: 'correct horse battery' }) });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const csrf = ((await signIn.json()) as { csrf_token: string }).csrf_token;
    const asSession = { ...headers, cookie, 'x-csrf-token': csrf };
    const keys = newUserAgentKeys();
    const subscription = { endpoint: pushService.endpoint('session'), keys, body: {} };
    const created = await fetch(`${kith.url}/api/v1/push/subscription`, {
      method: 'POST', headers: asSession,
      body: JSON.stringify({ subscription: { endpoint: subscription.endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } }, data: { alerts: { mention: true } } }),
    });
    expect(created.status).toBe(200);

    await post(ben, '@ana on the web');
    await settle();
    // The cookie's secret never travels in a message: the web app's worker has the cookie itself.
    expect(messages(subscription)).toEqual([expect.objectContaining({ notification_type: 'mention', access_token: '' })]);

    const { 'content-type': _json, ...noBody } = asSession;
    expect((await fetch(`${kith.url}/api/v1/kith/session`, { method: 'DELETE', headers: noBody })).status).toBe(200);
    await post(ben, '@ana after signing out');
    await settle();
    // An ended session takes its subscription with it: nothing more was sent, and it is gone.
    expect(messages(subscription)).toHaveLength(1);
    expect(await kith.services.push['deps'].subscriptions.ofAccount(ana.account._id)).toEqual([]);
  });

  it('needs the push scope', async () => {
    const readOnly = await kith.services.oauth.issuePersonalToken(cy.account._id, ['read']);
    const res = await cy.api.withToken(readOnly).get('/api/v1/push/subscription');
    expect(res.status).toBe(403);
    expect((await kith.api.get('/api/v1/push/subscription')).status).toBe(401);
  });

  it('refuses hostile subscriptions with 422 and stores nothing', async () => {
    const keys = newUserAgentKeys();
    const good = { p256dh: keys.p256dh, auth: keys.auth };
    const offCurve = Buffer.alloc(65, 1);
    offCurve[0] = 4;
    const hostile: [string, Record<string, unknown>][] = [
      ['plain http to a public host', { endpoint: 'http://push.example.com/x', keys: good }],
      ['a private address', { endpoint: 'https://10.0.0.7/x', keys: good }],
      ['a link-local address (cloud metadata)', { endpoint: 'https://169.254.169.254/latest', keys: good }],
      ['an IPv4-mapped private address', { endpoint: 'https://[::ffff:192.168.1.1]/x', keys: good }],
      ['credentials in the URL', { endpoint: 'https://user:pw@push.example.com/x', keys: good }],
      ['not a URL', { endpoint: 'push service', keys: good }],
      ['a short public key', { endpoint: 'https://push.example.com/x', keys: { ...good, p256dh: keys.ecdh.getPublicKey().subarray(0, 64).toString('base64url') } }],
      ['a public key off the curve', { endpoint: 'https://push.example.com/x', keys: { ...good, p256dh: offCurve.toString('base64url') } }],
      ['a short auth secret', { endpoint: 'https://push.example.com/x', keys: { ...good, auth: Buffer.alloc(8, 7).toString('base64url') } }],
      ['an auth secret that is not base64url', { endpoint: 'https://push.example.com/x', keys: { ...good, auth: '!!!!!!!!!!!!!!!!!!!!!!' } }],
    ];
    for (const [label, subscription] of hostile) {
      const res = await cy.api.post('/api/v1/push/subscription', { subscription, data: { alerts: { mention: true } } });
      expect(res.status, label).toBe(422);
      expect(res.body.error, label).toMatch(/^Validation failed: /);
    }
    const badPolicy = await cy.api.post('/api/v1/push/subscription', { subscription: { endpoint: pushService.endpoint('policy'), keys: good }, data: { policy: 'everyone' } });
    expect(badPolicy.status).toBe(422);
    expect((await cy.api.post('/api/v1/push/subscription', { data: {} })).status).toBe(400);
    expect((await cy.api.get('/api/v1/push/subscription')).status).toBe(404);
  });
});

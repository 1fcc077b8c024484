// Kith driven by masto.js, a real Mastodon client library: what works here works in Mastodon apps.
import { createOAuthAPIClient, createRestAPIClient, createStreamingAPIClient, type mastodon } from 'masto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from './harness.ts';
import { formFields, pkcePair, TestBrowser } from '../src/oauth/oauth-test-helpers.ts';

const REDIRECT = 'http://127.0.0.1:9/callback';
const PASSWORD = 'correct horse battery';

let kith: TestInstance;
let bob: TestUser;

beforeAll(async () => {
  kith = await startTestInstance();
  await kith.createUser('alice', { password: PASSWORD, displayName: 'Alice' });
  bob = await kith.createUser('bob');
});
afterAll(async () => kith.close());

/** Signs alice in on the authorization page, as a person would in the app's web view. */
async function authorize(clientId: string, challenge: string): Promise<string> {
  const browser = new TestBrowser(kith.url);
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT,
    scope: 'read write follow push',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const page = await browser.get(`/oauth/authorize?${query}`);
  const approved = await browser.postForm('/oauth/authorize', { ...formFields(page.html), username: 'alice', password: PASSWORD, decision: 'approve' });
  expect(approved.status).toBe(302);
  return new URL(approved.location!).searchParams.get('code')!;
}

/** Collects a subscription's events from the start, so none is missed between two waits. */
function collect(subscription: mastodon.streaming.Subscription) {
  const events: mastodon.streaming.Event[] = [];
  void (async () => {
    for await (const event of subscription) events.push(event);
  })().catch(() => undefined);
  return {
    /** The first event that matches, or a failure after `timeoutMs`. */
    async next(matches: (e: mastodon.streaming.Event) => boolean, timeoutMs = 10_000): Promise<mastodon.streaming.Event> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(matches);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching streaming event within ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => e.event))}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
  };
}

describe('a Mastodon client (masto.js)', () => {
  it('registers an app, gets a token, posts, reads home, favourites and streams', async () => {
    const anonymous = createRestAPIClient({ url: kith.url });
    const instance = await anonymous.v2.instance.fetch();
    expect(instance.domain).toBe(kith.config.domain);

    const app = await anonymous.v1.apps.create({ clientName: 'Ivory-like app', redirectUris: REDIRECT, scopes: 'read write follow push' });
    expect(app.clientId).toBeTruthy();
    const { verifier, challenge } = pkcePair();
    const code = await authorize(app.clientId!, challenge);
    const token = await createOAuthAPIClient({ url: kith.url }).token.create({
      grantType: 'authorization_code',
      clientId: app.clientId!,
      clientSecret: app.clientSecret!,
      redirectUri: REDIRECT,
      code,
      scope: 'read write follow push',
      // PKCE: masto.js sends every parameter it is given (as code_verifier); its types lack this one.
      ...{ codeVerifier: verifier },
    });
    expect(token.accessToken).toBeTruthy();

    const alice = createRestAPIClient({ url: kith.url, accessToken: token.accessToken });
    const me = await alice.v1.accounts.verifyCredentials();
    expect(me).toMatchObject({ username: 'alice', displayName: 'Alice' });

    const streaming = createStreamingAPIClient({
      streamingApiUrl: instance.configuration.urls.streaming,
      accessToken: token.accessToken,
      implementation: WebSocket,
      retry: false,
    });
    const userStream = streaming.user.subscribe();
    const events = collect(userStream);
    try {
      // The socket subscribes asynchronously: a first post of alice's own proves the stream is live.
      let warmUp = '';
      await expect.poll(async () => {
        warmUp = (await alice.v1.statuses.create({ status: 'Is this thing on?', visibility: 'unlisted' })).id;
        return events.next((e) => e.event === 'update' && e.payload.id === warmUp, 1000).then(() => true, () => false);
      }, { timeout: 20_000 }).toBe(true);

      const bobApi = createRestAPIClient({ url: kith.url, accessToken: bob.token });
      await bobApi.v1.accounts.$select(me.id).follow();

      const followed = events.next((e) => e.event === 'notification' && e.payload.type === 'follow');
      expect((await followed).payload).toMatchObject({ type: 'follow', account: { username: 'bob' } });

      const status = await alice.v1.statuses.create({ status: 'Hello from a Mastodon app #launch', visibility: 'public' });
      expect(status.content).toContain('#<span>launch</span>');
      const ownUpdate = (await events.next((e) => e.event === 'update' && e.payload.id === status.id)) as mastodon.streaming.UpdateEvent;
      expect(ownUpdate.payload).toMatchObject({ content: status.content, account: { username: 'alice' } });

      await kith.idle();
      const home = await bobApi.v1.timelines.home.list({ limit: 5 });
      expect(home.map((s) => s.id)).toContain(status.id);

      const favourited = events.next((e) => e.event === 'notification' && e.payload.type === 'favourite');
      const fav = await bobApi.v1.statuses.$select(status.id).favourite();
      expect(fav).toMatchObject({ favourited: true, favouritesCount: 1 });
      expect((await favourited).payload).toMatchObject({ type: 'favourite', status: { id: status.id } });

      const notifications = await alice.v1.notifications.list();
      expect(notifications.map((n) => n.type)).toEqual(['favourite', 'follow']);
    } finally {
      userStream.unsubscribe();
      streaming.close();
    }
  });
});

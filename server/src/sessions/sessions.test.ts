// The web app's cookie sessions over real HTTP: sign-in, the cookie accepted by the API, CSRF and Origin
// checks on unsafe requests, listing and revoking sessions, sign-out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';
import { sessionCookie, setCookieHeader } from './session-cookie.ts';

let kith: TestInstance;
let alice: TestUser;

beforeAll(async () => {
  kith = await startTestInstance();
  alice = await kith.createUser('alice', { email: 'alice@example.test', password: 'a long password' });
});

afterAll(async () => {
  await kith?.close();
});

interface Browser {
  cookie: string;
  csrf: string;
  sessionId: string;
}

/** Sends a request as a browser of the instance's own origin would (Origin set, cookie attached). */
function browserFetch(path: string, init: { method?: string; cookie?: string; csrf?: string; origin?: string | null; body?: unknown; signal?: AbortSignal } = {}) {
  const headers: Record<string, string> = {};
  if (init.cookie) headers.cookie = init.cookie;
  if (init.csrf) headers['x-csrf-token'] = init.csrf;
  if (init.origin !== null) headers.origin = init.origin ?? kith.url;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(kith.url + path, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body), signal: init.signal });
}

// Response bodies as the assertions read them.
const json = async (res: Response): Promise<any> => res.json();

async function signIn(login = 'alice', password = 'a long password'): Promise<Browser> {
  const res = await browserFetch('/api/v1/kith/session', { method: 'POST', body: { login, password } });
  expect(res.status).toBe(200);
  const body = await json(res);
  const setCookie = res.headers.get('set-cookie')!;
  return { cookie: setCookie.split(';')[0]!, csrf: body.csrf_token, sessionId: body.id };
}

async function statusCount(): Promise<number> {
  const res = await alice.api.get(`/api/v1/accounts/${alice.account._id}/statuses`);
  return res.body.length;
}

describe('sign-in', () => {
  it('sets an HttpOnly, SameSite=Lax session cookie and returns the account and a CSRF token', async () => {
    const res = await browserFetch('/api/v1/kith/session', { method: 'POST', body: { login: 'alice', password: 'a long password' } });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ id: expect.any(String), csrf_token: expect.any(String), account: { username: 'alice' } });
    const setCookie = res.headers.get('set-cookie')!;
    // Served over http here: no __Host- prefix, which browsers only accept on Secure cookies.
    expect(setCookie).toMatch(/^kith_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('accepts the email address as the login', async () => {
    const browser = await signIn('alice@example.test');
    const me = await browserFetch('/api/v1/accounts/verify_credentials', { cookie: browser.cookie });
    expect(me.status).toBe(200);
    expect((await json(me)).username).toBe('alice');
  });

  it('refuses a wrong password or unknown login with one answer and sets no cookie', async () => {
    for (const login of ['alice', 'nobody']) {
      const res = await browserFetch('/api/v1/kith/session', { method: 'POST', body: { login, password: 'wrong password' } });
      expect(res.status).toBe(401);
      expect(await json(res)).toEqual({ error: 'Invalid username, email or password.' });
      expect(res.headers.get('set-cookie')).toBeNull();
    }
  });

  it('refuses a malformed body with a validation error', async () => {
    const res = await browserFetch('/api/v1/kith/session', { method: 'POST', body: { login: 'alice' } });
    expect(res.status).toBe(400);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('refuses a sign-in posted from another origin (login CSRF)', async () => {
    const res = await browserFetch('/api/v1/kith/session', { method: 'POST', origin: 'https://evil.example', body: { login: 'alice', password: 'a long password' } });
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('uses the __Host- prefix with Secure when the instance is served over https', () => {
    const cookie = sessionCookie('https://kith.example');
    expect(setCookieHeader(cookie, 'abc', 60)).toBe('__Host-kith_session=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure');
  });
});

describe('the session cookie on the API', () => {
  it('authenticates reads and reports the current session', async () => {
    const browser = await signIn();
    const res = await browserFetch('/api/v1/kith/session', { cookie: browser.cookie, origin: null });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ id: browser.sessionId, csrf_token: browser.csrf, account: { username: 'alice' } });
    const home = await browserFetch('/api/v1/timelines/home', { cookie: browser.cookie, origin: null });
    expect(home.status).toBe(200);
  });

  it('posts with the CSRF header from the same origin', async () => {
    const browser = await signIn();
    const before = await statusCount();
    const res = await browserFetch('/api/v1/statuses', { method: 'POST', cookie: browser.cookie, csrf: browser.csrf, body: { status: 'from the web app' } });
    expect(res.status).toBe(200);
    expect((await json(res)).account.username).toBe('alice');
    expect(await statusCount()).toBe(before + 1);
  });

  it('refuses an unsafe request without the CSRF header, with a wrong one, or from another origin, and changes nothing', async () => {
    const browser = await signIn();
    const before = await statusCount();
    const attempts = [
      { csrf: undefined },
      { csrf: 'x'.repeat(43) },
      { csrf: browser.csrf, origin: 'https://evil.example' },
    ];
    for (const attempt of attempts) {
      const res = await browserFetch('/api/v1/statuses', { method: 'POST', cookie: browser.cookie, ...attempt, body: { status: 'forged' } });
      expect(res.status).toBe(403);
    }
    // Another session's CSRF token does not fit this one.
    const other = await signIn();
    const crossed = await browserFetch('/api/v1/statuses', { method: 'POST', cookie: browser.cookie, csrf: other.csrf, body: { status: 'forged' } });
    expect(crossed.status).toBe(403);
    expect(await statusCount()).toBe(before);
  });

  it('ignores the cookie on a cross-origin read', async () => {
    const browser = await signIn();
    const res = await browserFetch('/api/v1/accounts/verify_credentials', { cookie: browser.cookie, origin: 'https://evil.example' });
    expect(res.status).toBe(401);
  });

  it('leaves pages outside the API alone: the OAuth forms have their own CSRF tokens', async () => {
    const browser = await signIn();
    const res = await browserFetch('/oauth/revoke', { method: 'POST', cookie: browser.cookie, body: { token: 'x', client_id: 'nobody', client_secret: 'x' } });
    // The OAuth endpoint's own answer, not the session cookie's CSRF refusal.
    expect(res.status).toBe(401);
    expect((await json(res)).error).toBe('invalid_client');
  });

  it('streams to the cookie from the same origin only', async () => {
    const browser = await signIn();
    const controller = new AbortController();
    const same = await browserFetch('/api/v1/streaming/user', { cookie: browser.cookie, signal: controller.signal });
    expect(same.status).toBe(200);
    expect(same.headers.get('content-type')).toContain('text/event-stream');
    controller.abort();
    const cross = await browserFetch('/api/v1/streaming/user', { cookie: browser.cookie, origin: 'https://evil.example' });
    expect(cross.status).toBe(401);
  });

  it('treats an unknown cookie as no credentials', async () => {
    const res = await browserFetch('/api/v1/accounts/verify_credentials', { cookie: `kith_session=${'a'.repeat(43)}` });
    expect(res.status).toBe(401);
    const publicRead = await browserFetch('/api/v1/instance', { cookie: `kith_session=${'a'.repeat(43)}` });
    expect(publicRead.status).toBe(200);
  });
});

describe('listing and revoking sessions', () => {
  it('lists the account’s sessions and marks the current one', async () => {
    const browser = await signIn();
    const res = await browserFetch('/api/v1/kith/sessions', { cookie: browser.cookie, origin: null });
    expect(res.status).toBe(200);
    const sessions = await json(res);
    expect(sessions.length).toBeGreaterThan(1);
    expect(sessions.filter((s: { current: boolean }) => s.current).map((s: { id: string }) => s.id)).toEqual([browser.sessionId]);
    expect(sessions[0]).toEqual({
      id: expect.any(String), current: expect.any(Boolean), user_agent: expect.any(String), ip: expect.any(String),
      created_at: expect.any(String), last_used_at: expect.any(String), expires_at: expect.any(String),
    });
  });

  it('revokes another session at once: its cookie gets 401', async () => {
    const laptop = await signIn();
    const phone = await signIn();
    expect((await browserFetch('/api/v1/accounts/verify_credentials', { cookie: phone.cookie })).status).toBe(200);
    const res = await browserFetch(`/api/v1/kith/sessions/${phone.sessionId}`, { method: 'DELETE', cookie: laptop.cookie, csrf: laptop.csrf });
    expect(res.status).toBe(200);
    expect((await browserFetch('/api/v1/accounts/verify_credentials', { cookie: phone.cookie })).status).toBe(401);
    expect((await browserFetch('/api/v1/kith/session', { cookie: phone.cookie })).status).toBe(401);
    expect((await browserFetch('/api/v1/accounts/verify_credentials', { cookie: laptop.cookie })).status).toBe(200);
  });

  it('refuses to revoke without the CSRF header, and nothing is revoked', async () => {
    const laptop = await signIn();
    const phone = await signIn();
    const res = await browserFetch(`/api/v1/kith/sessions/${phone.sessionId}`, { method: 'DELETE', cookie: laptop.cookie });
    expect(res.status).toBe(403);
    expect((await browserFetch('/api/v1/accounts/verify_credentials', { cookie: phone.cookie })).status).toBe(200);
  });

  it("cannot revoke another account's session", async () => {
    await kith.createUser('mallory', { password: 'mallory password' });
    const mallory = await signIn('mallory', 'mallory password');
    const victim = await signIn();
    const res = await browserFetch(`/api/v1/kith/sessions/${victim.sessionId}`, { method: 'DELETE', cookie: mallory.cookie, csrf: mallory.csrf });
    expect(res.status).toBe(404);
    expect((await browserFetch('/api/v1/accounts/verify_credentials', { cookie: victim.cookie })).status).toBe(200);
  });

  it('signs out: the session ends and the cookie is cleared', async () => {
    const browser = await signIn();
    const res = await browserFetch('/api/v1/kith/session', { method: 'DELETE', cookie: browser.cookie, csrf: browser.csrf });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toMatch(/^kith_session=; Path=\/; HttpOnly; SameSite=Lax; Max-Age=0$/);
    expect((await browserFetch('/api/v1/accounts/verify_credentials', { cookie: browser.cookie })).status).toBe(401);
  });

  it('refuses a sign-out without the CSRF header (a forged sign-out) and keeps the session', async () => {
    const browser = await signIn();
    const res = await browserFetch('/api/v1/kith/session', { method: 'DELETE', cookie: browser.cookie, origin: 'https://evil.example', csrf: browser.csrf });
    expect(res.status).toBe(403);
    expect((await browserFetch('/api/v1/accounts/verify_credentials', { cookie: browser.cookie })).status).toBe(200);
  });

  it('refuses the sessions of a suspended account, as its tokens', async () => {
    const bob = await kith.createUser('bob', { password: 'bob password' });
    const browser = await signIn('bob', 'bob password');
    await kith.services.accounts.setSuspended(bob.account._id, true);
    expect((await browserFetch('/api/v1/accounts/verify_credentials', { cookie: browser.cookie })).status).toBe(403);
    expect((await browserFetch('/api/v1/kith/session', { cookie: browser.cookie })).status).toBe(403);
  });
});

describe('sign-in rate limit', () => {
  it('limits sign-in attempts per address like the other password endpoints', async () => {
    const limited = await startTestInstance({ AUTH_RATE_LIMIT: '3' });
    try {
      await limited.createUser('gina', { password: 'gina password' });
      const attempt = () => fetch(`${limited.url}/api/v1/kith/session`, {
        method: 'POST', headers: { 'content-type': 'application/json', origin: limited.url }, body: JSON.stringify({ login: 'gina', password: 'wrong password' }),
      });
      for (let i = 0; i < 3; i++) expect((await attempt()).status).toBe(401);
      const refused = await attempt();
      expect(refused.status).toBe(429);
      expect(refused.headers.get('set-cookie')).toBeNull();
    } finally {
      await limited.close();
    }
  });
});

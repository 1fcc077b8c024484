// POST /api/v1/kith/password over real HTTP: the current password is checked, the new one works for sign-in,
// and every other web session and access token ends while the caller's own keeps working.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';

let kith: TestInstance;
let alice: TestUser;

beforeAll(async () => {
  kith = await startTestInstance();
  alice = await kith.createUser('alice', { password: 'the old password' });
});
afterAll(async () => {
  await kith?.close();
});

interface BrowserSession {
  cookie: string;
  csrf: string;
}

async function signIn(password: string): Promise<{ status: number; session: BrowserSession | null }> {
  const res = await fetch(`${kith.url}/api/v1/kith/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: kith.url },
    body: JSON.stringify({ login: 'alice', password }),
  });
  if (res.status !== 200) return { status: res.status, session: null };
  const body = (await res.json()) as { csrf_token: string };
  return { status: 200, session: { cookie: res.headers.get('set-cookie')!.split(';')[0]!, csrf: body.csrf_token } };
}

function asBrowser(session: BrowserSession, path: string, body?: unknown) {
  const headers: Record<string, string> = { cookie: session.cookie, origin: kith.url, 'x-csrf-token': session.csrf };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(kith.url + path, { method: body === undefined ? 'GET' : 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

describe('POST /api/v1/kith/password', () => {
  it('refuses a wrong current password and a too short new one, changing nothing', async () => {
    const wrong = await alice.api.post('/api/v1/kith/password', { current_password: 'not it at all', new_password: 'a brand new password' });
    expect(wrong.status).toBe(422);
    expect(wrong.body).toEqual({ error: 'Validation failed: Current password is not correct' });
    const short = await alice.api.post('/api/v1/kith/password', { current_password: 'the old password', new_password: 'short' });
    expect(short.status).toBe(422);
    expect(short.body.error).toBe('Validation failed: Password is too short (minimum is 8 characters)');
    const missing = await alice.api.post('/api/v1/kith/password', { current_password: 'the old password' });
    expect(missing.status).toBe(400);
    expect((await signIn('the old password')).status).toBe(200);
    expect((await alice.api.get('/api/v1/accounts/verify_credentials')).status).toBe(200);
  });

  it('changes the password from a web session, ending the other sessions and every token but keeping its own session', async () => {
    const here = (await signIn('the old password')).session!;
    const elsewhere = (await signIn('the old password')).session!;
    const otherToken = await kith.services.oauth.issuePersonalToken(alice.account._id, ['read']);

    const res = await asBrowser(here, '/api/v1/kith/password', { current_password: 'the old password', new_password: 'a brand new password' });
    expect(res.status).toBe(200);

    expect((await asBrowser(here, '/api/v1/accounts/verify_credentials')).status).toBe(200);
    expect((await asBrowser(elsewhere, '/api/v1/accounts/verify_credentials')).status).toBe(401);
    expect((await alice.api.get('/api/v1/accounts/verify_credentials')).status).toBe(401);
    expect((await alice.api.withToken(otherToken).get('/api/v1/accounts/verify_credentials')).status).toBe(401);

    expect((await signIn('the old password')).status).toBe(401);
    expect((await signIn('a brand new password')).status).toBe(200);
  });

  it('changes the password with an access token, keeping that token and ending every web session', async () => {
    const token = await kith.services.oauth.issuePersonalToken(alice.account._id, ['read', 'write']);
    const other = await kith.services.oauth.issuePersonalToken(alice.account._id, ['read']);
    const browser = (await signIn('a brand new password')).session!;
    const api = alice.api.withToken(token);

    const res = await api.post('/api/v1/kith/password', { current_password: 'a brand new password', new_password: 'the third password' });
    expect(res.status).toBe(200);
    expect((await api.get('/api/v1/accounts/verify_credentials')).status).toBe(200);
    expect((await alice.api.withToken(other).get('/api/v1/accounts/verify_credentials')).status).toBe(401);
    expect((await asBrowser(browser, '/api/v1/accounts/verify_credentials')).status).toBe(401);
    expect((await signIn('the third password')).status).toBe(200);
  });

  it('needs a signed-in caller', async () => {
    const res = await kith.api.post('/api/v1/kith/password', { current_password: 'the third password', new_password: 'whatever it is' });
    expect(res.status).toBe(401);
  });
});

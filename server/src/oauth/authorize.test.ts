// The authorization-code flow with PKCE, driven over HTTP like a browser and a client app would.
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { startTestInstance, type TestInstance } from '../../test/harness.ts';
import { authorizeQuery, formFields, pkcePair, registerApp, TestBrowser, type RegisteredApp } from './oauth-test-helpers.ts';
import { sha256 } from './secrets.ts';

const REDIRECT = 'http://127.0.0.1:9/callback';
const PASSWORD = 'correct horse battery';

let kith: TestInstance;
let mongo: MongoClient;
let client: RegisteredApp;

beforeAll(async () => {
  kith = await startTestInstance();
  mongo = await MongoClient.connect(inject('mongoUrl'));
  client = await registerApp(kith.api, { redirectUris: [REDIRECT, 'urn:ietf:wg:oauth:2.0:oob'], scopes: 'read write follow' });
  await kith.createUser('alice', { password: PASSWORD });
});

afterAll(async () => {
  await mongo?.close();
  await kith?.close();
});

const codes = () => mongo.db(kith.config.mongodbDatabase).collection('oauth_codes');

/** Signs in on the page and approves; returns the redirect location (or the response when not redirected). */
async function approve(
  browser: TestBrowser,
  params: Record<string, string | undefined>,
  credentials: { username?: string; password?: string } = { username: 'alice', password: PASSWORD },
) {
  const page = await browser.get(authorizeQuery(params));
  expect(page.status).toBe(200);
  const form = { ...formFields(page.html), decision: 'approve' } as Record<string, string>;
  if (credentials.username !== undefined) form.username = credentials.username;
  if (credentials.password !== undefined) form.password = credentials.password;
  return browser.postForm('/oauth/authorize', form);
}

async function authorizationCode(params: Record<string, string | undefined> = {}): Promise<string> {
  const response = await approve(new TestBrowser(kith.url), {
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    scope: 'read write',
    ...params,
  });
  expect(response.status).toBe(302);
  return new URL(response.location!).searchParams.get('code')!;
}

describe('authorization code with PKCE', () => {
  it('signs in, approves, exchanges the code with the verifier and uses the token', async () => {
    const browser = new TestBrowser(kith.url);
    const { verifier, challenge } = pkcePair();
    const params = {
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: REDIRECT,
      scope: 'read write',
      state: 'st4te-1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    const page = await browser.get(authorizeQuery(params));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("form-action 'self' http://127.0.0.1:9");
    expect(page.html).not.toMatch(/<script/i);
    expect(page.html).toContain('name="password"');
    const form = formFields(page.html);
    expect(form.csrf_token).toMatch(/^[\w-]{40,}$/);
    expect(form.client_id).toBe(client.client_id);

    const approved = await browser.postForm('/oauth/authorize', { ...form, username: 'alice', password: PASSWORD, decision: 'approve' });
    expect(approved.status).toBe(302);
    const location = new URL(approved.location!);
    expect(location.origin + location.pathname).toBe(REDIRECT);
    expect(location.searchParams.get('state')).toBe('st4te-1');
    const code = location.searchParams.get('code')!;
    expect(code).toMatch(/^[\w-]{40,}$/);
    // Only the code's hash is stored.
    expect(await codes().countDocuments({ codeHash: sha256(code) })).toBe(1);
    expect(await codes().countDocuments({ codeHash: code })).toBe(0);

    const exchanged = await kith.api.post('/oauth/token', {
      grant_type: 'authorization_code',
      code,
      client_id: client.client_id,
      client_secret: client.client_secret,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    });
    expect(exchanged.status).toBe(200);
    expect(exchanged.headers.get('cache-control')).toBe('no-store');
    expect(exchanged.body).toEqual({ access_token: expect.stringMatching(/^[\w-]{40,}$/), token_type: 'Bearer', scope: 'read write', created_at: expect.any(Number) });
    expect(Math.abs(exchanged.body.created_at - Date.now() / 1000)).toBeLessThan(120);

    const api = kith.api.withToken(exchanged.body.access_token);
    const app = await api.get('/api/v1/apps/verify_credentials');
    expect(app.status).toBe(200);
    expect(app.body).toMatchObject({ name: 'Test client', scopes: ['read', 'write', 'follow'] });
    expect(app.body.client_secret).toBeUndefined();
    const me = await api.get('/api/v1/accounts/verify_credentials');
    expect(me.status).toBe(200);
    expect(me.body.username).toBe('alice');

    // A code works once.
    const again = await kith.api.post('/oauth/token', {
      grant_type: 'authorization_code',
      code,
      client_id: client.client_id,
      client_secret: client.client_secret,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    });
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
  });

  it('lets a public client exchange a PKCE code without its secret, from a form body', async () => {
    const { verifier, challenge } = pkcePair();
    const code = await authorizationCode({ code_challenge: challenge, code_challenge_method: 'S256' });
    const body = new URLSearchParams({ grant_type: 'authorization_code', code, client_id: client.client_id, redirect_uri: REDIRECT, code_verifier: verifier });
    const res = await kith.api.post('/oauth/token', body.toString(), { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('read write');
  });

  it('supports the plain PKCE method', async () => {
    const { verifier } = pkcePair();
    const code = await authorizationCode({ code_challenge: verifier, code_challenge_method: 'plain' });
    const res = await kith.api.post('/oauth/token', { grant_type: 'authorization_code', code, client_id: client.client_id, client_secret: client.client_secret, redirect_uri: REDIRECT, code_verifier: verifier });
    expect(res.status).toBe(200);
  });

  it('refuses a wrong verifier, and the code is spent by the attempt', async () => {
    const { verifier, challenge } = pkcePair();
    const code = await authorizationCode({ code_challenge: challenge, code_challenge_method: 'S256' });
    const base = { grant_type: 'authorization_code', code, client_id: client.client_id, client_secret: client.client_secret, redirect_uri: REDIRECT };
    const wrong = await kith.api.post('/oauth/token', { ...base, code_verifier: pkcePair().verifier });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toBe('invalid_grant');
    const right = await kith.api.post('/oauth/token', { ...base, code_verifier: verifier });
    expect(right.status).toBe(400);
    expect(right.body.error).toBe('invalid_grant');
    const missing = await kith.api.post('/oauth/token', { ...base, code: await authorizationCode({ code_challenge: challenge }) });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toBe('invalid_grant');
  });

  it('refuses an expired code', async () => {
    const code = await authorizationCode();
    await codes().updateOne({ codeHash: sha256(code) }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const res = await kith.api.post('/oauth/token', { grant_type: 'authorization_code', code, client_id: client.client_id, client_secret: client.client_secret, redirect_uri: REDIRECT });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_grant', error_description: expect.stringContaining('expired') });
  });

  it('refuses an exchange with another redirect_uri, or by another client', async () => {
    const other = await registerApp(kith.api, { redirectUris: REDIRECT });
    const code = await authorizationCode();
    const byOther = await kith.api.post('/oauth/token', { grant_type: 'authorization_code', code, client_id: other.client_id, client_secret: other.client_secret, redirect_uri: REDIRECT });
    expect(byOther.status).toBe(400);
    expect(byOther.body.error).toBe('invalid_grant');

    const code2 = await authorizationCode();
    const res = await kith.api.post('/oauth/token', { grant_type: 'authorization_code', code: code2, client_id: client.client_id, client_secret: client.client_secret, redirect_uri: 'http://127.0.0.1:9/elsewhere' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/^invalid_(request|grant)$/);
  });

  it('never redirects to an unregistered redirect_uri or for an unknown client', async () => {
    const browser = new TestBrowser(kith.url);
    const wrongRedirect = await browser.get(authorizeQuery({ response_type: 'code', client_id: client.client_id, redirect_uri: 'https://evil.example/cb' }));
    expect(wrongRedirect.status).toBe(400);
    expect(wrongRedirect.location).toBeNull();
    expect(wrongRedirect.html).toContain('not registered');
    const unknownClient = await browser.get(authorizeQuery({ response_type: 'code', client_id: 'nope', redirect_uri: REDIRECT }));
    expect(unknownClient.status).toBe(400);
    expect(unknownClient.location).toBeNull();
  });

  it('shows scope and response_type errors on the page instead of redirecting (no open redirector)', async () => {
    const browser = new TestBrowser(kith.url);
    const cases: [Record<string, string>, string][] = [
      [{ scope: 'read push', state: 'abc' }, 'The requested scope is invalid, unknown, or malformed.'],
      [{ scope: 'read:everything' }, 'The requested scope is invalid, unknown, or malformed.'],
      [{ response_type: 'token' }, 'The authorization server does not support this response type.'],
      [{ code_challenge: 'x', code_challenge_method: 'S512' }, 'The code challenge method must be S256 or plain.'],
    ];
    for (const [params, message] of cases) {
      const page = await browser.get(authorizeQuery({ response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT, ...params }));
      expect(page.status, JSON.stringify(params)).toBe(400);
      expect(page.location).toBeNull();
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.html).toContain(message);
      expect(page.html).not.toContain('name="password"');
    }
  });

  it('does not redirect a submitted form whose request is bad, and issues no code', async () => {
    const before = await codes().countDocuments();
    const browser = new TestBrowser(kith.url);
    const page = await browser.get(authorizeQuery({ response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT, state: 's' }));
    const form = { ...formFields(page.html), scope: 'read push', username: 'alice', password: PASSWORD, decision: 'approve' };
    const res = await browser.postForm('/oauth/authorize', form);
    expect(res.status).toBe(400);
    expect(res.location).toBeNull();
    expect(res.html).toContain('The requested scope is invalid, unknown, or malformed.');
    expect(await codes().countDocuments()).toBe(before);
  });

  it('grants a narrower granular scope and defaults to read', async () => {
    const code = await authorizationCode({ scope: 'read:statuses write:favourites' });
    const res = await kith.api.post('/oauth/token', { grant_type: 'authorization_code', code, client_id: client.client_id, client_secret: client.client_secret, redirect_uri: REDIRECT });
    expect(res.body.scope).toBe('read:statuses write:favourites');
    const defaultCode = await authorizationCode({ scope: undefined });
    const res2 = await kith.api.post('/oauth/token', { grant_type: 'authorization_code', code: defaultCode, client_id: client.client_id, client_secret: client.client_secret, redirect_uri: REDIRECT });
    expect(res2.body.scope).toBe('read');
  });

  it('tells the client when the user denies access', async () => {
    const browser = new TestBrowser(kith.url);
    const page = await browser.get(authorizeQuery({ response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT, state: 'no' }));
    const denied = await browser.postForm('/oauth/authorize', { ...formFields(page.html), decision: 'deny' });
    expect(denied.status).toBe(302);
    const location = new URL(denied.location!);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('no');
    expect(location.searchParams.get('code')).toBeNull();
  });

  it('remembers the signed-in user, and force_login asks again', async () => {
    const browser = new TestBrowser(kith.url);
    const params = { response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT };
    expect((await approve(browser, params)).status).toBe(302);

    const page = await browser.get(authorizeQuery(params));
    expect(page.html).toContain('Signed in as <strong>@alice</strong>');
    expect(page.html).not.toContain('name="password"');
    const approved = await browser.postForm('/oauth/authorize', { ...formFields(page.html), decision: 'approve' });
    expect(approved.status).toBe(302);
    expect(new URL(approved.location!).searchParams.get('code')).toBeTruthy();

    const forced = await browser.get(authorizeQuery({ ...params, force_login: 'true' }));
    expect(forced.html).toContain('name="password"');
    const noPassword = await browser.postForm('/oauth/authorize', { ...formFields(forced.html), decision: 'approve' });
    expect(noPassword.status).toBe(401);
    expect(noPassword.location).toBeNull();
  });

  it('signs in with the email address too', async () => {
    const res = await approve(new TestBrowser(kith.url), { response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT }, { username: 'alice@example.test', password: PASSWORD });
    expect(res.status).toBe(302);
  });

  it('refuses a wrong password and a suspended account without issuing a code', async () => {
    const before = await codes().countDocuments();
    const params = { response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT };
    const wrong = await approve(new TestBrowser(kith.url), params, { username: 'alice', password: 'wrong password!' });
    expect(wrong.status).toBe(401);
    expect(wrong.location).toBeNull();
    expect(wrong.html).toContain('Invalid username, email or password.');
    const nobody = await approve(new TestBrowser(kith.url), params, { username: 'nobody', password: PASSWORD });
    expect(nobody.status).toBe(401);

    const mallory = await kith.createUser('mallory', { password: PASSWORD });
    await kith.services.accounts.setSuspended(mallory.account._id, true);
    const suspended = await approve(new TestBrowser(kith.url), params, { username: 'mallory', password: PASSWORD });
    expect(suspended.status).toBe(403);
    expect(suspended.html).toContain('Your login is currently disabled');
    expect(await codes().countDocuments()).toBe(before);
  });

  it('refuses a form without a valid CSRF token for this browser, and each token works once', async () => {
    const params = { response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT };
    const browser = new TestBrowser(kith.url);
    const form = formFields((await browser.get(authorizeQuery(params))).html);
    const withoutToken = await browser.postForm('/oauth/authorize', { ...form, csrf_token: '', username: 'alice', password: PASSWORD });
    expect(withoutToken.status).toBe(403);
    const used = await browser.postForm('/oauth/authorize', { ...form, username: 'alice', password: PASSWORD });
    expect(used.status).toBe(302);
    const replayed = await browser.postForm('/oauth/authorize', { ...form, username: 'alice', password: PASSWORD });
    expect(replayed.status).toBe(403);
    expect(replayed.location).toBeNull();

    // A token shown to one browser is worthless in another (a cross-site form cannot borrow it).
    const victim = new TestBrowser(kith.url);
    const victimForm = formFields((await victim.get(authorizeQuery(params))).html);
    const attacker = new TestBrowser(kith.url);
    await attacker.get(authorizeQuery(params));
    const stolen = await attacker.postForm('/oauth/authorize', { ...victimForm, username: 'alice', password: PASSWORD });
    expect(stolen.status).toBe(403);
    expect(stolen.location).toBeNull();
    const noCookie = await fetch(`${kith.url}/oauth/authorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...form, username: 'alice', password: PASSWORD }).toString(),
      redirect: 'manual',
    });
    expect(noCookie.status).toBe(403);
  });

  it('shows the code for out-of-band apps', async () => {
    const browser = new TestBrowser(kith.url);
    const res = await approve(browser, { response_type: 'code', client_id: client.client_id, redirect_uri: 'urn:ietf:wg:oauth:2.0:oob' });
    expect(res.status).toBe(200);
    const code = /<code class="token" id="code">([^<]+)<\/code>/.exec(res.html)![1]!;
    const token = await kith.api.post('/oauth/token', { grant_type: 'authorization_code', code, client_id: client.client_id, client_secret: client.client_secret, redirect_uri: 'urn:ietf:wg:oauth:2.0:oob' });
    expect(token.status).toBe(200);
    expect(token.body.scope).toBe('read');
  });

  it('escapes what the app registered', async () => {
    const evil = await registerApp(kith.api, { name: '<script>alert(1)</script>"', redirectUris: REDIRECT });
    const page = await new TestBrowser(kith.url).get(authorizeQuery({ response_type: 'code', client_id: evil.client_id, redirect_uri: REDIRECT, state: '"><b>x' }));
    expect(page.status).toBe(200);
    expect(page.html).not.toContain('<script>');
    expect(page.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;');
    expect(page.html).not.toContain('"><b>x');
  });
});

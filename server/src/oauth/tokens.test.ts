// Apps, client credentials, revoke, scopes, suspension and token storage, over real HTTP.
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { startTestInstance, type TestInstance } from '../../test/harness.ts';
import { registerApp, type RegisteredApp } from './oauth-test-helpers.ts';
import { sha256 } from './secrets.ts';

let kith: TestInstance;
let mongo: MongoClient;
let client: RegisteredApp;

beforeAll(async () => {
  kith = await startTestInstance();
  mongo = await MongoClient.connect(inject('mongoUrl'));
  client = await registerApp(kith.api, { scopes: 'read write' });
});

afterAll(async () => {
  await mongo?.close();
  await kith?.close();
});

const collection = (name: string) => mongo.db(kith.config.mongodbDatabase).collection(name);

async function clientToken(body: Record<string, string> = {}) {
  return kith.api.post('/oauth/token', { grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret, ...body });
}

describe('POST /api/v1/apps', () => {
  it('registers an app and returns its credentials once', async () => {
    const res = await kith.api.post('/api/v1/apps', {
      client_name: 'Phone app',
      redirect_uris: ['https://app.example/cb', 'org.example.app://oauth'],
      scopes: 'read write:statuses push',
      website: 'https://app.example',
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^\d{16}$/),
      name: 'Phone app',
      website: 'https://app.example',
      scopes: ['read', 'write:statuses', 'push'],
      redirect_uri: 'https://app.example/cb\norg.example.app://oauth',
      redirect_uris: ['https://app.example/cb', 'org.example.app://oauth'],
      client_id: expect.stringMatching(/^[\w-]{40,}$/),
      client_secret: expect.stringMatching(/^[\w-]{40,}$/),
      client_secret_expires_at: 0,
      // The instance's VAPID public key: an uncompressed P-256 point, base64url (65 bytes → 87 characters).
      vapid_key: expect.stringMatching(/^[\w-]{87}$/),
    });
    const stored = await collection('oauth_apps').findOne({ clientId: res.body.client_id });
    expect(stored!.clientSecretHash).toBe(sha256(res.body.client_secret));
    expect(JSON.stringify(stored)).not.toContain(res.body.client_secret);
  });

  it('accepts a form body, the oob URI and defaults scopes to read', async () => {
    const form = new URLSearchParams({ client_name: 'CLI tool', redirect_uris: 'urn:ietf:wg:oauth:2.0:oob' }).toString();
    const res = await kith.api.post('/api/v1/apps', form, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(200);
    expect(res.body.scopes).toEqual(['read']);
    expect(res.body.redirect_uris).toEqual(['urn:ietf:wg:oauth:2.0:oob']);
    expect(res.body.website).toBeNull();
  });

  it('refuses bad registrations with 422 and stores nothing', async () => {
    const before = await collection('oauth_apps').countDocuments();
    const cases: Record<string, unknown>[] = [
      { redirect_uris: 'https://a.example/cb' },
      { client_name: 'x' },
      { client_name: 'x', redirect_uris: 'not a uri' },
      { client_name: 'x', redirect_uris: '/relative/path' },
      { client_name: 'x', redirect_uris: 'https://a.example/cb#fragment' },
      { client_name: 'x', redirect_uris: 'https://a.example/cb', scopes: 'read kith:connector' },
      { client_name: 'x', redirect_uris: 'https://a.example/cb', website: 'javascript:alert(1)' },
      { client_name: 'x'.repeat(61), redirect_uris: 'https://a.example/cb' },
    ];
    for (const body of cases) {
      const res = await kith.api.post('/api/v1/apps', body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body).toEqual({ error: expect.stringMatching(/^Validation failed: /) });
    }
    const wrongType = await kith.api.post('/api/v1/apps', { client_name: 'x', redirect_uris: { a: 1 } });
    expect(wrongType.status).toBe(400);
    expect(await collection('oauth_apps').countDocuments()).toBe(before);
  });

  it('verify_credentials needs a token and never shows the secret', async () => {
    expect((await kith.api.get('/api/v1/apps/verify_credentials')).status).toBe(401);
    expect((await kith.api.withToken('nonsense').get('/api/v1/apps/verify_credentials')).status).toBe(401);
    const token = (await clientToken()).body.access_token;
    const res = await kith.api.withToken(token).get('/api/v1/apps/verify_credentials');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: client.id, name: 'Test client', scopes: ['read', 'write'] });
    expect(res.body.client_id).toBeUndefined();
    expect(res.body.client_secret).toBeUndefined();
  });
});

describe('POST /oauth/token', () => {
  it('issues an app-only token for client credentials (JSON or form)', async () => {
    const res = await clientToken({ scope: 'read' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', scope: 'read', created_at: expect.any(Number) });
    const stored = await collection('oauth_tokens').findOne({ tokenHash: sha256(res.body.access_token) });
    expect(stored).toMatchObject({ accountId: null, appId: client.id, scopes: ['read'], expiresAt: null });
    expect(JSON.stringify(stored)).not.toContain(res.body.access_token);
    // An app token is not a user: user routes refuse it.
    const me = await kith.api.withToken(res.body.access_token).get('/api/v1/accounts/verify_credentials');
    expect(me.status).toBe(401);

    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret, scope: 'read+write' });
    const viaForm = await kith.api.post('/oauth/token', form.toString(), { 'content-type': 'application/x-www-form-urlencoded' });
    expect(viaForm.status).toBe(200);
    expect(viaForm.body.scope).toBe('read write');
    expect((await clientToken()).body.scope).toBe('read');
  });

  it('accepts parameters in the query string, as older clients send them', async () => {
    const query = new URLSearchParams({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret });
    const res = await kith.api.post(`/oauth/token?${query}`);
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('read');
  });

  it('accepts HTTP Basic client authentication', async () => {
    const basic = Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64');
    const res = await kith.api.post('/oauth/token', { grant_type: 'client_credentials' }, { authorization: `Basic ${basic}` });
    expect(res.status).toBe(200);
  });

  it('answers errors in OAuth shape and stores no token', async () => {
    const before = await collection('oauth_tokens').countDocuments();
    const cases: [Record<string, unknown>, number, string][] = [
      [{ grant_type: 'client_credentials', client_id: client.client_id, client_secret: 'wrong' }, 401, 'invalid_client'],
      [{ grant_type: 'client_credentials', client_id: 'unknown', client_secret: 'x' }, 401, 'invalid_client'],
      [{ grant_type: 'client_credentials', client_id: client.client_id }, 401, 'invalid_client'],
      [{ grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret, scope: 'read follow' }, 400, 'invalid_scope'],
      [{ grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret, scope: 'admin:read' }, 400, 'invalid_scope'],
      [{ grant_type: 'password', client_id: client.client_id, client_secret: client.client_secret, username: 'a', password: 'b' }, 400, 'unsupported_grant_type'],
      [{ grant_type: 'refresh_token', client_id: client.client_id, client_secret: client.client_secret, refresh_token: 'x' }, 400, 'unsupported_grant_type'],
      [{ client_id: client.client_id, client_secret: client.client_secret }, 400, 'invalid_request'],
      [{ grant_type: 'authorization_code', client_id: client.client_id, client_secret: client.client_secret }, 400, 'invalid_request'],
      [{ grant_type: 'authorization_code', code: 'made-up', client_id: client.client_id, client_secret: client.client_secret }, 400, 'invalid_grant'],
      [{ grant_type: { nested: 'client_credentials' }, client_id: client.client_id }, 400, 'invalid_request'],
    ];
    for (const [body, status, error] of cases) {
      const res = await kith.api.post('/oauth/token', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body, JSON.stringify(body)).toEqual({ error, error_description: expect.any(String) });
    }
    const empty = await kith.api.post('/oauth/token');
    expect(empty.status).toBe(401);
    expect(empty.body.error).toBe('invalid_client');
    const notAnObject = await kith.api.post('/oauth/token', '[1, 2]', { 'content-type': 'application/json' });
    expect(notAnObject.status).toBe(400);
    expect(notAnObject.body.error).toBe('invalid_request');
    expect(await collection('oauth_tokens').countDocuments()).toBe(before);
  });
});

describe('POST /oauth/revoke', () => {
  it('revokes a token so it stops working at once', async () => {
    const user = await kith.createUser('rita');
    const app = await registerApp(kith.api, { scopes: 'read write' });
    const issued = await kith.services.oauth.issueToken(app.id, user.account._id, ['read']);
    const api = kith.api.withToken(issued.accessToken);
    expect((await api.get('/api/v1/accounts/verify_credentials')).status).toBe(200);
    const revoked = await kith.api.post('/oauth/revoke', { token: issued.accessToken, client_id: app.client_id, client_secret: app.client_secret });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toEqual({});
    const after = await api.get('/api/v1/accounts/verify_credentials');
    expect(after.status).toBe(401);
    expect(after.body).toEqual({ error: 'The access token is invalid' });
    expect(await collection('oauth_tokens').countDocuments({ tokenHash: sha256(issued.accessToken) })).toBe(0);
    // Idempotent.
    const again = await kith.api.post('/oauth/revoke', { token: issued.accessToken, client_id: app.client_id, client_secret: app.client_secret });
    expect(again.status).toBe(200);
  });

  it("refuses another client's token, a missing token and bad client credentials", async () => {
    const user = await kith.createUser('sam');
    const app = await registerApp(kith.api);
    const form = new URLSearchParams({ token: user.token, client_id: app.client_id, client_secret: app.client_secret }).toString();
    const notYours = await kith.api.post('/oauth/revoke', form, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(notYours.status).toBe(403);
    expect(notYours.body).toEqual({ error: 'unauthorized_client', error_description: 'You are not authorized to revoke this token' });
    expect((await kith.api.post('/oauth/revoke', { client_id: app.client_id, client_secret: app.client_secret })).status).toBe(403);
    const badClient = await kith.api.post('/oauth/revoke', { token: user.token, client_id: app.client_id, client_secret: 'nope' });
    expect(badClient.status).toBe(401);
    expect(badClient.body.error).toBe('invalid_client');
    expect((await user.api.get('/api/v1/accounts/verify_credentials')).status).toBe(200);
  });
});

describe('bearer tokens', () => {
  it('enforces scopes: a read-only token cannot write', async () => {
    const reader = await kith.createUser('reader', { scopes: ['read'] });
    expect((await reader.api.get('/api/v1/accounts/verify_credentials')).status).toBe(200);
    const write = await reader.api.patch('/api/v1/accounts/update_credentials', { display_name: 'Changed' });
    expect(write.status).toBe(403);
    expect(write.body).toEqual({ error: 'This action is outside the authorized scopes' });
    expect((await kith.services.accounts.get(reader.account._id)).displayName).toBe('reader');
    const granular = await kith.createUser('granular', { scopes: ['read:statuses'] });
    expect((await granular.api.get('/api/v1/accounts/verify_credentials')).status).toBe(403);
  });

  it('stops a suspended account on its next request, and lets it back after unsuspension', async () => {
    const user = await kith.createUser('suspendee');
    expect((await user.api.get('/api/v1/accounts/verify_credentials')).status).toBe(200);
    await kith.services.accounts.setSuspended(user.account._id, true);
    const res = await user.api.get('/api/v1/accounts/verify_credentials');
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: 'Your login is currently disabled' });
    await kith.services.accounts.setSuspended(user.account._id, false);
    expect((await user.api.get('/api/v1/accounts/verify_credentials')).status).toBe(200);
  });

  it('refuses an expired token, and unknown or malformed ones', async () => {
    const user = await kith.createUser('expiring');
    const token = await kith.services.oauth.issuePersonalToken(user.account._id, ['read'], { expiresAt: new Date(Date.now() + 60_000) });
    const api = kith.api.withToken(token);
    expect((await api.get('/api/v1/accounts/verify_credentials')).status).toBe(200);
    await collection('oauth_tokens').updateOne({ tokenHash: sha256(token) }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    // The lookup is cached in Redis, with the expiry; drop the cache entry so the database is read again.
    const conn = new Redis(inject('redisUrl'), { keyPrefix: kith.config.redisPrefix });
    await conn.del(`oauth:token:${sha256(token)}`);
    conn.disconnect();
    expect((await api.get('/api/v1/accounts/verify_credentials')).status).toBe(401);
    expect((await kith.api.withToken('x'.repeat(600)).get('/api/v1/accounts/verify_credentials')).status).toBe(401);
    const malformed = await fetch(`${kith.url}/api/v1/accounts/verify_credentials`, { headers: { authorization: 'Bearer' } });
    expect(malformed.status).toBe(401);
  });

  it('issuePersonalToken refuses unknown scopes and accounts', async () => {
    const user = await kith.createUser('personal');
    await expect(kith.services.oauth.issuePersonalToken(user.account._id, ['read', 'kith:connector'])).rejects.toThrow(/Unknown scope/);
    await expect(kith.services.oauth.issuePersonalToken('1999999999999999', ['read'])).rejects.toThrow(/Account does not exist/);
  });
});

describe('rate limits', () => {
  it('limits token requests per address', async () => {
    const limited = await startTestInstance({ AUTH_RATE_LIMIT: '3' });
    try {
      const app = await registerApp(limited.api);
      const body = { grant_type: 'client_credentials', client_id: app.client_id, client_secret: app.client_secret };
      for (let i = 0; i < 3; i++) expect((await limited.api.post('/oauth/token', body)).status).toBe(200);
      const over = await limited.api.post('/oauth/token', body);
      expect(over.status).toBe(429);
      expect(over.body).toEqual({ error: expect.stringMatching(/^Too many requests/) });
      // Another endpoint has its own budget.
      expect((await limited.api.post('/oauth/revoke', { ...body, token: 'x' })).status).toBe(200);
      // Sign-in and sign-up are limited the same way, before anything else is checked.
      for (const path of ['/oauth/authorize', '/api/v1/accounts']) {
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++) statuses.push((await limited.api.post(path, { username: 'x', password: 'y' })).status);
        expect(statuses.slice(0, 3), path).not.toContain(429);
        expect(statuses[3], path).toBe(429);
      }
      // Reads are not limited by it.
      expect((await limited.api.get(`/api/v1/kith/invites/ABCDEFGHJK/check`)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

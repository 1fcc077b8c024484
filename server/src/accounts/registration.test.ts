// Sign-up through Mastodon's POST /api/v1/accounts in each registration mode, over real HTTP.
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { startTestInstance, type ApiClient, type TestInstance } from '../../test/harness.ts';
import { registerApp } from '../oauth/oauth-test-helpers.ts';

let open: TestInstance;
let invite: TestInstance;
let closed: TestInstance;
let mongo: MongoClient;

beforeAll(async () => {
  [open, invite, closed] = await Promise.all([
    startTestInstance({ REGISTRATION_MODE: 'open' }),
    startTestInstance({ REGISTRATION_MODE: 'invite' }),
    startTestInstance({ REGISTRATION_MODE: 'closed' }),
  ]);
  mongo = await MongoClient.connect(inject('mongoUrl'));
});

afterAll(async () => {
  await mongo?.close();
  await Promise.all([open?.close(), invite?.close(), closed?.close()]);
});

/** A client-credentials (app) token, as a Mastodon client gets before signing up. */
async function appClient(kith: TestInstance, scope = 'read write'): Promise<ApiClient> {
  const app = await registerApp(kith.api, { scopes: 'read write follow push' });
  const res = await kith.api.post('/oauth/token', { grant_type: 'client_credentials', client_id: app.client_id, client_secret: app.client_secret, scope });
  expect(res.status).toBe(200);
  return kith.api.withToken(res.body.access_token);
}

/** Counts of what a sign-up writes, to check that a refused one wrote nothing. */
async function stored(kith: TestInstance) {
  const db = mongo.db(kith.config.mongodbDatabase);
  const invites = await db.collection('invites').find({}).project({ uses: 1 }).toArray();
  return {
    accounts: await db.collection('accounts').countDocuments(),
    tokens: await db.collection('oauth_tokens').countDocuments(),
    inviteUses: invites.reduce((sum, i) => sum + (i.uses as number), 0),
  };
}

const signUp = (username: string, extra: Record<string, unknown> = {}) => ({
  username,
  email: `${username}@example.test`,
  password: 'a long enough password',
  agreement: true,
  locale: 'en',
  ...extra,
});

describe('open registrations', () => {
  it('creates a member and returns a token for it with the app token’s scopes', async () => {
    const api = await appClient(open);
    const res = await api.post('/api/v1/accounts', signUp('newbie'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', scope: 'read write', created_at: expect.any(Number) });
    const me = await open.api.withToken(res.body.access_token).get('/api/v1/accounts/verify_credentials');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: 'newbie', kith: { role: 'member' } });
  });

  it('accepts a form body', async () => {
    const api = await appClient(open);
    const form = new URLSearchParams({ username: 'formuser', email: 'formuser@example.test', password: 'a long enough password', agreement: 'true', locale: 'en' });
    const res = await api.post('/api/v1/accounts', form.toString(), { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(200);
  });

  it('needs an app token with write:accounts', async () => {
    const readOnly = await appClient(open, 'read');
    const before = await stored(open);
    expect((await open.api.post('/api/v1/accounts', signUp('anon'))).status).toBe(401);
    const res = await readOnly.post('/api/v1/accounts', signUp('readonly'));
    expect(res.status).toBe(403);
    expect(await stored(open)).toEqual(before);
  });

  it('refuses bad input with exact statuses and stores nothing', async () => {
    const api = await appClient(open);
    expect((await api.post('/api/v1/accounts', signUp('taken'))).status).toBe(200);
    const before = await stored(open);
    const cases: [Record<string, unknown>, number][] = [
      [signUp('taken'), 422],
      [signUp('TAKEN', { email: 'other@example.test' }), 422],
      [signUp('othername', { email: 'taken@example.test' }), 422],
      [signUp('bademail', { email: 'not-an-email' }), 422],
      [signUp('noemail', { email: undefined }), 422],
      [signUp('shortpw', { password: 'short' }), 422],
      [signUp('bad name!'), 422],
      [signUp('noagreement', { agreement: false }), 422],
      [signUp('noagreement2', { agreement: undefined }), 422],
      [signUp('unknowninvite', { invite_code: 'NOPE234567' }), 403],
      [{ email: 'x@example.test', password: 'a long enough password', agreement: true }, 400],
      [signUp('wrongtype', { password: { nested: 'x' } }), 400],
      [signUp('x'.repeat(101)), 400],
    ];
    for (const [body, status] of cases) {
      const res = await api.post('/api/v1/accounts', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body).toEqual({ error: expect.any(String) });
    }
    expect(await stored(open)).toEqual(before);
  });

  it('gives the invite’s role when a code is used', async () => {
    const code = (await open.services.invites.create(null, { role: 'connector' }))._id;
    const api = await appClient(open);
    const res = await api.post('/api/v1/accounts', signUp('bridge', { invite_code: code }));
    expect(res.status).toBe(200);
    const me = await open.api.withToken(res.body.access_token).get('/api/v1/accounts/verify_credentials');
    expect(me.body.kith.role).toBe('connector');
  });
});

describe('invite-only registrations', () => {
  it('needs a valid invite code, and lets frontline staff sign up without an email', async () => {
    const api = await appClient(invite);
    const before = await stored(invite);
    const noCode = await api.post('/api/v1/accounts', signUp('nocode'));
    expect(noCode.status).toBe(403);
    const unknown = await api.post('/api/v1/accounts', signUp('unknown', { invite_code: 'ABCDEFGHJK' }));
    expect(unknown.status).toBe(403);
    expect(await stored(invite)).toEqual(before);

    const code = (await invite.services.invites.create(null, { maxUses: 5 }))._id;
    const res = await api.post('/api/v1/accounts', signUp('frontline', { email: undefined, invite_code: code.toLowerCase() }));
    expect(res.status).toBe(200);
    const account = await invite.services.accounts.lookup('frontline', invite.config.domain);
    expect(account.email).toBeNull();
    expect(account.role).toBe('member');
    expect((await invite.services.invites.check(code)).valid).toBe(true);
    expect((await invite.api.get(`/api/v1/kith/invites/${code}/check`)).body.valid).toBe(true);
  });

  it('refuses expired and used-up codes, and a failed sign-up gives its use back', async () => {
    const api = await appClient(invite);
    const expired = (await invite.services.invites.create(null, { expiresInDays: 1 }))._id;
    await mongo.db(invite.config.mongodbDatabase).collection('invites').updateOne({ _id: expired as never }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const once = (await invite.services.invites.create(null, { maxUses: 1 }))._id;

    const before = await stored(invite);
    expect((await api.post('/api/v1/accounts', signUp('late', { invite_code: expired }))).status).toBe(403);
    expect((await api.post('/api/v1/accounts', signUp('weakpw', { invite_code: once, password: 'short' }))).status).toBe(422);
    expect(await stored(invite)).toEqual(before);

    expect((await api.post('/api/v1/accounts', signUp('first', { invite_code: once }))).status).toBe(200);
    const before2 = await stored(invite);
    const second = await api.post('/api/v1/accounts', signUp('second', { invite_code: once }));
    expect(second.status).toBe(403);
    expect(second.body).toEqual({ error: 'This invite code is invalid, expired or used up' });
    expect(await stored(invite)).toEqual(before2);
  });

  it('lets only one of two simultaneous sign-ups take the last use', async () => {
    const api = await appClient(invite);
    const code = (await invite.services.invites.create(null, { maxUses: 1 }))._id;
    const results = await Promise.all([
      api.post('/api/v1/accounts', signUp('racer1', { invite_code: code })),
      api.post('/api/v1/accounts', signUp('racer2', { invite_code: code })),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 403]);
    const record = await mongo.db(invite.config.mongodbDatabase).collection('invites').findOne({ _id: code as never });
    expect(record!.uses).toBe(1);
  });
});

describe('closed registrations', () => {
  it('refuses every sign-up with Mastodon’s error, even with an invite', async () => {
    const api = await appClient(closed);
    const code = (await closed.services.invites.create(null, {}))._id;
    const before = await stored(closed);
    for (const body of [signUp('someone'), signUp('invited', { invite_code: code })]) {
      const res = await api.post('/api/v1/accounts', body);
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: 'This action is not allowed' });
    }
    expect(await stored(closed)).toEqual(before);
  });
});

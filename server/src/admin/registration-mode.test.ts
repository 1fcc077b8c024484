// The registration mode admins set at runtime, over real HTTP: who may read and change it, bad modes
// refused, and every reader of the mode (sign-up, the instance entities, NodeInfo, invite checks, the landing
// page, another process of the same instance) following the change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { startKith, type RunningKith } from '../kith.ts';
import { startTestInstance, type ApiClient, type TestInstance, type TestUser } from '../../test/harness.ts';
import { registerApp } from '../oauth/oauth-test-helpers.ts';

const ADMIN_SCOPES = ['read', 'write', 'admin:read', 'admin:write'];
const PATH = '/api/v1/kith/admin/registration';

let kith: TestInstance;
let mongo: MongoClient;
let admin: TestUser;
let member: TestUser;
let readOnlyAdmin: TestUser;

beforeAll(async () => {
  kith = await startTestInstance({ REGISTRATION_MODE: 'open' });
  mongo = await MongoClient.connect(inject('mongoUrl'));
  admin = await kith.createUser('chief', { role: 'admin', scopes: ADMIN_SCOPES });
  member = await kith.createUser('staff', { scopes: ADMIN_SCOPES });
  readOnlyAdmin = await kith.createUser('auditor', { role: 'admin', scopes: ['read', 'admin:read'] });
});

afterAll(async () => {
  await mongo?.close();
  await kith?.close();
});

/** A client-credentials (app) token, as a Mastodon client gets before signing up. */
async function appClient(): Promise<ApiClient> {
  const app = await registerApp(kith.api, { scopes: 'read write' });
  const res = await kith.api.post('/oauth/token', { grant_type: 'client_credentials', client_id: app.client_id, client_secret: app.client_secret, scope: 'read write' });
  expect(res.status).toBe(200);
  return kith.api.withToken(res.body.access_token);
}

const signUp = (username: string, extra: Record<string, unknown> = {}) => ({
  username, email: `${username}@example.test`, password: 'a long enough password', agreement: true, locale: 'en', ...extra,
});

const accounts = () => mongo.db(kith.config.mongodbDatabase).collection('accounts').countDocuments();
const override = () => mongo.db(kith.config.mongodbDatabase).collection('instance_settings').findOne({ _id: 'registration_mode' as never });

describe('registration mode API', () => {
  it('shows REGISTRATION_MODE until an admin sets another mode', async () => {
    const res = await admin.api.get(PATH);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ mode: 'open', configured_mode: 'open' });
    expect((await readOnlyAdmin.api.get(PATH)).body.mode).toBe('open');
  });

  it('is for admins only, and changing it needs admin:write', async () => {
    expect((await member.api.get(PATH)).status).toBe(403);
    expect((await member.api.put(PATH, { mode: 'closed' })).status).toBe(403);
    expect((await readOnlyAdmin.api.put(PATH, { mode: 'closed' })).status).toBe(403);
    expect((await kith.api.get(PATH)).status).toBe(401);
    expect((await kith.api.put(PATH, { mode: 'closed' })).status).toBe(401);
    expect(await override()).toBeNull();
    expect((await admin.api.get(PATH)).body.mode).toBe('open');
  });

  it('refuses a mode that does not exist, and other malformed bodies, changing nothing', async () => {
    for (const body of [{ mode: 'approval' }, { mode: 'OPEN' }, { mode: '' }, {}, { mode: 'closed', extra: 1 }, { mode: ['closed'] }]) {
      const res = await admin.api.put(PATH, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toEqual(expect.any(String));
    }
    expect(await override()).toBeNull();
    expect((await admin.api.get(PATH)).body.mode).toBe('open');
  });
});

describe('switching modes at runtime', () => {
  it('closes sign-up, and the instance entities, NodeInfo, invite checks and landing page say so', async () => {
    const api = await appClient();
    expect((await api.post('/api/v1/accounts', signUp('early'))).status).toBe(200);
    const invite = await admin.api.post('/api/v1/kith/invites', {});
    expect((await kith.api.get(`/api/v1/kith/invites/${invite.body.code}/check`)).body.valid).toBe(true);

    const closed = await admin.api.put(PATH, { mode: 'closed' });
    expect(closed.status).toBe(200);
    expect(closed.body).toEqual({ mode: 'closed', configured_mode: 'open' });
    expect(await override()).toMatchObject({ mode: 'closed', updatedBy: admin.account._id });

    const before = await accounts();
    expect((await api.post('/api/v1/accounts', signUp('late'))).status).toBe(403);
    expect((await api.post('/api/v1/accounts', signUp('late', { invite_code: invite.body.code }))).status).toBe(403);
    expect(await accounts()).toBe(before);

    expect((await kith.api.get('/api/v1/instance')).body).toMatchObject({ registrations: false, invites_enabled: false });
    expect((await kith.api.get('/api/v2/instance')).body.registrations).toMatchObject({ enabled: false, message: 'Accounts are created by an administrator.' });
    expect((await member.api.get('/api/v1/kith/instance')).body.registration_mode).toBe('closed');
    expect((await kith.api.get('/nodeinfo/2.1')).body.openRegistrations).toBe(false);
    expect((await kith.api.get(`/api/v1/kith/invites/${invite.body.code}/check`)).body).toMatchObject({ valid: false, reason: 'registrations_closed' });
    const landing = await fetch(`${kith.url}/`).then((r) => r.text());
    expect(landing).toContain('Accounts are created by the administrators.');
  });

  it('by invite: sign-up needs a code again, and works with one', async () => {
    expect((await admin.api.put(PATH, { mode: 'invite' })).body.mode).toBe('invite');
    const api = await appClient();
    expect((await api.post('/api/v1/accounts', signUp('nocode'))).status).toBe(403);
    const invite = await admin.api.post('/api/v1/kith/invites', {});
    expect((await api.post('/api/v1/accounts', signUp('withcode', { invite_code: invite.body.code }))).status).toBe(200);
    expect((await kith.api.get('/api/v1/instance')).body).toMatchObject({ registrations: false, invites_enabled: true });
    expect((await kith.api.get('/nodeinfo/2.1')).body.openRegistrations).toBe(false);

    expect((await admin.api.put(PATH, { mode: 'open' })).body.mode).toBe('open');
    expect((await kith.api.get('/api/v2/instance')).body.registrations).toMatchObject({ enabled: true, message: null });
    expect((await kith.api.get('/nodeinfo/2.1')).body.openRegistrations).toBe(true);
    expect((await api.post('/api/v1/accounts', signUp('walkin'))).status).toBe(200);
  });

  it('reaches another process of the same instance at once, and outlives a restart', async () => {
    // A second process on the same database and Redis prefix (an API-only process, as deployed beside the first).
    let other: RunningKith | null = await startKith({ ...kith.config, runJobs: false }, { logger: false });
    try {
      expect(await other.services.registrationMode.effective()).toBe('open'); // now cached
      expect((await admin.api.put(PATH, { mode: 'closed' })).status).toBe(200);
      expect(await other.services.registrationMode.effective()).toBe('closed');
      await other.close();
      // Redis forgotten (a flushed cache): the choice comes back from MongoDB, not REGISTRATION_MODE.
      const redis = new Redis(inject('redisUrl'), { keyPrefix: kith.config.redisPrefix });
      expect(await redis.del('registration_mode')).toBe(1);
      redis.disconnect();
      other = await startKith({ ...kith.config, runJobs: false }, { logger: false });
      expect(await other.services.registrationMode.effective()).toBe('closed');
      expect((await other.app.inject({ method: 'GET', url: '/api/v1/instance' })).json()).toMatchObject({ registrations: false, invites_enabled: false });
    } finally {
      await other?.close();
    }
    expect((await admin.api.put(PATH, { mode: 'open' })).status).toBe(200);
  });
});

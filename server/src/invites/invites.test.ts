// Kith's invite API over real HTTP: admins create, list and revoke codes; anyone checks one.
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';

const ADMIN_SCOPES = ['read', 'write', 'admin:read', 'admin:write'];

let kith: TestInstance;
let mongo: MongoClient;
let admin: TestUser;
let member: TestUser;
let connector: TestUser;

beforeAll(async () => {
  kith = await startTestInstance({ REGISTRATION_MODE: 'invite' });
  mongo = await MongoClient.connect(inject('mongoUrl'));
  admin = await kith.createUser('boss', { role: 'admin', scopes: ADMIN_SCOPES });
  member = await kith.createUser('worker', { scopes: ADMIN_SCOPES });
  connector = await kith.createUser('bridge', { role: 'connector', scopes: ADMIN_SCOPES });
});

afterAll(async () => {
  await mongo?.close();
  await kith?.close();
});

const invites = () => mongo.db(kith.config.mongodbDatabase).collection('invites');

describe('invites', () => {
  it('lets an admin create an invite with defaults', async () => {
    const res = await admin.api.post('/api/v1/kith/invites', {});
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      code: expect.stringMatching(/^[A-HJKMNP-Z2-9]{10}$/),
      role: 'member',
      uses: 0,
      max_uses: null,
      expires_at: null,
      created_at: expect.any(String),
      created_by: admin.account._id,
      valid: true,
    });
    const bodyless = await admin.api.post('/api/v1/kith/invites');
    expect(bodyless.status).toBe(200);
    expect(bodyless.body.role).toBe('member');
  });

  it('takes max uses, expiry and the connector role, also from a form', async () => {
    const res = await admin.api.post('/api/v1/kith/invites', { max_uses: 5, expires_in_days: 7, role: 'connector' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ role: 'connector', max_uses: 5, uses: 0, valid: true });
    const days = (Date.parse(res.body.expires_at) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);
    const form = new URLSearchParams({ max_uses: '2', role: 'member' }).toString();
    const viaForm = await admin.api.post('/api/v1/kith/invites', form, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(viaForm.status, JSON.stringify(viaForm.body)).toBe(200);
    expect(viaForm.body.max_uses).toBe(2);
  });

  it('refuses bad invites and stores nothing', async () => {
    const before = await invites().countDocuments();
    const cases: [Record<string, unknown>, number][] = [
      [{ role: 'admin' }, 400],
      [{ role: 'boss' }, 400],
      [{ max_uses: 0 }, 400],
      [{ max_uses: 1.5 }, 400],
      [{ max_uses: 'many' }, 400],
      [{ expires_in_days: 0 }, 400],
      [{ expires_in_days: -3 }, 400],
      [{ expires_in_days: 100_000 }, 400],
      [{ maxUses: 3 }, 400],
      [{ max_uses: null }, 400],
      [{ expires_in_days: '0' }, 422],
      [{ max_uses: '999999' }, 422],
      [{ max_uses: '5 uses' }, 400],
    ];
    for (const [body, status] of cases) {
      const res = await admin.api.post('/api/v1/kith/invites', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body).toEqual({ error: expect.any(String) });
    }
    await expect(kith.services.invites.create(null, { role: 'admin' })).rejects.toThrow(/Role must be one of member, connector/);
    expect(await invites().countDocuments()).toBe(before);
  });

  it('lists invites newest first', async () => {
    const made = await admin.api.post('/api/v1/kith/invites', { max_uses: 3 });
    const res = await admin.api.get('/api/v1/kith/invites');
    expect(res.status).toBe(200);
    expect(res.body[0]).toEqual(made.body);
    expect(res.body.length).toBe(await invites().countDocuments());
    expect((await admin.api.get('/api/v1/kith/invites', { limit: 1 })).body).toHaveLength(1);
  });

  it('checks codes anonymously: valid, unknown, expired and used up', async () => {
    const code = (await admin.api.post('/api/v1/kith/invites', { max_uses: 1, role: 'connector' })).body.code as string;
    const valid = await kith.api.get(`/api/v1/kith/invites/${code}/check`);
    expect(valid.status).toBe(200);
    expect(valid.body).toEqual({ valid: true, reason: null, role: 'connector', expires_at: null });
    const typed = `${code.slice(0, 5).toLowerCase()}-${code.slice(5)}`;
    expect((await kith.api.get(`/api/v1/kith/invites/${typed}/check`)).body.valid).toBe(true);
    expect((await kith.api.get('/api/v1/kith/invites/ZZZZZZZZZZ/check')).body).toEqual({ valid: false, reason: 'unknown', role: null, expires_at: null });
    expect((await kith.api.get('/api/v1/kith/invites/bad%3Ccode/check')).status).toBe(400);

    await kith.services.invites.redeem(code);
    expect((await kith.api.get(`/api/v1/kith/invites/${code}/check`)).body).toMatchObject({ valid: false, reason: 'used_up' });
    await expect(kith.services.invites.redeem(code)).rejects.toThrow(/used up/);

    const later = (await admin.api.post('/api/v1/kith/invites', { expires_in_days: 1 })).body.code as string;
    await invites().updateOne({ _id: later as never }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await kith.api.get(`/api/v1/kith/invites/${later}/check`)).body).toMatchObject({ valid: false, reason: 'expired' });
    const listed = (await admin.api.get('/api/v1/kith/invites')).body.find((i: { code: string }) => i.code === later);
    expect(listed.valid).toBe(false);
  });

  it('revokes an invite', async () => {
    const code = (await admin.api.post('/api/v1/kith/invites', {})).body.code as string;
    const res = await admin.api.delete(`/api/v1/kith/invites/${code}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    expect((await kith.api.get(`/api/v1/kith/invites/${code}/check`)).body.valid).toBe(false);
    expect((await admin.api.delete(`/api/v1/kith/invites/${code}`)).status).toBe(404);
  });

  it('is for admins only, with admin scopes', async () => {
    const code = (await admin.api.post('/api/v1/kith/invites', {})).body.code as string;
    const before = await invites().countDocuments();
    for (const user of [member, connector]) {
      expect((await user.api.post('/api/v1/kith/invites', {})).status).toBe(403);
      expect((await user.api.get('/api/v1/kith/invites')).status).toBe(403);
      expect((await user.api.delete(`/api/v1/kith/invites/${code}`)).status).toBe(403);
    }
    const plainAdmin = await kith.createUser('plainadmin', { role: 'admin' });
    const scoped = await plainAdmin.api.post('/api/v1/kith/invites', {});
    expect(scoped.status).toBe(403);
    expect(scoped.body).toEqual({ error: 'This action is outside the authorized scopes' });
    expect((await kith.api.post('/api/v1/kith/invites', {})).status).toBe(401);
    expect((await kith.api.get('/api/v1/kith/invites')).status).toBe(401);
    expect(await invites().countDocuments()).toBe(before);
    expect((await kith.api.get(`/api/v1/kith/invites/${code}/check`)).body.valid).toBe(true);
  });
});

// Kith's account administration API over real HTTP: lists, roles, suspension, the last-admin rule.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';

const ADMIN_SCOPES = ['read', 'write', 'follow', 'push', 'admin:read', 'admin:write'];

let kith: TestInstance;
let admin: TestUser;
let member: TestUser;

beforeAll(async () => {
  kith = await startTestInstance();
  admin = await kith.createUser('chief', { role: 'admin', scopes: ADMIN_SCOPES });
  member = await kith.createUser('staff', { scopes: ADMIN_SCOPES });
});

afterAll(async () => {
  await kith?.close();
});

describe('admin accounts API', () => {
  it('lists local accounts with role, email and suspension, newest first, with filters and paging', async () => {
    const res = await admin.api.get('/api/v1/kith/admin/accounts');
    expect(res.status).toBe(200);
    const staff = res.body.find((a: { username: string }) => a.username === 'staff');
    expect(staff).toEqual({
      id: member.account._id,
      username: 'staff',
      display_name: 'staff',
      email: 'staff@example.test',
      role: 'member',
      suspended: false,
      suspended_at: null,
      created_at: expect.any(String),
      leader: false,
      account: expect.objectContaining({ id: member.account._id, acct: 'staff' }),
    });
    const ids = res.body.map((a: { id: string }) => a.id);
    expect(ids).toEqual([...ids].sort().reverse());

    const admins = await admin.api.get('/api/v1/kith/admin/accounts', { role: 'admin' });
    expect(admins.body.map((a: { username: string }) => a.username)).toEqual(['chief']);
    const first = await admin.api.get('/api/v1/kith/admin/accounts', { limit: 1 });
    expect(first.body).toHaveLength(1);
    expect(first.headers.get('link')).toContain(`max_id=${first.body[0].id}`);
    const next = await admin.api.get('/api/v1/kith/admin/accounts', { limit: 1, max_id: first.body[0].id });
    expect(next.body[0].id < first.body[0].id).toBe(true);
    expect((await admin.api.get('/api/v1/kith/admin/accounts', { role: 'king' })).status).toBe(400);
  });

  it('is for admins with admin scopes only', async () => {
    expect((await member.api.get('/api/v1/kith/admin/accounts')).status).toBe(403);
    expect((await member.api.post(`/api/v1/kith/admin/accounts/${member.account._id}/role`, { role: 'admin' })).status).toBe(403);
    expect((await member.api.post(`/api/v1/kith/admin/accounts/${admin.account._id}/suspend`)).status).toBe(403);
    const unscoped = await kith.createUser('unscopedadmin', { role: 'admin' });
    expect((await unscoped.api.get('/api/v1/kith/admin/accounts')).status).toBe(403);
    const readOnly = await kith.createUser('readonlyadmin', { role: 'admin', scopes: ['admin:read'] });
    expect((await readOnly.api.get('/api/v1/kith/admin/accounts')).status).toBe(200);
    expect((await readOnly.api.post(`/api/v1/kith/admin/accounts/${member.account._id}/suspend`)).status).toBe(403);
    expect((await kith.api.get('/api/v1/kith/admin/accounts')).status).toBe(401);
    expect((await kith.services.accounts.get(member.account._id)).role).toBe('member');
    expect((await kith.services.accounts.get(member.account._id)).suspended).toBe(false);
  });

  it('changes roles, refusing bad input without changing anything', async () => {
    const target = await kith.createUser('promotee');
    const res = await admin.api.post(`/api/v1/kith/admin/accounts/${target.account._id}/role`, { role: 'connector' });
    expect(res.status).toBe(200);
    expect(res.body.role).toBe('connector');
    expect((await target.api.get('/api/v1/accounts/verify_credentials')).body.kith.role).toBe('connector');

    expect((await admin.api.post(`/api/v1/kith/admin/accounts/${target.account._id}/role`, { role: 'owner' })).status).toBe(400);
    expect((await admin.api.post(`/api/v1/kith/admin/accounts/${target.account._id}/role`, {})).status).toBe(400);
    expect((await admin.api.post('/api/v1/kith/admin/accounts/1999999999999999/role', { role: 'member' })).status).toBe(404);
    expect((await admin.api.post('/api/v1/kith/admin/accounts/abc/role', { role: 'member' })).status).toBe(400);
    expect((await kith.services.accounts.get(target.account._id)).role).toBe('connector');
  });

  it('suspends an account: its token stops on the next request, and works again after unsuspension', async () => {
    const target = await kith.createUser('wanderer');
    expect((await target.api.get('/api/v1/accounts/verify_credentials')).status).toBe(200);
    const res = await admin.api.post(`/api/v1/kith/admin/accounts/${target.account._id}/suspend`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ suspended: true, suspended_at: expect.any(String) });
    const blocked = await target.api.get('/api/v1/accounts/verify_credentials');
    expect(blocked.status).toBe(403);
    expect(blocked.body).toEqual({ error: 'Your login is currently disabled' });
    expect((await admin.api.get('/api/v1/kith/admin/accounts', { suspended: true })).body.map((a: { id: string }) => a.id)).toEqual([target.account._id]);

    const back = await admin.api.post(`/api/v1/kith/admin/accounts/${target.account._id}/unsuspend`);
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ suspended: false, suspended_at: null });
    expect((await target.api.get('/api/v1/accounts/verify_credentials')).status).toBe(200);
  });

  it('never lets the last admin demote or suspend themself', async () => {
    const solo = await startTestInstance();
    try {
      const only = await solo.createUser('only', { role: 'admin', scopes: ADMIN_SCOPES });
      const demote = await only.api.post(`/api/v1/kith/admin/accounts/${only.account._id}/role`, { role: 'member' });
      expect(demote.status).toBe(403);
      expect(demote.body.error).toMatch(/last admin/);
      expect((await only.api.post(`/api/v1/kith/admin/accounts/${only.account._id}/suspend`)).status).toBe(403);
      expect(await solo.services.accounts.get(only.account._id)).toMatchObject({ role: 'admin', suspended: false });

      const second = await solo.createUser('second', { scopes: ADMIN_SCOPES });
      expect((await only.api.post(`/api/v1/kith/admin/accounts/${second.account._id}/role`, { role: 'admin' })).status).toBe(200);
      const stepDown = await only.api.post(`/api/v1/kith/admin/accounts/${only.account._id}/role`, { role: 'member' });
      expect(stepDown.status).toBe(200);
      expect(stepDown.body.role).toBe('member');
      // Now "second" is the last admin.
      expect((await second.api.post(`/api/v1/kith/admin/accounts/${second.account._id}/suspend`)).status).toBe(403);
      expect((await second.api.post(`/api/v1/kith/admin/accounts/${second.account._id}/role`, { role: 'connector' })).status).toBe(403);
      expect((await solo.services.accounts.get(second.account._id)).role).toBe('admin');
      // The ex-admin's token no longer opens admin routes.
      expect((await only.api.get('/api/v1/kith/admin/accounts')).status).toBe(403);
    } finally {
      await solo.close();
    }
  });
});

// The analytics settings over real HTTP: admins read and change them; others are refused; bad input is a 422
// that changes nothing; the achievements switch follows a change at once in this process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';

const PATH = '/api/v1/kith/admin/analytics/settings';
let kith: TestInstance;
let admin: TestUser;
let member: TestUser;
let connector: TestUser;

beforeAll(async () => {
  kith = await startTestInstance({ USAGE_RETENTION_DAYS: '90' });
  admin = await kith.createUser('boss', { role: 'admin', scopes: ['read', 'write', 'admin:read', 'admin:write'] });
  member = await kith.createUser('member', { scopes: ['read', 'write', 'admin:read', 'admin:write'] });
  connector = await kith.createUser('conn', { role: 'connector', scopes: ['read', 'write', 'admin:read', 'admin:write'] });
});

afterAll(async () => {
  await kith?.close();
});

describe('analytics settings', () => {
  it('starts from the configuration: USAGE_RETENTION_DAYS, achievements on', async () => {
    const res = await admin.api.get(PATH);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ retention_days: 90, achievements_enabled: true });
  });

  it('lets an admin change one setting at a time; the change holds', async () => {
    expect(await kith.services.analyticsSettings.achievementsEnabled()).toBe(true);
    let res = await admin.api.put(PATH, { achievements_enabled: false });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ retention_days: 90, achievements_enabled: false });
    // The cached switch is dropped on update.
    expect(await kith.services.analyticsSettings.achievementsEnabled()).toBe(false);
    res = await admin.api.put(PATH, { retention_days: 30 });
    expect(res.body).toEqual({ retention_days: 30, achievements_enabled: false });
    expect((await admin.api.get(PATH)).body).toEqual({ retention_days: 30, achievements_enabled: false });
    res = await admin.api.put(PATH, { retention_days: 3650, achievements_enabled: true });
    expect(res.body).toEqual({ retention_days: 3650, achievements_enabled: true });
    res = await admin.api.put(PATH, { retention_days: 7 });
    expect(res.body).toEqual({ retention_days: 7, achievements_enabled: true });
  });

  it('refuses members and connectors (403), and callers without admin scopes', async () => {
    for (const user of [member, connector]) {
      expect((await user.api.get(PATH)).status).toBe(403);
      expect((await user.api.put(PATH, { retention_days: 10 })).status).toBe(403);
    }
    const plainAdmin = kith.api.withToken(await kith.services.oauth.issuePersonalToken(admin.account._id, ['read', 'write']));
    expect((await plainAdmin.get(PATH)).status).toBe(403);
    expect((await plainAdmin.put(PATH, { retention_days: 10 })).status).toBe(403);
    expect((await kith.api.get(PATH)).status).toBe(401);
    expect((await admin.api.get(PATH)).body).toEqual({ retention_days: 7, achievements_enabled: true });
  });

  it('answers 422 to bad settings and changes nothing', async () => {
    const bodies: unknown[] = [
      { retention_days: 6 }, { retention_days: 3651 }, { retention_days: 'abc' }, { retention_days: 30.5 }, { retention_days: null },
      { achievements_enabled: 'yes' }, { retention_days: 30, extra: true }, {},
    ];
    for (const body of bodies) {
      const res = await admin.api.put(PATH, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.error).toMatch(/^Validation failed/);
      expect((await admin.api.get(PATH)).body).toEqual({ retention_days: 7, achievements_enabled: true });
    }
    expect((await admin.api.request('PUT', PATH)).status).toBe(422);
    expect((await admin.api.get(PATH)).body).toEqual({ retention_days: 7, achievements_enabled: true });
  });
});

// The adoption analytics API over real HTTP: who may see what, bad periods and filters refused, the CSV
// export (formula-safe), marking leaders, and activation counted in bulk as the checklist counts it.
// The figures themselves: adoption-metrics.test.ts (definitions) and server/test/analytics (60 days).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';
import { ONBOARDING_STEPS } from '../onboarding/onboarding.service.ts';
import { addDays } from './adoption-metrics.ts';

const ADMIN_SCOPES = ['read', 'write', 'follow', 'push', 'admin:read', 'admin:write'];

let kith: TestInstance;
let admin: TestUser;
let connector: TestUser;
let member: TestUser;
let mallory: TestUser;
// Fixed days far from now: the usage hook records the test's own requests on the real day, which is in none
// of these periods, so neither the hour the suite runs at nor midnight UTC passing mid-run changes a figure.
/** The recorded events (mallory's post, staff's read); the dashboard's period ends the day after. */
const ACTIVE_DAY = '2099-01-09';
const PERIOD_END = addDays(ACTIVE_DAY, 1);
/** The admin's last recorded day, after the period: their last_active whatever the real day is. */
const CHIEF_DAY = '2099-02-01';
/** Everyone is registered by then and nobody has acted. */
const NOBODY_ACTIVE = '2099-06-01';
/** Nobody was registered yet. */
const BEFORE_ANYONE = '2020-01-01';

beforeAll(async () => {
  kith = await startTestInstance();
  admin = await kith.createUser('chief', { role: 'admin', scopes: ADMIN_SCOPES });
  connector = await kith.createUser('linker', { role: 'connector', scopes: ADMIN_SCOPES });
  member = await kith.createUser('staff', { scopes: ADMIN_SCOPES });
  mallory = await kith.createUser('mallory');
  expect((await mallory.api.patch('/api/v1/accounts/update_credentials', { department: '=cmd()' })).status).toBe(200);
  kith.services.usage.record({ accountId: mallory.account._id, department: '=cmd()', feature: 'post', client: '@evil', device: 'desktop', at: new Date(`${ACTIVE_DAY}T10:00:00Z`) });
  kith.services.usage.record({ accountId: member.account._id, department: '', feature: 'read', client: 'Web', device: 'mobile', at: new Date(`${ACTIVE_DAY}T11:00:00Z`) });
  kith.services.usage.record({ accountId: admin.account._id, department: '', feature: 'read', client: 'Web', device: 'desktop', at: new Date(`${CHIEF_DAY}T09:00:00Z`) });
  await kith.services.usage.flush();
});

afterAll(async () => {
  await kith?.close();
});

const period = { from: addDays(PERIOD_END, -6), to: PERIOD_END };

describe('who may see adoption analytics', () => {
  it('connectors and admins see the dashboard and the CSV; members get 403, anonymous callers 401', async () => {
    for (const viewer of [connector, admin]) {
      expect((await viewer.api.get('/api/v1/kith/analytics', period)).status).toBe(200);
      expect((await viewer.api.get('/api/v1/kith/analytics/export.csv', period)).status).toBe(200);
    }
    for (const path of ['/api/v1/kith/analytics', '/api/v1/kith/analytics/export.csv', '/api/v1/kith/analytics/inactive']) {
      const denied = await member.api.get(path, period);
      expect(denied.status, path).toBe(403);
      expect((await kith.api.get(path, period)).status, path).toBe(401);
    }
  });

  it('only admins see inactive accounts by name (connectors 403, even with admin scopes)', async () => {
    expect((await connector.api.get('/api/v1/kith/analytics/inactive', period)).status).toBe(403);
    // Nobody has acted in mid-2099; everyone is registered by then (nobody was, in 2020).
    expect((await admin.api.get('/api/v1/kith/analytics/inactive', { from: BEFORE_ANYONE, to: BEFORE_ANYONE })).body).toEqual([]);
    const res = await admin.api.get('/api/v1/kith/analytics/inactive', { from: NOBODY_ACTIVE, to: NOBODY_ACTIVE });
    expect(res.status).toBe(200);
    expect(res.body.map((a: { username: string }) => a.username)).toEqual(['chief', 'linker', 'mallory', 'staff']);
    expect(res.body[0]).toEqual({ id: admin.account._id, username: 'chief', display_name: 'chief', department: '', leader: false, last_active: CHIEF_DAY });
    // An admin token without admin:read cannot read names either.
    const unscoped = await kith.createUser('plainadmin', { role: 'admin' });
    expect((await unscoped.api.get('/api/v1/kith/analytics/inactive', period)).status).toBe(403);
    expect((await unscoped.api.get('/api/v1/kith/analytics', period)).status).toBe(200);
  });

  it('a suspended connector is refused', async () => {
    const gone = await kith.createUser('goneconnector', { role: 'connector' });
    await kith.services.accounts.setSuspended(gone.account._id, true);
    expect([401, 403]).toContain((await gone.api.get('/api/v1/kith/analytics', period)).status);
  });
});

describe('bad periods and filters', () => {
  const cases: [string, Record<string, string>, number][] = [
    ['from after to', { from: '2025-03-02', to: '2025-03-01' }, 422],
    ['a day that does not exist', { from: '2025-02-30', to: '2025-03-01' }, 422],
    ['a to that does not exist', { to: '2025-13-01' }, 422],
    ['not a date', { from: 'yesterday' }, 422],
    ['a date with a time', { from: '2025-03-01T00:00:00Z' }, 422],
    ['367 days', { from: '2024-03-01', to: '2025-03-02' }, 422],
    ['a department of 101 characters', { department: 'x'.repeat(101) }, 422],
    ['an unknown parameter', { bogus: '1' }, 400],
  ];
  for (const [label, query, status] of cases) {
    it(`refuses ${label} with ${status}`, async () => {
      const res = await connector.api.get('/api/v1/kith/analytics', query);
      expect(res.status).toBe(status);
      expect(typeof res.body.error).toBe('string');
      expect((await connector.api.get('/api/v1/kith/analytics/export.csv', query)).status).toBe(status);
      expect((await admin.api.get('/api/v1/kith/analytics/inactive', query)).status).toBe(status);
    });
  }

  it('accepts 366 days, a 100-character department and a one-day period', async () => {
    const year = await connector.api.get('/api/v1/kith/analytics', { from: '2024-03-02', to: '2025-03-02' });
    expect(year.status).toBe(200);
    expect(year.body.daily).toHaveLength(366);
    const long = await connector.api.get('/api/v1/kith/analytics', { department: 'x'.repeat(100) });
    expect(long.status).toBe(200);
    expect(long.body.summary.registered).toBe(0);
    expect((await connector.api.get('/api/v1/kith/analytics', { from: PERIOD_END, to: PERIOD_END })).body.daily).toHaveLength(1);
  });

  it('refuses an unknown CSV table', async () => {
    expect((await connector.api.get('/api/v1/kith/analytics/export.csv', { table: 'people' })).status).toBe(400);
  });
});

describe('CSV export', () => {
  it('has a header and the rows of the JSON, daily by default, as an attachment', async () => {
    const [json, csv] = await Promise.all([connector.api.get('/api/v1/kith/analytics', period), connector.api.get('/api/v1/kith/analytics/export.csv', period)]);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="kith-adoption-daily-${period.from}-${period.to}.csv"`);
    const lines = (csv.body as string).split('\r\n');
    expect(lines.pop()).toBe('');
    expect(lines).toEqual(['day,dau,wau,mau,registered,events', ...json.body.daily.map((d: Record<string, unknown>) => [d.day, d.dau, d.wau, d.mau, d.registered, d.events].join(','))]);
    expect(lines.find((l) => l.startsWith(ACTIVE_DAY))).toMatch(new RegExp(`^${ACTIVE_DAY},2,2,2,\\d+,2$`));
  });

  it('neutralizes cells that would be formulas', async () => {
    const departments = await connector.api.get('/api/v1/kith/analytics/export.csv', { ...period, table: 'departments' });
    expect(departments.body).toContain("\r\n'=cmd(),1,1,0,1,1,1,0,0,1\r\n");
    expect(departments.body).not.toMatch(/(^|\r\n)=cmd/);
    const clients = await connector.api.get('/api/v1/kith/analytics/export.csv', { ...period, table: 'clients' });
    expect((clients.body as string).split('\r\n')).toContain("'@evil,1,1");
    const json = await connector.api.get('/api/v1/kith/analytics', period);
    expect(json.body.departments.map((d: { department: string }) => d.department)).toEqual(['', '=cmd()']);
  });
});

describe('leaders', () => {
  const leaderOf = async (id: string) => (await kith.services.accounts.get(id)).leader;

  it('an admin marks and unmarks a leader; the dashboard counts them', async () => {
    const res = await admin.api.put(`/api/v1/kith/admin/accounts/${mallory.account._id}/leader`, { leader: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: mallory.account._id, username: 'mallory', leader: true });
    expect(await leaderOf(mallory.account._id)).toBe(true);
    const figures = await connector.api.get('/api/v1/kith/analytics', period);
    expect(figures.body.leaders).toEqual({ leaders: 1, active: 1, active_share: 1, posts: expect.any(Number), replies: 0 });
    expect(figures.body.leaders.posts).toBeGreaterThanOrEqual(1);
    const inactive = await admin.api.get('/api/v1/kith/analytics/inactive', { from: NOBODY_ACTIVE, to: NOBODY_ACTIVE, department: '=cmd()' });
    // The recorded post is mallory's latest day (her real requests are on an earlier, real day).
    expect(inactive.body).toEqual([{ id: mallory.account._id, username: 'mallory', display_name: 'mallory', department: '=cmd()', leader: true, last_active: ACTIVE_DAY }]);
    const off = await admin.api.put(`/api/v1/kith/admin/accounts/${mallory.account._id}/leader`, { leader: false });
    expect(off.body.leader).toBe(false);
    expect(await leaderOf(mallory.account._id)).toBe(false);
  });

  it('refuses non-admins, unknown, remote and department accounts, and bad bodies, changing nothing', async () => {
    const target = member.account._id;
    expect((await member.api.put(`/api/v1/kith/admin/accounts/${target}/leader`, { leader: true })).status).toBe(403);
    expect((await connector.api.put(`/api/v1/kith/admin/accounts/${target}/leader`, { leader: true })).status).toBe(403);
    expect((await kith.api.put(`/api/v1/kith/admin/accounts/${target}/leader`, { leader: true })).status).toBe(401);
    expect((await admin.api.put('/api/v1/kith/admin/accounts/999999999/leader', { leader: true })).status).toBe(404);
    const department = await kith.services.departments.departmentAccount();
    expect((await admin.api.put(`/api/v1/kith/admin/accounts/${department._id}/leader`, { leader: true })).status).toBe(404);
    const remoteId = await kith.services.accounts.upsertRemote({
      uri: 'https://elsewhere.example/users/rem', url: null, host: 'elsewhere.example', username: 'rem', displayName: 'Rem', noteHtml: '', title: '',
      department: '', location: '', fields: [], locked: false, bot: false, avatarUrl: null, headerUrl: null,
      inboxUrl: 'https://elsewhere.example/users/rem/inbox', sharedInboxUrl: null, followersUrl: null,
    });
    expect((await admin.api.put(`/api/v1/kith/admin/accounts/${remoteId}/leader`, { leader: true })).status).toBe(404);
    for (const body of [{}, { leader: 'yes' }, { leader: 1 }, { leader: true, role: 'admin' }]) {
      expect((await admin.api.put(`/api/v1/kith/admin/accounts/${target}/leader`, body)).status, JSON.stringify(body)).toBe(400);
    }
    expect(await leaderOf(target)).toBeUndefined();
    expect((await kith.services.accounts.get(department._id)).leader).toBeUndefined();
    expect((await kith.services.accounts.get(remoteId)).leader).toBeUndefined();
    expect((await kith.services.accounts.get(target)).role).toBe('member');
  });
});

describe('activation in bulk', () => {
  it('finishedAmong agrees with each checklist', async () => {
    const people = await Promise.all(['fin_hand', 'fin_real', 'half', 'none'].map((u) => kith.createUser(u)));
    const [byHand, real, half] = people as [TestUser, TestUser, TestUser, TestUser];
    await kith.services.onboarding.complete(byHand.account._id, [...ONBOARDING_STEPS]);
    // Done by what the account shows: a bio, a follow, the department followed, a post.
    const department = await kith.services.departments.departmentAccount();
    await real.api.patch('/api/v1/accounts/update_credentials', { note: 'Hello' });
    await real.api.post(`/api/v1/accounts/${department._id}/follow`);
    await real.api.post(`/api/v1/accounts/${half.account._id}/follow`);
    await real.api.post('/api/v1/statuses', { status: 'first' });
    await half.api.post('/api/v1/statuses', { status: 'first' });
    await kith.services.onboarding.complete(half.account._id, ['profile', 'follow_colleagues']);
    await kith.idle();
    const ids = [...people.map((p) => p.account._id), admin.account._id, 'unknown-id'];
    const one = new Set<string>();
    for (const p of people) if ((await kith.services.onboarding.state(p.account._id)).finished) one.add(p.account._id);
    expect(one).toEqual(new Set([byHand.account._id, real.account._id]));
    expect(await kith.services.onboarding.finishedAmong(ids)).toEqual(one);
    expect(await kith.services.onboarding.finishedAmong([])).toEqual(new Set());
  });
});

// Issue 6's generated-usage test on one instance: 200 accounts in 5 departments, 60 simulated days of
// usage written through the recorder; the dashboard API must return exactly what is computed
// independently from the raw events (generated-usage.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../harness.ts';
import { addDays, expectedDashboard, expectedInactive, factsOf, planUsage, seedUsage, type ExpectedAccount, type UsagePlan } from './generated-usage.ts';
import type { UsagePeriod } from '../../src/analytics/usage.types.ts';

let kith: TestInstance;
let admin: TestUser;
let connector: TestUser;
let plan: UsagePlan;
let accounts: ExpectedAccount[];
/** Checked to give the population the first test asks for (not every day does: 5 distinct MAU shares). */
const PLAN_LAST_DAY = '2026-11-30';

/** Rounds every non-integer to 12 decimals, so ratios compare as toBeCloseTo(…, 12) and integers exactly. */
function close(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? value : Math.round(value * 1e12) / 1e12;
  if (Array.isArray(value)) return value.map(close);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, close(v)]));
  return value;
}

beforeAll(async () => {
  kith = await startTestInstance({ INSTANCE_NAME: 'Acme' });
  admin = await kith.createUser('boss', { role: 'admin', scopes: ['read', 'write', 'admin:read', 'admin:write'] });
  connector = await kith.createUser('conn', { role: 'connector' });
  await kith.createUser('member');
  // A fixed past last day: the plan (its weekends, hence every figure) never depends on the day the suite runs.
  plan = planUsage({ lastDay: PLAN_LAST_DAY });
  await seedUsage(kith, plan);
  // Every local person: the test's own accounts were created today, after the last simulated day.
  const own = (await kith.services.accounts.listLocal()).filter((a) => !plan.accounts.some((p) => p.id === a._id));
  accounts = [...plan.accounts, ...own.map((a) => factsOf(a))];
}, 240_000);

afterAll(async () => {
  await kith?.close();
});

describe('the generated population', () => {
  it('is what the issue asks for, and makes the figures vary', () => {
    expect(plan.accounts).toHaveLength(200);
    expect(new Set(plan.accounts.map((a) => a.department)).size).toBe(5);
    expect(plan.events.length).toBeGreaterThan(8_000);
    expect(plan.events.length).toBeLessThan(25_000);
    expect(plan.accounts.filter((a) => a.leader).length).toBeGreaterThan(5);
    const full = expectedDashboard(accounts, plan.events, { from: plan.firstDay, to: plan.lastDay }, null);
    // registered(d) grows over the period; some features are underused, some not.
    expect(full.daily[0]!.registered).toBeLessThan(full.daily[59]!.registered);
    expect(full.features.some((f) => f.underused)).toBe(true);
    expect(full.features.some((f) => !f.underused && f.feature === 'post')).toBe(true);
    expect(full.clients.map((c) => c.client)).toContain('Tusky');
    expect(full.cross_instance.cross_follows).toBeGreaterThan(0);
    expect(full.summary.activated).toBeGreaterThan(0);
    expect(full.summary.activated).toBeLessThan(full.summary.registered);
    expect(full.leaders.active).toBeGreaterThan(0);
    expect(new Set(full.departments.map((d) => d.mau_share)).size).toBe(5);
  });
});

describe('GET /api/v1/kith/analytics equals the independent computation', () => {
  const periods = (): [string, UsagePeriod, string | null][] => [
    ['the whole 60 days', { from: plan.firstDay, to: plan.lastDay }, null],
    ['30 days', { from: addDays(plan.lastDay, -29), to: plan.lastDay }, null],
    ['7 days ending mid-run', { from: addDays(plan.lastDay, -26), to: addDays(plan.lastDay, -20) }, null],
    ['30 days of Support', { from: addDays(plan.lastDay, -29), to: plan.lastDay }, 'Support'],
    ['the whole 60 days of Legal', { from: plan.firstDay, to: plan.lastDay }, 'Legal'],
  ];

  it('for connectors and admins, every period and filter', async () => {
    for (const [label, period, department] of periods()) {
      const expected = close(expectedDashboard(accounts, plan.events, period, department));
      for (const viewer of [connector, admin]) {
        const query: Record<string, string> = { from: period.from, to: period.to };
        if (department !== null) query.department = department;
        const res = await viewer.api.get('/api/v1/kith/analytics', query);
        expect(res.status, label).toBe(200);
        expect(close(res.body), `${label} as ${viewer.account.username}`).toEqual(expected);
      }
    }
  });

  it('defaults to the 30 days ending today', async () => {
    // The server's "today" is the day before or after the request (midnight UTC may pass while it runs).
    const before = new Date().toISOString().slice(0, 10);
    const res = await connector.api.get('/api/v1/kith/analytics');
    const after = new Date().toISOString().slice(0, 10);
    expect(res.status).toBe(200);
    const candidates = [...new Set([before, after])].map((today) => ({ from: addDays(today, -29), to: today }));
    expect(candidates).toContainEqual(res.body.period);
    expect(res.body.daily).toHaveLength(30);
  });

  it('lists the inactive accounts by name to admins', async () => {
    for (const [period, department] of [[{ from: addDays(plan.lastDay, -6), to: plan.lastDay }, null], [{ from: addDays(plan.lastDay, -29), to: plan.lastDay }, 'Finance']] as const) {
      const query: Record<string, string> = { ...period };
      if (department !== null) query.department = department;
      const res = await admin.api.get('/api/v1/kith/analytics/inactive', query);
      expect(res.status).toBe(200);
      const expected = expectedInactive(accounts, plan.events, period, department);
      expect(expected.length).toBeGreaterThan(0);
      expect(res.body).toEqual(expected);
    }
  });

  it('exports the departments table as CSV matching the JSON', async () => {
    const period = { from: addDays(plan.lastDay, -29), to: plan.lastDay };
    const [json, csv] = await Promise.all([
      connector.api.get('/api/v1/kith/analytics', period),
      connector.api.get('/api/v1/kith/analytics/export.csv', { ...period, table: 'departments' }),
    ]);
    expect(csv.status).toBe(200);
    const lines = (csv.body as string).trimEnd().split('\r\n');
    expect(lines[0]).toBe('department,registered,active,dau,wau,mau,mau_share,activated,activation_share,events');
    expect(lines.slice(1)).toEqual(json.body.departments.map((d: Record<string, unknown>) => Object.values(d).join(',')));
  });
});

// Adoption analytics in a real browser (issue 6, web): an instance with a month of generated usage in three
// departments (server/test/analytics/generated-usage.ts, written through the instance's usage recorder). A
// connector opens the dashboard at desktop and phone widths: the summary figures are the API's, the line
// chart draws DAU, WAU and MAU, departments and features have bars, the department filter changes the figures
// and the URL, and a CSV link downloads the table. An admin sees the inactive accounts (a connector does not),
// a member is refused; the admin's settings card validates and saves the retention, marks a leader; a first
// post earns an achievement on the profile, which disappears when an admin switches achievements off.
// The period ends yesterday: today's figures move while the test's own requests are recorded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import type { TestInstance, TestUser } from '../../../server/test/harness.ts';
import { planUsage, seedUsage, type UsagePlan } from '../../../server/test/analytics/generated-usage.ts';
import { launchBrowser, screenshotBothSizes, SIZES, startWebInstance, type Browser } from './browser.ts';

const PASSWORD = 'correct horse battery'; // the harness's default
// The browser reads English (en-US): the page's numbers are formatted as these are.
const count = (value: number) => new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(value);
const share = (value: number) => new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 }).format(value);

let kith: TestInstance;
let admin: TestUser;
let connector: TestUser;
let member: TestUser;
let plan: UsagePlan;
let browser: Browser;
let dashboardPath: string;

interface Summary {
  registered: number; dau: number; wau: number; mau: number; dau_share: number; wau_share: number; mau_share: number;
  average_dau: number; stickiness: number; activated: number; activation_share: number; events: number;
}

beforeAll(async () => {
  kith = await startWebInstance();
  admin = await kith.createUser('ana_admin', { role: 'admin', displayName: 'Ana Admin', scopes: ['read', 'write', 'admin:read', 'admin:write'] });
  connector = await kith.createUser('cora_connector', { role: 'connector', displayName: 'Cora Connector' });
  member = await kith.createUser('max_member', { displayName: 'Max Member' });
  plan = planUsage({
    days: 30,
    seed: 11,
    departments: [
      { name: 'Sales', accounts: 8, activity: 0.6 },
      { name: 'Support', accounts: 6, activity: 0.35 },
      { name: 'Legal', accounts: 5, activity: 0.1 },
    ],
  });
  await seedUsage(kith, plan);
  dashboardPath = `/analytics?from=${plan.firstDay}&to=${plan.lastDay}`;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await kith?.close();
});

/** Signs `username` in (cookies cleared first) and opens `path`. */
async function signedIn(username: string, path: string): Promise<Page> {
  await browser.context.clearCookies();
  const page = await browser.newPage();
  await page.setViewportSize(SIZES.desktop);
  await page.goto(`${kith.url}/signin?next=${encodeURIComponent(path)}`);
  await page.getByLabel('Username or email').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  return page;
}

async function dashboard(user: TestUser, department?: string): Promise<{ summary: Summary; departments: { department: string }[]; features: { underused: boolean }[]; daily: unknown[] }> {
  const response = await user.api.get('/api/v1/kith/analytics', { from: plan.firstDay, to: plan.lastDay, ...(department === undefined ? {} : { department }) });
  expect(response.status).toBe(200);
  return response.body;
}

/** The summary card named `name`: its big figure and its second line. */
function card(page: Page, name: string) {
  const item = page.getByRole('list', { name: 'Summary' }).getByRole('listitem').filter({ has: page.getByRole('heading', { name, exact: true }) });
  return { value: item.locator('.value'), share: item.locator('.share') };
}

/** The cards show exactly the API's summary (as the page formats it). */
async function expectSummary(page: Page, summary: Summary): Promise<void> {
  const wanted: [string, string, string][] = [
    ['Daily active', count(summary.dau), `${share(summary.dau_share)} of registered`],
    ['Weekly active', count(summary.wau), `${share(summary.wau_share)} of registered`],
    ['Monthly active', count(summary.mau), `${share(summary.mau_share)} of registered`],
    ['Activation', share(summary.activation_share), `${count(summary.activated)} of ${count(summary.registered)} registered`],
    ['Stickiness', share(summary.stickiness), `active on an average day`],
    ['Actions', count(summary.events), 'in the period'],
  ];
  for (const [name, value, second] of wanted) {
    await expect.poll(() => card(page, name).value.textContent(), { message: name }).toBe(value);
    expect(await card(page, name).share.textContent(), name).toContain(second);
  }
}

describe('the adoption dashboard', () => {
  it('shows a connector the API’s figures, charts and bars, filters by department in the URL, and exports CSV', async () => {
    const all = await dashboard(connector);
    expect(all.summary.mau).toBeGreaterThan(0);
    const page = await signedIn('cora_connector', dashboardPath);
    // The connector has the screen in the navigation.
    expect(await page.getByRole('link', { name: 'Adoption' }).count()).toBe(1);
    await page.getByRole('heading', { name: 'Adoption', level: 1 }).waitFor();
    await expectSummary(page, all.summary);

    // DAU, WAU and MAU: three lines; bars for every department (two each) and every feature.
    const lines = page.getByRole('img', { name: /^Daily, weekly and monthly active people/ });
    expect(await lines.locator('path.series').count()).toBe(3);
    expect(await lines.locator('.hit').count()).toBe(all.daily.length);
    const departmentBars = page.getByRole('img', { name: /^Monthly active share and activation per department/ });
    expect(await departmentBars.locator('rect.bar').count()).toBe(all.departments.length * 2);
    for (const name of ['Sales', 'Support', 'Legal']) expect(await departmentBars.locator(`[data-row="${name}"]`).count()).toBe(1);
    const featureBars = page.getByRole('img', { name: /^Share of active people per feature/ });
    expect(await featureBars.locator('rect.bar').count()).toBe(all.features.length);
    expect(await page.getByRole('note', { name: 'Underused features' }).count()).toBe(all.features.some((f) => f.underused) ? 1 : 0);
    // A connector never sees people by name.
    expect(await page.getByRole('heading', { name: /Inactive accounts/ }).count()).toBe(0);

    // Phone width: the charts shrink to the screen, nothing scrolls sideways.
    await page.setViewportSize(SIZES.phone);
    await expect.poll(async () => (await lines.boundingBox())?.width).toBeLessThanOrEqual(SIZES.phone.width);
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await page.setViewportSize(SIZES.desktop);
    await screenshotBothSizes(page, 'analytics-dashboard');

    // One department: other figures, and the URL keeps the filter.
    const sales = await dashboard(connector, 'Sales');
    expect(sales.summary.registered).not.toBe(all.summary.registered);
    await page.getByRole('combobox', { name: 'Department' }).selectOption('Sales');
    await page.waitForURL(/department=Sales/);
    expect(new URL(page.url()).searchParams.get('from')).toBe(plan.firstDay);
    await expectSummary(page, sales.summary);
    // Opening the shared address shows the same view.
    await page.reload();
    await expectSummary(page, sales.summary);
    expect(await page.getByRole('combobox', { name: 'Department' }).inputValue()).toBe('Sales');

    // The CSV link carries the filter, and the session cookie is enough to download it.
    const link = page.getByRole('link', { name: 'Daily figures (CSV)' });
    expect(await link.getAttribute('href')).toContain('department=Sales');
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const csv = fs.readFileSync(await download.path(), 'utf8').split(/\r?\n/).filter(Boolean);
    expect(csv[0]).toBe('day,dau,wau,mau,registered,events');
    expect(csv).toHaveLength(sales.daily.length + 1);
    await page.close();
  });

  it('shows an admin the inactive accounts with links to their profiles, and refuses a member', async () => {
    const inactive = (await admin.api.get('/api/v1/kith/analytics/inactive', { from: plan.firstDay, to: plan.lastDay })).body as { username: string }[];
    let page = await signedIn('ana_admin', dashboardPath);
    const list = page.getByRole('region', { name: /Inactive accounts/ });
    await list.waitFor();
    await list.getByRole('table').or(list.getByText('Everyone registered was active')).waitFor();
    expect(await list.getByRole('row').count()).toBe(inactive.length === 0 ? 0 : inactive.length + 1);
    for (const account of inactive) expect(await list.locator(`a[href="/@${account.username}"]`).count()).toBe(1);
    await page.close();

    page = await signedIn('max_member', '/analytics');
    await page.getByRole('alert').filter({ hasText: 'Only connectors and admins' }).waitFor();
    expect(await page.getByRole('link', { name: 'Adoption' }).count()).toBe(0);
    expect(await page.getByRole('list', { name: 'Summary' }).count()).toBe(0);
    await page.close();
  });

  it('shows the company view with this instance’s departments side by side, an empty period and a refused one', async () => {
    const page = await signedIn('cora_connector', `/analytics/company?from=${plan.firstDay}&to=${plan.lastDay}`);
    const table = page.getByRole('region', { name: 'Side by side' }).getByRole('table');
    await table.waitFor();
    await table.getByRole('row').filter({ hasText: 'All departments' }).waitFor();
    expect(await page.getByRole('img', { name: /^Monthly active share per department across the company/ }).locator('rect.bar').count()).toBeGreaterThan(0);
    await screenshotBothSizes(page, 'analytics-company');

    // A period without usage says so; a reversed one shows the server's refusal.
    await page.goto(`${kith.url}/analytics?from=2020-01-01&to=2020-01-07`);
    await page.getByRole('heading', { name: 'No usage yet' }).waitFor();
    await page.goto(`${kith.url}/analytics?from=2020-01-07&to=2020-01-01`);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('list', { name: 'Summary' }).count()).toBe(0);
    await page.close();
  });
});

describe('admin settings and achievements', () => {
  it('the settings card refuses a bad retention, saves a good one, and marks a leader', async () => {
    const page = await signedIn('ana_admin', '/admin');
    const settings = page.getByRole('region', { name: 'Analytics' });
    const retention = settings.getByLabel('Keep raw usage events (days)');
    await retention.waitFor();
    await retention.fill('5');
    await settings.getByRole('button', { name: 'Save' }).click();
    await settings.getByRole('alert').filter({ hasText: 'from 7 to 3650' }).waitFor();
    expect(await retention.getAttribute('aria-invalid')).toBe('true');
    expect((await admin.api.get('/api/v1/kith/admin/analytics/settings')).body.retention_days).not.toBe(5);

    await retention.fill('90');
    await settings.getByRole('button', { name: 'Save' }).click();
    await settings.getByText('Saved: raw usage kept 90 days').waitFor();
    expect((await admin.api.get('/api/v1/kith/admin/analytics/settings')).body).toEqual({ retention_days: 90, achievements_enabled: true });

    await page.getByRole('checkbox', { name: 'Leader @max_member' }).check();
    await page.getByText('@max_member is now marked as a leader.').waitFor();
    const accounts = (await admin.api.get('/api/v1/kith/admin/accounts', { limit: 200 })).body as { username: string; leader: boolean }[];
    expect(accounts.find((a) => a.username === 'max_member')?.leader).toBe(true);
    await page.close();
  });

  it('a first post shows as an achievement on the profile, and switching achievements off hides it', async () => {
    expect((await member.api.post('/api/v1/statuses', { status: 'Hello, colleagues', visibility: 'public' })).status).toBe(200);
    await kith.idle();
    let page = await signedIn('max_member', '/@max_member');
    const achievements = page.getByRole('region', { name: 'Achievements' });
    await achievements.getByText('First post', { exact: true }).waitFor();
    expect(await achievements.getByRole('listitem').count()).toBe(1);
    await page.close();

    page = await signedIn('ana_admin', '/admin');
    const settings = page.getByRole('region', { name: 'Analytics' });
    await settings.getByLabel('Show achievements on profiles').uncheck();
    await settings.getByRole('button', { name: 'Save' }).click();
    await settings.getByText('achievements hidden').waitFor();
    await page.goto(`${kith.url}/@max_member`);
    await page.getByRole('heading', { name: 'Max Member', level: 1 }).waitFor();
    await page.getByRole('region', { name: 'Posts' }).getByText('Hello, colleagues').waitFor();
    expect(await page.getByRole('region', { name: 'Achievements' }).count()).toBe(0);
    await page.close();
  });
});

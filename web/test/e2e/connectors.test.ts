// Connectors in a real browser against real departments (issue 5, web): three instances serving the web app,
// sales linked with eng and with ops (ops' department name is markup). A member proposes posts from the UI
// (on a post and from compose), sales' connector approves one and declines the other in the queue, the news
// shows on eng's Company timeline with its note and path, the proposer sees both fates; the network map draws
// the links (SVG lines and the table); the audit log filters and exports; eng links ops from its queue and
// sets the link's policy. Browsers keep cookies per host, not per port: each sign-in starts from cleared
// cookies. Tests run in order and build on each other. Code run in the page is passed as strings.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { closeDepartments, link, settle, startDepartments, type Department } from '../../../server/test/connectors/departments.ts';
import { launchBrowser, screenshotBothSizes, type Browser } from './browser.ts';

/** Markup that would run or load something if any screen rendered it as HTML. */
const HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
/**
 * Ops' department name as other departments store it: markup as text. Remote names arrive as text (tags
 * stripped, entities decoded), so ops writes it with entities; display names hold at most 30 characters.
 */
const HOSTILE_NAME = '<img src=x onerror=f()>';
const HOSTILE_NAME_SENT = '&lt;img src=x onerror=f()&gt;';
const PASSWORD = 'correct horse battery'; // the harness's default

let sales: Department;
let eng: Department;
let ops: Department;
let all: Department[];
let browser: Browser;

/** Gives `department`'s department actor a hostile display name (before it links: its link carries the name). */
async function renameDepartment(department: Department, displayName: string): Promise<void> {
  const { departments, accounts } = department.instance.services;
  await accounts.updateProfile((await departments.departmentAccount())._id, { displayName });
}

beforeAll(async () => {
  const buildError = inject('webBuildError');
  if (buildError) throw new Error(`the web app could not be built: ${buildError}`);
  const env = { WEB_APP_DIR: inject('webBuildDir') };
  ({ sales, eng, ops } = await startDepartments(['sales', 'eng', 'ops'], env));
  await renameDepartment(ops, HOSTILE_NAME_SENT);
  all = [sales, eng, ops];
  await link(sales, eng, all);
  await link(sales, ops, all);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await closeDepartments({ sales, eng, ops });
});

/** Signs `username` in on `department`'s instance (cookies cleared first) and opens `path`. */
async function signedIn(department: Department, username: string, path: string): Promise<Page> {
  await browser.context.clearCookies();
  const page = await browser.newPage();
  page.on('dialog', (dialog) => void dialog.dismiss());
  await page.goto(`${department.instance.url}/signin?next=${encodeURIComponent(path)}`);
  await page.getByLabel('Username or email').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  return page;
}

/** Nothing hostile ran or loaded on the page. */
async function expectInert(page: Page): Promise<void> {
  expect(await page.evaluate('window.__pwned')).toBeUndefined();
  expect(await page.locator('img[src="x"]').count()).toBe(0);
}

describe('share with company → review queue → company news', () => {
  it('a member proposes, the connector approves and declines in the queue, eng shows the news with its path', async () => {
    const posted = await sales.member.api.post('/api/v1/statuses', { status: 'Quarterly numbers are in #news', visibility: 'public' });
    expect(posted.status).toBe(200);
    await settle(all);

    // The member proposes the post from its card, with a comment for the connectors.
    let page = await signedIn(sales, 'sales_member', '/department');
    const card = page.getByRole('article').filter({ hasText: 'Quarterly numbers are in' });
    await card.getByRole('button', { name: 'Share with company' }).click();
    await card.getByLabel('Why should the company see this?', { exact: false }).fill(`Worth it ${HOSTILE}`);
    await card.getByRole('button', { name: 'Propose', exact: true }).click();
    await card.getByText('Proposed: the connectors will review it.').waitFor();

    // And a second one from compose, with "also propose for the company".
    await page.goto(`${sales.instance.url}/`);
    await page.getByLabel('What’s happening at work?').fill('Canteen menu for next week');
    await page.getByLabel('Also propose for the company').check();
    await page.getByRole('button', { name: 'Post', exact: true }).click();
    await page.getByText('Posted and proposed for the company', { exact: false }).waitFor();
    // A member has no queue in the navigation, and the queue's page says so.
    expect(await page.getByRole('link', { name: 'Connector queue' }).count()).toBe(0);
    await page.close();

    // The connector's queue: both proposals, with the proposer and the comment as text.
    page = await signedIn(sales, 'sales_connector', '/connectors');
    const quarterly = page.getByRole('region', { name: 'Proposed by @sales_member' }).filter({ hasText: 'Quarterly numbers are in' });
    const canteen = page.getByRole('region', { name: 'Proposed by @sales_member' }).filter({ hasText: 'Canteen menu' });
    await quarterly.waitFor();
    await canteen.waitFor();
    expect(await quarterly.getByText(`“Worth it ${HOSTILE}”`).isVisible()).toBe(true);
    await screenshotBothSizes(page, 'connector-queue');

    // Decline needs a reason: without one nothing is sent.
    await canteen.getByRole('button', { name: 'Decline' }).click();
    expect((await sales.connector.api.get('/api/v1/kith/proposals', { state: 'pending' })).body).toHaveLength(2);

    // Approve with the keyboard: type the note, Enter submits it.
    await quarterly.getByLabel('Note for the company (optional)').fill(`Big quarter ${HOSTILE}`);
    await quarterly.getByLabel('Note for the company (optional)').press('Enter');
    await quarterly.getByText('Approved', { exact: false }).waitFor();
    await canteen.getByLabel('Reason for declining').fill(`Not company news ${HOSTILE}`);
    await canteen.getByRole('button', { name: 'Decline' }).click();
    await canteen.getByText('Declined', { exact: false }).waitFor();
    await expectInert(page);
    await page.close();
    await settle(all);

    // The news reached eng: its Company timeline shows it, relayed by sales → eng, with the note as text.
    page = await signedIn(eng, 'eng_member', '/company');
    const feed = page.getByRole('feed', { name: 'Company news' });
    await feed.getByText('Quarterly numbers are in').waitFor();
    expect(await page.getByText('Relayed by sales → eng', { exact: false }).isVisible()).toBe(true);
    expect(await page.getByText(`“Big quarter ${HOSTILE}”`).isVisible()).toBe(true);
    expect(await feed.getByText('Canteen menu').count()).toBe(0);
    await expectInert(page);
    await screenshotBothSizes(page, 'company-news');
    await page.close();

    // The proposer sees both fates: approved with the note, declined with the reason, and by whom.
    page = await signedIn(sales, 'sales_member', '/proposals');
    const mine = page.getByRole('list', { name: 'My proposals' });
    await mine.getByRole('heading', { name: 'Approved' }).waitFor();
    await mine.getByRole('heading', { name: 'Declined' }).waitFor();
    expect(await mine.getByText(`Not company news ${HOSTILE}`).isVisible()).toBe(true);
    expect(await mine.getByText(`Big quarter ${HOSTILE}`).isVisible()).toBe(true);
    expect(await mine.getByText('@sales_connector', { exact: false }).count()).toBe(2);
    await expectInert(page);
    await page.close();
  });

  it('does not offer department-only posts, and shows the server’s refusal of a second proposal', async () => {
    const local = await sales.member.api.post('/api/v1/statuses', { status: 'Department-only lunch', visibility: 'local' });
    expect(local.status).toBe(200);
    const page = await signedIn(sales, 'sales_member', '/department');
    const lunch = page.getByRole('article').filter({ hasText: 'Department-only lunch' });
    await lunch.waitFor();
    expect(await lunch.getByRole('button', { name: 'Share with company' }).count()).toBe(0);

    // The approved post is company news already: the server says so, and the card shows its words.
    const quarterly = page.getByRole('article').filter({ hasText: 'Quarterly numbers are in' });
    await quarterly.getByRole('button', { name: 'Share with company' }).click();
    await quarterly.getByRole('button', { name: 'Propose', exact: true }).click();
    expect(await quarterly.getByRole('alert').textContent()).toBe('This status is company news already');
    const mine = await sales.member.api.get('/api/v1/kith/proposals', { mine: 'true' });
    expect(mine.body).toHaveLength(2);
    await page.close();
  });
});

describe('the network map', () => {
  it('draws the links as SVG lines and lists them in the table, hostile names as text', async () => {
    // Any member sees the map; sales holds both links (ops' name comes with its link).
    const page = await signedIn(sales, 'sales_member', '/network');
    const map = page.getByRole('group', { name: 'Company network map' });
    await map.waitFor();
    const edges = map.getByRole('button', { name: /^Link / });
    await expect.poll(() => edges.count()).toBe(2);
    expect(await map.getByRole('button', { name: /^Link (eng – sales|sales – eng): active, since / }).count()).toBe(1);
    expect(await map.getByRole('button', { name: `Link sales – ${HOSTILE_NAME}: active` }).or(map.getByRole('button', { name: `Link ${HOSTILE_NAME} – sales: active` })).count()).toBe(1);
    expect(await page.locator('svg line.stroke').count()).toBe(2);
    // Three departments, sales highlighted as this one.
    expect(await map.getByRole('button', { name: /^sales \(your department\)/ }).count()).toBe(1);
    expect(await page.locator('g.node.self').count()).toBe(1);
    expect(await map.getByRole('button', { name: /, 127\.0\.0\.1:\d+: / }).count()).toBe(3);

    // Focus on a line shows its details below the picture.
    await edges.first().focus();
    expect(await page.locator('figcaption').textContent()).toMatch(/^Link .+: active/);

    // The accessible alternative: the links table says the same.
    const links = page.getByRole('table', { name: 'Links' });
    expect(await links.getByRole('row').count()).toBe(3); // header + two links
    expect(await links.getByText(`sales – ${HOSTILE_NAME}`).or(links.getByText(`${HOSTILE_NAME} – sales`)).count()).toBe(1);
    const departments = page.getByRole('table', { name: 'Departments' });
    expect(await departments.getByRole('row').count()).toBe(4);
    expect(await departments.getByText(HOSTILE_NAME).count()).toBe(1);
    await expectInert(page);
    await screenshotBothSizes(page, 'network-map');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshotBothSizes(page, 'network-map-dark');
    await page.close();
  });

  it('shows the audit log to the connector, with a CSV link', async () => {
    const page = await signedIn(sales, 'sales_connector', '/audit');
    const table = page.getByRole('table', { name: 'Audit log' });
    await table.waitFor();
    expect(await table.getByRole('cell', { name: 'approved', exact: true }).count()).toBe(1);
    await page.getByLabel('Action').selectOption('declined');
    await expect.poll(() => table.getByRole('row').count()).toBe(2);
    expect(await table.getByText(`Not company news ${HOSTILE}`).isVisible()).toBe(true);
    expect(await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href')).toBe('/api/v1/kith/audit.csv?action=declined');
    // The link works with the session cookie alone (what a click downloads).
    const csv = await page.evaluate<string>("fetch('/api/v1/kith/audit.csv?action=declined').then((r) => r.ok ? r.text() : 'HTTP ' + r.status)");
    expect(csv.split('\n').filter(Boolean)).toHaveLength(2);
    expect(csv).toContain('Not company news');
    await expectInert(page);
    await page.close();
  });
});

describe('linking from the queue', () => {
  it('eng asks ops to link, ops accepts in its queue, eng sets the link’s policy', async () => {
    let page = await signedIn(eng, 'eng_connector', '/connectors');
    await page.getByLabel('Department (name@host or its address)').fill(ops.actorUrl);
    await page.getByRole('button', { name: 'Ask to link' }).click();
    await page.getByText(`Asked ${HOSTILE_NAME} to link`, { exact: false }).waitFor();
    const waiting = page.getByRole('region', { name: HOSTILE_NAME, exact: true });
    expect(await waiting.getByText('Waiting for their connectors', { exact: false }).isVisible()).toBe(true);
    await page.close();
    await settle(all);

    page = await signedIn(ops, 'ops_connector', '/connectors');
    const request = page.getByRole('region', { name: 'eng wants to link' });
    await request.getByRole('button', { name: 'Accept link with eng' }).click();
    await request.getByText('Accepted').waitFor();
    await page.close();
    await settle(all);

    page = await signedIn(eng, 'eng_connector', '/connectors');
    const linked = page.getByRole('region', { name: HOSTILE_NAME, exact: true });
    await linked.getByText('Linked since', { exact: false }).waitFor();
    const policyOf = async () => (((await eng.connector.api.get('/api/v1/kith/links', { state: 'active' })).body as any[]).find((l) => l.department.actor === ops.actorUrl)).policy;

    // A cap that is not a number: a clear message, nothing sent.
    await linked.getByLabel('Daily cap').fill('lots');
    await linked.getByRole('button', { name: 'Save policy' }).click();
    expect(await linked.getByRole('alert').textContent()).toContain('whole number');
    expect(await policyOf()).toEqual({ approval: 'queue', hashtags: [], daily_cap: null });

    await linked.getByLabel('News arriving from them').selectOption('auto');
    await linked.getByLabel('Only with hashtags').fill('#news, #release');
    await linked.getByLabel('Daily cap').fill('5');
    await linked.getByRole('button', { name: 'Save policy' }).click();
    await linked.getByText('Policy saved.').waitFor();
    expect(await policyOf()).toEqual({ approval: 'auto', hashtags: ['news', 'release'], daily_cap: 5 });
    await expectInert(page);
    await page.close();
  });
});

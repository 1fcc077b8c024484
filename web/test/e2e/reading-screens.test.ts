// The reading screens in a real browser against real servers: following a colleague and seeing their post
// arrive live, replying in the thread view, notifications arriving live, profiles here and on a peered
// instance, the people directory and search, hashtag pages, bookmarks, and hostile server strings kept inert
// on every one of these screens. One browser for the file; tests run in order and share the instances.
// Code run in the page is passed as strings (these files are type-checked without the DOM's types).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startTestInstance, type TestInstance, type TestUser } from '../../../server/test/harness.ts';
import { allow, closeAll, hostOf } from '../../../server/test/federation/network.ts';
import { launchBrowser, screenshotBothSizes, startWebInstance, type Browser } from './browser.ts';

let kith: TestInstance;
/** A second instance, peered with the first: where the remote colleague lives. */
let elsewhere: TestInstance;
let browser: Browser;
let ana: TestUser;
let ben: TestUser;
let rita: TestUser;
/** Ana's post that Ben sees arrive live, then answers. */
let anaPostId = '';

beforeAll(async () => {
  [kith, elsewhere] = await Promise.all([startWebInstance(), startTestInstance()]);
  await allow(kith, elsewhere);
  await allow(elsewhere, kith);
  ana = await kith.createUser('ana', { password: 'ana password', displayName: 'Ana Lima' });
  ben = await kith.createUser('ben', { password: 'ben password', displayName: 'Ben Okafor' });
  rita = await elsewhere.createUser('rita', { displayName: 'Rita Remote' });
  await ana.api.patch('/api/v1/accounts/update_credentials', { title: 'Payroll Lead', department: 'Finance', location: 'Porto', note: 'Numbers & people' });
  await rita.api.patch('/api/v1/accounts/update_credentials', {
    title: 'Sales Engineer', department: 'Sales', location: 'Lyon', note: 'Ask me about pricing',
    fields_attributes: [{ name: 'Team', value: 'Key accounts' }],
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await closeAll([kith, elsewhere]);
});

async function signInAs(username: string, password: string): Promise<Page> {
  await browser.context.clearCookies();
  const page = await browser.newPage();
  await page.goto(`${kith.url}/signin`);
  await page.getByLabel('Username or email').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  return page;
}

/** Follows a link of the main navigation. */
async function navigate(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
}

describe('following and live posts', () => {
  it('Ben follows Ana from her profile and her new post appears live on his timelines', async () => {
    const page = await signInAs('ben', 'ben password');
    await navigate(page, 'People');
    await page.getByRole('heading', { name: 'People' }).waitFor();
    const directory = page.getByRole('list', { name: 'Directory' });
    await directory.getByRole('link', { name: 'Ana Lima' }).waitFor();
    await screenshotBothSizes(page, 'people');
    await directory.getByRole('link', { name: 'Ana Lima' }).click();

    await page.getByRole('heading', { name: 'Ana Lima', level: 1 }).waitFor();
    expect(await page.getByText('Payroll Lead · Finance · Porto').isVisible()).toBe(true);
    expect(await page.getByText('Numbers & people').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Follow Ana Lima' }).click();
    await page.getByRole('button', { name: 'Unfollow Ana Lima' }).waitFor();
    await kith.idle();
    expect((await ben.api.get('/api/v1/accounts/relationships', { id: ana.account._id })).body[0].following).toBe(true);
    await screenshotBothSizes(page, 'profile');

    // Home, open in one tab, and Department in another: Ana's post arrives on both without a reload.
    await navigate(page, 'Home');
    const home = page.getByRole('feed', { name: 'Posts' });
    // An empty feed has no height: wait for it to be there, not visible.
    await home.waitFor({ state: 'attached' });
    const department = await browser.newPage();
    await department.goto(`${kith.url}/department`);
    const departmentFeed = department.getByRole('feed', { name: 'Department posts' });
    await departmentFeed.waitFor({ state: 'attached' });
    for (const p of [page, department]) await p.evaluate("document.querySelector('[role=feed]').setAttribute('data-loaded', 'yes')");

    const posted = await ana.api.post('/api/v1/statuses', { status: 'Payroll closes on Friday #payroll' });
    expect(posted.status).toBe(200);
    anaPostId = posted.body.id;
    await home.getByText('Payroll closes on Friday').waitFor();
    await departmentFeed.getByText('Payroll closes on Friday').waitFor();
    expect(await page.getAttribute('[role=feed]', 'data-loaded')).toBe('yes');
    expect(await department.getAttribute('[role=feed]', 'data-loaded')).toBe('yes');
    await screenshotBothSizes(department, 'department');
    await department.close();
    await page.close();
  });

  it('holds new posts behind a "new posts" button while the reader is scrolled down', async () => {
    for (let i = 0; i < 12; i++) await ana.api.post('/api/v1/statuses', { status: `Filler post ${i}` });
    await kith.idle();
    const page = await signInAs('ben', 'ben password');
    await page.goto(`${kith.url}/department`);
    const feed = page.getByRole('feed', { name: 'Department posts' });
    await feed.getByText('Filler post 11').waitFor();
    await page.evaluate('window.scrollTo(0, 400)');
    await expect.poll(() => page.evaluate<number>('window.scrollY')).toBe(400);
    await ana.api.post('/api/v1/statuses', { status: 'Arrived while reading' });
    const button = page.getByRole('button', { name: '1 new post' });
    await button.waitFor();
    // Not inserted yet, and the reader's place is kept.
    expect(await feed.getByText('Arrived while reading').count()).toBe(0);
    expect(await page.evaluate<number>('window.scrollY')).toBe(400);
    await button.click();
    await feed.getByText('Arrived while reading').waitFor();
    await page.close();
  });
});

describe('thread view', () => {
  it('shows a reply written from the thread below the post', async () => {
    const page = await signInAs('ben', 'ben password');
    await page.goto(`${kith.url}/@ana/${anaPostId}`);
    const post = page.getByRole('region', { name: 'The post' });
    await post.getByText('Payroll closes on Friday').waitFor();
    await post.getByRole('button', { name: /^Reply/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Your reply').fill('@ana Thanks for the reminder');
    await dialog.getByRole('button', { name: 'Reply' }).click();
    const replies = page.getByRole('feed', { name: 'Replies' });
    await replies.getByText('Thanks for the reminder').waitFor();
    // The server has it as a reply to Ana's post.
    const context = await ben.api.get(`/api/v1/statuses/${anaPostId}/context`);
    expect(context.body.descendants.map((s: { content: string }) => s.content).join()).toContain('Thanks for the reminder');
    // A reload shows the same thread from the server.
    await page.reload();
    await page.getByRole('feed', { name: 'Replies' }).getByText('Thanks for the reminder').waitFor();
    await screenshotBothSizes(page, 'thread');

    // Actions: favourite and bookmark the post, then find it under Bookmarks.
    const favourite = page.getByRole('region', { name: 'The post' }).getByRole('button', { name: /^Favourite/ });
    await favourite.click();
    await expect.poll(() => favourite.getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('region', { name: 'The post' }).getByRole('button', { name: /^Bookmark/ }).click();
    await expect.poll(async () => (await ben.api.get('/api/v1/bookmarks')).body.length).toBe(1);
    await navigate(page, 'Bookmarks');
    await page.getByRole('feed', { name: 'Bookmarked posts' }).getByText('Payroll closes on Friday').waitFor();
    await screenshotBothSizes(page, 'bookmarks');
    await page.close();
  });
});

describe('notifications', () => {
  it('Ana sees her notifications, and a new one arrives live and is marked read', async () => {
    const page = await signInAs('ana', 'ana password');
    await navigate(page, 'Notifications');
    const list = page.getByRole('list', { name: 'Notifications' });
    await list.getByText('followed you').waitFor();
    await list.getByText('mentioned you').first().waitFor();
    expect(await list.getByText('New', { exact: true }).count()).toBeGreaterThan(0);

    const boosted = await ben.api.post(`/api/v1/statuses/${anaPostId}/reblog`, {});
    expect(boosted.status).toBe(200);
    await list.getByText('boosted your post').waitFor();
    await screenshotBothSizes(page, 'notifications');
    // The marker moved to the newest notification shown.
    const newest = (await ana.api.get('/api/v1/notifications', { limit: 1 })).body[0].id;
    await expect.poll(async () => (await ana.api.get('/api/v1/markers', { 'timeline[]': 'notifications' })).body.notifications?.last_read_id).toBe(newest);
    await page.close();
  });
});

describe('a colleague on another instance', () => {
  it('renders the remote profile and finds it by handle in People', async () => {
    const handle = `rita@${hostOf(elsewhere)}`;
    const page = await signInAs('ben', 'ben password');
    await page.goto(`${kith.url}/@${handle}`);
    await page.getByRole('heading', { name: 'Rita Remote', level: 1 }).waitFor();
    expect(await page.getByText(`@${handle}`).first().isVisible()).toBe(true);
    expect(await page.getByText('Sales Engineer · Sales · Lyon').isVisible()).toBe(true);
    expect(await page.getByText('Ask me about pricing').isVisible()).toBe(true);
    expect(await page.getByText('Key accounts').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Follow Rita Remote' }).waitFor();
    await screenshotBothSizes(page, 'profile-remote');

    await page.goto(`${kith.url}/people`);
    await page.getByLabel('Find colleagues').fill(handle);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('list', { name: 'Search results' }).getByRole('link', { name: 'Rita Remote' }).waitFor();
    await page.close();
  });
});

describe('hashtags and company news', () => {
  it('shows a hashtag timeline that updates live, and the company timeline', async () => {
    const page = await signInAs('ben', 'ben password');
    await page.goto(`${kith.url}/tags/payroll`);
    await page.getByRole('heading', { name: '#payroll' }).waitFor();
    const feed = page.getByRole('feed', { name: 'Posts tagged #payroll' });
    await feed.getByText('Payroll closes on Friday').waitFor();
    await ana.api.post('/api/v1/statuses', { status: 'Payslips are out #payroll' });
    await feed.getByText('Payslips are out').waitFor();
    await screenshotBothSizes(page, 'tag');

    await navigate(page, 'Company');
    await page.getByRole('heading', { name: 'Company news' }).waitFor();
    await page.getByText('No company news yet.').waitFor();
    await screenshotBothSizes(page, 'company');
    await page.close();
  });
});

describe('hostile HTML', () => {
  it('stays inert on profiles, threads, people, hashtags, notifications, bookmarks and timelines', async () => {
    const bad = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    // Display names are at most 30 characters.
    const badName = '<img src=x onerror=f()>Mal';
    const hostile = await kith.createUser('mallory', { displayName: badName });
    await hostile.api.patch('/api/v1/accounts/update_credentials', {
      title: bad, department: `<b>Dept</b>${bad}`, location: bad, note: `${bad} note`,
      fields_attributes: [{ name: bad, value: `<a href="javascript:window.__pwned=3">x</a>` }],
    });
    await hostile.api.post(`/api/v1/accounts/${ana.account._id}/follow`, {});
    const hostilePost = await hostile.api.post('/api/v1/statuses', {
      status: `@ana ${bad} <a href="javascript:window.__pwned=4">click</a> #payroll`,
      spoiler_text: bad,
    });
    expect(hostilePost.status).toBe(200);
    await hostile.api.post('/api/v1/statuses', { status: `Reply ${bad}`, in_reply_to_id: hostilePost.body.id });
    await ana.api.post(`/api/v1/statuses/${hostilePost.body.id}/bookmark`, {});
    await kith.idle();

    const page = await signInAs('ana', 'ana password');
    const screens = ['/@mallory', `/@mallory/${hostilePost.body.id}`, '/people', '/people?q=mallory', '/tags/payroll', '/notifications', '/bookmarks', '/department'];
    for (const screen of screens) {
      await page.goto(`${kith.url}${screen}`);
      // The display name is shown as text, markup and all, on every screen.
      await page.getByText(badName).first().waitFor();
      // Content warnings open: hidden text is rendered too.
      for (const more of await page.getByRole('button', { name: 'Show more' }).all()) await more.click();
      expect(await page.locator('main [onerror]').count(), screen).toBe(0);
      expect(await page.locator('main script').count(), screen).toBe(0);
      expect(await page.locator('main a[href^="javascript:"]').count(), screen).toBe(0);
      expect(await page.evaluate('window.__pwned'), screen).toBeUndefined();
    }
    await page.close();
  });
});

// The first screens in a real browser against a real server: sign-up with an invite, the onboarding
// checklist, posting to home with live updates, a keyboard-only sign-in and post, and hostile HTML kept inert.
// One browser for the file; tests run in order and reuse the instance. Code run in the page is passed as
// strings: these files are type-checked without the DOM's types (they clash with the server's).
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { TestInstance, TestUser } from '../../../server/test/harness.ts';
import { launchBrowser, screenshotBothSizes, startWebInstance, type Browser } from './browser.ts';

let kith: TestInstance;
let browser: Browser;
let admin: TestUser;

beforeAll(async () => {
  kith = await startWebInstance({ REGISTRATION_MODE: 'invite' });
  admin = await kith.createUser('admin', { role: 'admin', scopes: ['read', 'write', 'admin:read', 'admin:write'] });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await kith?.close();
});

/** Signs the browser out (clears its cookies): the next test starts signed out. */
async function signedOut(): Promise<Page> {
  await browser.context.clearCookies();
  return browser.newPage();
}

describe('sign-up with an invite', () => {
  it('explains a wrong invite code and creates nothing', async () => {
    const page = await signedOut();
    await page.goto(`${kith.url}/register?invite=WRONGCODE1`);
    await page.getByLabel('Username').fill('nobody');
    await page.getByLabel('Work email').fill('nobody@example.test');
    await page.getByLabel('Password').fill('a long password');
    await page.getByRole('button', { name: 'Create account' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('invite code is invalid');
    expect((await admin.api.get('/api/v1/accounts/lookup', { acct: 'nobody' })).status).toBe(404);
    await page.close();
  });

  it('registers, shows the onboarding checklist, and a post appears on home', async () => {
    const invite = await admin.api.post('/api/v1/kith/invites', {});
    expect(invite.status).toBe(200);
    const page = await signedOut();
    await page.goto(`${kith.url}/register?invite=${invite.body.code}`);
    await expect.poll(() => page.getByLabel('Invite code').inputValue()).toBe(invite.body.code);
    await screenshotBothSizes(page, 'register');
    await page.getByLabel('Username').fill('carol');
    await page.getByLabel('Work email').fill('carol@example.test');
    await page.getByLabel('Password').fill('a long password');
    await page.getByRole('button', { name: 'Create account' }).click();

    const checklist = page.getByRole('region', { name: 'Get started' });
    await checklist.waitFor();
    expect(await checklist.getByText('Write your first post').isVisible()).toBe(true);
    // The department actor exists from the start, so following it is a step to take, not a note.
    expect(await checklist.getByText('Follow your department').isVisible()).toBe(true);
    await screenshotBothSizes(page, 'onboarding');

    await page.getByLabel('What’s happening at work?').fill('Hello from the web app');
    await page.getByRole('button', { name: 'Post' }).click();
    const feed = page.getByRole('feed', { name: 'Posts' });
    await feed.getByText('Hello from the web app').waitFor();
    // The first post completes its step: the checklist shows it done.
    await checklist.getByText('(done)', { exact: false }).first().waitFor({ state: 'attached' });
    const onboarding = (await fetch(`${kith.url}/api/v1/kith/onboarding`, { headers: { cookie: await cookieHeader() } }).then((r) => r.json())) as { steps: { id: string; done: boolean }[] };
    expect(onboarding.steps.find((s) => s.id === 'first_post')?.done).toBe(true);

    // A colleague's post arrives live on the open page (the streaming API with the session cookie).
    const dave = await kith.createUser('dave');
    await page.evaluate("document.querySelector('[role=feed]').setAttribute('data-loaded', 'yes')");
    const follow = await fetch(`${kith.url}/api/v1/accounts/${dave.account._id}/follow`, {
      method: 'POST', headers: { cookie: await cookieHeader(), 'x-csrf-token': await csrfToken(page), origin: kith.url },
    });
    expect(follow.status).toBe(200);
    await kith.idle();
    await dave.api.post('/api/v1/statuses', { status: 'Welcome aboard, Carol!' });
    await feed.getByText('Welcome aboard, Carol!').waitFor();
    // Arrived through the stream, not a reload: the marker set on the element is still there.
    expect(await page.getAttribute('[role=feed]', 'data-loaded')).toBe('yes');
    await screenshotBothSizes(page, 'home');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshotBothSizes(page, 'home-dark');
    await page.close();
  });
});

describe('keyboard only', () => {
  it('signs in and posts with the keyboard alone', async () => {
    await kith.createUser('erin', { password: 'erin password' });
    const page = await signedOut();
    await page.goto(`${kith.url}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await screenshotBothSizes(page, 'signin');

    // The first Tab reaches the skip link, which is visible when focused.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to content');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.id')).toBe('login');
    await page.keyboard.type('erin');
    await page.keyboard.press('Tab');
    await page.keyboard.type('erin password');
    await page.keyboard.press('Enter');

    const compose = page.getByLabel('What’s happening at work?');
    await compose.waitFor();
    // Tab from the top of the page until the compose box has focus, with a visible focus ring on the way.
    let reached = false;
    for (let i = 0; i < 25 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate<boolean>("document.activeElement?.id === 'compose-text'");
      if (!reached) {
        const outline = await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle');
        expect(outline).not.toBe('none');
      }
    }
    expect(reached).toBe(true);
    await page.keyboard.type('Typed without a mouse');
    // On through the compose box's controls (attachments, visibility, content warning) to Post.
    for (let i = 0; i < 6 && (await page.evaluate('document.activeElement?.textContent')) !== 'Post'; i++) await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Post');
    await page.keyboard.press('Enter');
    await page.getByRole('feed', { name: 'Posts' }).getByText('Typed without a mouse').waitFor();
    await page.close();
  });
});

describe('hostile HTML', () => {
  it('renders script, event handlers and markup in names and posts inert', async () => {
    const hostile = await kith.createUser('hostile', { displayName: '<img src=x onerror=f()>Mal' });
    await kith.createUser('frank', { password: 'frank password' });
    const page = await signedOut();
    await page.goto(`${kith.url}/signin`);
    await page.getByLabel('Username or email').fill('frank');
    await page.getByLabel('Password').fill('frank password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('What’s happening at work?').waitFor();
    // Follow the hostile account so its post is on frank's home timeline.
    const follow = await fetch(`${kith.url}/api/v1/accounts/${hostile.account._id}/follow`, {
      method: 'POST', headers: { cookie: await cookieHeader(), 'x-csrf-token': await csrfToken(page), origin: kith.url },
    });
    expect(follow.status).toBe(200);
    await kith.idle();
    await hostile.api.post('/api/v1/statuses', {
      status: '<script>window.__pwned=2</script><img src=x onerror="window.__pwned=3"> <a href="javascript:window.__pwned=4">click</a> <b>bold?</b>',
    });
    await kith.idle();
    await page.reload();
    const feed = page.getByRole('feed', { name: 'Posts' });
    // The display name shows as text, markup and all.
    await feed.getByText('<img src=x onerror=f()>Mal').waitFor();
    const article = feed.locator('article').first();
    expect(await article.locator('script').count()).toBe(0);
    expect(await article.locator('[onerror]').count()).toBe(0);
    expect(await article.locator('a[href^="javascript:"]').count()).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    await page.close();
  });
});

// Last: it stops the server.
describe('offline', () => {
  it('opens the installed shell from the service worker when the server cannot be reached', async () => {
    await kith.createUser('hana', { password: 'hana password' });
    const page = await signedOut();
    await page.goto(`${kith.url}/signin`);
    await page.getByLabel('Username or email').fill('hana');
    await page.getByLabel('Password').fill('hana password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('What’s happening at work?').waitFor();
    // The worker has installed its cache and controls the page.
    expect(await page.evaluate<boolean>('navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller || new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", () => resolve(true))))')).toBe(true);

    await kith.close(); // no server: every request fails as without a network
    // The freed port is held by a listener that resets every connection, so an instance another test file
    // starts meanwhile cannot take it and answer in the server's place.
    const resetter = createServer((socket) => socket.resetAndDestroy());
    await new Promise<void>((resolve, reject) => resetter.once('error', reject).listen(Number(new URL(kith.url).port), '127.0.0.1', resolve));
    await page.reload();
    await page.getByRole('heading', { name: 'You are offline' }).waitFor();
    expect(await page.getByRole('link', { name: 'Skip to content' }).count()).toBe(1);
    await screenshotBothSizes(page, 'offline');
    await page.close();
    await new Promise((resolve) => resetter.close(resolve));
  });
});

async function cookieHeader(): Promise<string> {
  const cookies = await browser.context.cookies();
  return cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}

/** The page's CSRF token, as the app got it (GET /api/v1/kith/session with the page's cookie). */
async function csrfToken(page: Page): Promise<string> {
  return page.evaluate<string>("fetch('/api/v1/kith/session').then((r) => r.json()).then((s) => s.csrf_token)");
}

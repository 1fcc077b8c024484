// The web app's whole story in one test, two people in two browsers on one instance: Nina signs up with an
// invite and sees the onboarding checklist; Omar follows her; she posts an image with alt text and it appears
// live on Omar's home; Omar replies and Nina's notifications show it live. The pieces are tested one by one in
// first-screens, write-screens and reading-screens; this is them end to end. Code run in the page is passed
// as strings (these files are type-checked without the DOM's types).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { TestInstance, TestUser } from '../../../server/test/harness.ts';
import { launchBrowser, screenshotBothSizes, startWebInstance, type Browser } from './browser.ts';

let kith: TestInstance;
let admin: TestUser;
/** Nina's browser and Omar's: separate profiles, so separate cookies and sessions. */
let ninaBrowser: Browser;
let omarBrowser: Browser;

/** A real PNG the app ships (its icon), to upload as the photo. */
const PHOTO = path.resolve(import.meta.dirname, '..', '..', 'static', 'icon-192.png');
const ALT = 'The Kith icon on a coloured square';
const POST = 'Our team offsite, day one';

beforeAll(async () => {
  kith = await startWebInstance({ REGISTRATION_MODE: 'invite' });
  admin = await kith.createUser('admin', { role: 'admin', scopes: ['read', 'write', 'admin:read', 'admin:write'] });
  await kith.createUser('omar', { password: 'omar password', displayName: 'Omar Haddad' });
  [ninaBrowser, omarBrowser] = await Promise.all([launchBrowser(), launchBrowser()]);
});

afterAll(async () => {
  await Promise.all([ninaBrowser?.close(), omarBrowser?.close()]);
  await kith?.close();
});

/** Marks a page's element so a later check can tell that it was updated live, not reloaded. */
async function markLoaded(page: Page, selector: string): Promise<void> {
  await page.evaluate(`document.querySelector(${JSON.stringify(selector)}).setAttribute('data-loaded', 'yes')`);
}

describe('the story of issue 4', () => {
  it('sign-up with an invite, onboarding, an image post seen live by a follower, a reply notified live', async () => {
    // Nina signs up with the invite link an admin made, and lands on home with the onboarding checklist.
    const invite = await admin.api.post('/api/v1/kith/invites', {});
    expect(invite.status).toBe(200);
    const nina = await ninaBrowser.newPage();
    await nina.goto(`${kith.url}/register?invite=${invite.body.code}`);
    await expect.poll(() => nina.getByLabel('Invite code').inputValue()).toBe(invite.body.code);
    await nina.getByLabel('Username').fill('nina');
    await nina.getByLabel('Work email').fill('nina@example.test');
    await nina.getByLabel('Password').fill('nina long password');
    await nina.getByRole('button', { name: 'Create account' }).click();
    const checklist = nina.getByRole('region', { name: 'Get started' });
    await checklist.waitFor();
    expect(await checklist.getByText('Write your first post').isVisible()).toBe(true);
    const ninaId = (await admin.api.get('/api/v1/accounts/lookup', { acct: 'nina' })).body.id as string;

    // Omar, in his own browser, follows her from her profile and keeps his home timeline open.
    const omar = await omarBrowser.newPage();
    await omar.goto(`${kith.url}/signin`);
    await omar.getByLabel('Username or email').fill('omar');
    await omar.getByLabel('Password').fill('omar password');
    await omar.getByRole('button', { name: 'Sign in' }).click();
    await omar.getByLabel('What’s happening at work?').waitFor();
    await omar.goto(`${kith.url}/@nina`);
    await omar.getByRole('button', { name: 'Follow nina' }).click();
    await omar.getByRole('button', { name: 'Unfollow nina' }).waitFor();
    await kith.idle();
    await omar.goto(`${kith.url}/`);
    const omarHome = omar.getByRole('feed', { name: 'Posts' });
    await omarHome.waitFor({ state: 'attached' });
    await markLoaded(omar, '[role=feed]');

    // Nina posts a photo with alt text.
    const compose = nina.getByRole('form', { name: 'Write a post' });
    await compose.getByLabel('Add image or file').setInputFiles(PHOTO);
    const alt = compose.getByLabel('Alt text for icon-192.png');
    await alt.waitFor();
    await alt.fill(ALT);
    await nina.getByLabel('What’s happening at work?').fill(POST);
    await compose.getByRole('button', { name: 'Post' }).click();
    await nina.getByRole('feed', { name: 'Posts' }).getByRole('img', { name: ALT }).waitFor();
    const posted = (await admin.api.get(`/api/v1/accounts/${ninaId}/statuses`)).body[0];
    expect(posted).toMatchObject({ content: expect.stringContaining(POST), media_attachments: [{ type: 'image', description: ALT }] });

    // It arrives on Omar's open home timeline, image and all, without a reload.
    const omarPost = omarHome.locator('article').filter({ hasText: POST });
    const photo = omarPost.getByRole('img', { name: ALT });
    await photo.waitFor();
    // The image really loaded from the server (a broken image has no natural width).
    const naturalWidth = `[...document.querySelectorAll('[role=feed] img')].find((img) => img.alt === ${JSON.stringify(ALT)})?.naturalWidth ?? 0`;
    await expect.poll(() => omar.evaluate<number>(naturalWidth)).toBeGreaterThan(0);
    expect(await omar.getAttribute('[role=feed]', 'data-loaded')).toBe('yes');
    await screenshotBothSizes(omar, 'story-follower-sees-post');

    // Nina opens her notifications: Omar's follow is there.
    await nina.goto(`${kith.url}/notifications`);
    const notifications = nina.getByRole('list', { name: 'Notifications' });
    await notifications.getByText('followed you').waitFor();
    await markLoaded(nina, 'ol[aria-label=Notifications]');

    // Omar replies from his timeline; the reply starts with her handle.
    await omarPost.getByRole('button', { name: /^Reply/ }).click();
    const dialog = omar.getByRole('dialog');
    const reply = dialog.getByLabel('Your reply');
    await reply.waitFor();
    expect(await reply.inputValue()).toContain('@nina');
    await reply.fill(`${await reply.inputValue()}Looks like a great day!`);
    await dialog.getByRole('button', { name: 'Reply' }).click();
    await dialog.waitFor({ state: 'hidden' });

    // Nina's open notifications show the reply live.
    const mention = notifications.getByRole('listitem').filter({ hasText: 'mentioned you' }).filter({ hasText: 'Looks like a great day!' });
    await mention.waitFor();
    expect(await nina.getAttribute('ol[aria-label=Notifications]', 'data-loaded')).toBe('yes');
    await screenshotBothSizes(nina, 'story-author-notified');

    // The server has it as Omar's reply to her post.
    const thread = await admin.api.get(`/api/v1/statuses/${posted.id}/context`);
    expect(thread.body.descendants).toMatchObject([{ in_reply_to_id: posted.id, account: { acct: 'omar' } }]);
    await Promise.all([nina.close(), omar.close()]);
  }, 120_000);
});

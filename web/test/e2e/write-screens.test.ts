// The writing screens in a real browser against a real server: posting an image with alt text, uploads the
// server refuses (a renamed program, an image over the limit) explained in the compose box, a keyboard-only
// post with the mention autocomplete, saving the profile in settings, and an admin creating an invite and
// changing the registration mode.
// The instance allows 1 MB images, so "too large" needs only 2 MB. One browser for the file; tests run in
// order. Code run in the page is passed as strings (these files are type-checked without the DOM's types).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { TestInstance, TestUser } from '../../../server/test/harness.ts';
import { launchBrowser, screenshotBothSizes, SIZES, startWebInstance, type Browser } from './browser.ts';

let kith: TestInstance;
let browser: Browser;
let admin: TestUser;
let writer: TestUser;
const files = fs.mkdtempSync(path.join(os.tmpdir(), 'kith-upload-'));
const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');

beforeAll(async () => {
  kith = await startWebInstance({ MEDIA_MAX_IMAGE_MB: '1' });
  admin = await kith.createUser('boss', { role: 'admin', password: 'boss password', displayName: 'Bea Boss', scopes: ['read', 'write', 'admin:read', 'admin:write'] });
  writer = await kith.createUser('wendy', { password: 'wendy password', displayName: 'Wendy Writer' });
  await kith.createUser('zoe', { displayName: 'Zoe Zimmer' });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await kith?.close();
  fs.rmSync(files, { recursive: true, force: true });
});

async function signIn(login: string, password: string): Promise<Page> {
  await browser.context.clearCookies();
  const page = await browser.newPage();
  await page.goto(`${kith.url}/signin`);
  await page.getByLabel('Username or email').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('What’s happening at work?').waitFor();
  return page;
}

/** Writes bytes to a file the file picker can be given. */
function fileNamed(name: string, bytes: Buffer): string {
  const file = path.join(files, name);
  fs.writeFileSync(file, bytes);
  return file;
}

/** A small PNG drawn here: a blue square with a yellow dot. */
async function smallPng(): Promise<Buffer> {
  const dot = await sharp({ create: { width: 40, height: 40, channels: 4, background: { r: 250, g: 200, b: 0, alpha: 1 } } }).png().toBuffer();
  return sharp({ create: { width: 320, height: 200, channels: 4, background: { r: 30, g: 80, b: 200, alpha: 1 } } })
    .composite([{ input: dot, left: 140, top: 80 }]).png().toBuffer();
}

/** A PNG of random pixels (they do not compress): over 2 MB. */
async function largePng(): Promise<Buffer> {
  const side = 900;
  const pixels = Buffer.alloc(side * side * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.floor(Math.random() * 256);
  const png = await sharp(pixels, { raw: { width: side, height: side, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
  expect(png.length).toBeGreaterThan(2 * 1024 * 1024);
  return png;
}

const compose = (page: Page) => page.getByRole('form', { name: 'Write a post' });

describe('compose', () => {
  it('posts an image with alt text; the timeline shows it with that alt text', async () => {
    const page = await signIn('wendy', 'wendy password');
    await compose(page).getByLabel('Add image or file').setInputFiles(fileNamed('dot.png', await smallPng()));
    const alt = compose(page).getByLabel('Alt text for dot.png');
    await alt.waitFor();
    await alt.fill('A yellow dot on a blue square');
    await page.getByLabel('What’s happening at work?').fill('Our new logo, draft one');
    await screenshotBothSizes(page, 'compose-attachment');
    await compose(page).getByRole('button', { name: 'Post' }).click();

    const image = page.getByRole('feed', { name: 'Posts' }).getByRole('img', { name: 'A yellow dot on a blue square' });
    await image.waitFor();
    // The alt text is the server's, not only the page's: it was saved with the media.
    const statuses = await writer.api.get(`/api/v1/accounts/${writer.account._id}/statuses`);
    expect(statuses.body[0].media_attachments).toMatchObject([{ type: 'image', description: 'A yellow dot on a blue square' }]);
    expect(await compose(page).getByLabel('Alt text for dot.png').count()).toBe(0);
    await page.close();
  });

  it('refuses a renamed program and an image over the limit with the server’s reasons, in the compose box', async () => {
    const page = await signIn('wendy', 'wendy password');
    await compose(page).getByLabel('Add image or file').setInputFiles(fileNamed('photo.png', fs.readFileSync('/bin/ls')));
    const refusedProgram = compose(page).getByRole('alert').filter({ hasText: 'photo.png' });
    await refusedProgram.waitFor();
    expect(await refusedProgram.textContent()).toContain('photo.png was not uploaded: Executable files are not allowed (the content is');

    await compose(page).getByLabel('Add image or file').setInputFiles(fileNamed('big.png', await largePng()));
    const refusedSize = compose(page).getByRole('alert').filter({ hasText: 'big.png' });
    await refusedSize.waitFor();
    expect(await refusedSize.textContent()).toContain('big.png was not uploaded: The image is too large (maximum is 1 MB)');
    await screenshotBothSizes(page, 'compose-refused');

    // Nothing refused can be posted; removing them leaves a clean box.
    await compose(page).getByRole('button', { name: 'Remove photo.png' }).click();
    await compose(page).getByRole('button', { name: 'Remove big.png' }).click();
    expect(await compose(page).getByRole('alert').count()).toBe(0);
    await page.close();
  });

  it('writes a post with a mention chosen from the autocomplete, by keyboard alone', async () => {
    const page = await signIn('wendy', 'wendy password');
    await page.locator('body').focus();
    let reached = false;
    for (let i = 0; i < 30 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate<boolean>("document.activeElement?.id === 'compose-text'");
    }
    expect(reached).toBe(true);
    await page.keyboard.type('Thanks @zo');

    const box = page.getByLabel('What’s happening at work?');
    const option = page.getByRole('listbox', { name: 'People' }).getByRole('option', { name: /@zoe/ });
    await option.waitFor();
    expect(await box.getAttribute('aria-expanded')).toBe('true');
    const activeId = await box.getAttribute('aria-activedescendant');
    expect(activeId).toBe(await option.getAttribute('id'));
    expect(await option.getAttribute('aria-selected')).toBe('true');
    await screenshotBothSizes(page, 'compose-autocomplete');

    // Escape closes the list and keeps the text; typing opens it again; Enter takes the suggestion.
    await page.keyboard.press('Escape');
    expect(await box.getAttribute('aria-expanded')).toBe('false');
    await page.keyboard.type('e');
    await option.waitFor();
    await page.keyboard.press('Enter');
    await expect.poll(() => box.inputValue()).toBe('Thanks @zoe ');
    expect(await box.getAttribute('aria-expanded')).toBe('false');
    await page.keyboard.type('for the review!');

    for (let i = 0; i < 8 && (await page.evaluate('document.activeElement?.textContent')) !== 'Post'; i++) await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Post');
    await page.keyboard.press('Enter');
    const feed = page.getByRole('feed', { name: 'Posts' });
    await feed.getByText('for the review!').waitFor();
    const statuses = await writer.api.get(`/api/v1/accounts/${writer.account._id}/statuses`);
    expect(statuses.body[0].mentions).toMatchObject([{ acct: 'zoe' }]);
    await page.close();
  });
});

describe('settings', () => {
  it('saves the profile, with an avatar', async () => {
    const page = await signIn('wendy', 'wendy password');
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    await page.getByLabel('Display name').fill('Wendy W. Writer');
    await page.getByLabel('Job title').fill('Technical writer');
    await page.getByLabel('Department').fill('Documentation');
    await page.getByLabel('About you').fill('I write the manuals.');
    await page.getByRole('button', { name: 'Add a field' }).click();
    await page.getByLabel('Label 1').fill('Pronouns');
    await page.getByLabel('Content 1').fill('she/her');
    await page.getByLabel('Avatar').setInputFiles(fileNamed('me.png', await smallPng()));
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText('Profile saved.').waitFor();

    const me = (await writer.api.get('/api/v1/accounts/verify_credentials')).body;
    expect(me).toMatchObject({
      display_name: 'Wendy W. Writer',
      source: { note: 'I write the manuals.', fields: [{ name: 'Pronouns', value: 'she/her' }] },
      kith: { title: 'Technical writer', department: 'Documentation' },
    });
    expect(me.avatar).toMatch(new RegExp(`^${kith.url}/media/`));
    // The page shows the new avatar, and the header the new name.
    expect(await page.getByRole('img', { name: 'Your current avatar' }).getAttribute('src')).toBe(me.avatar);
    await page.getByRole('banner').getByText('Wendy W. Writer').waitFor();
    // Not an admin: no Admin link.
    expect(await page.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    await screenshotBothSizes(page, 'settings');
    await page.close();
  });
});

describe('admin', () => {
  it('creates an invite and changes the registration mode', async () => {
    const page = await signIn('boss', 'boss password');
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('heading', { name: 'Admin', level: 1 }).waitFor();
    const accounts = page.getByRole('region', { name: 'Accounts and roles' });
    await accounts.getByRole('rowheader', { name: /@wendy/ }).waitFor();

    const invites = page.getByRole('region', { name: 'Invites' });
    await invites.getByLabel('Uses (empty: unlimited)').fill('5');
    await invites.getByRole('button', { name: 'Create invite' }).click();
    const created = invites.getByRole('status').filter({ hasText: /Invite \S+ created\./ });
    await created.waitFor();
    const code = /Invite (\S+) created\./.exec((await created.textContent()) ?? '')![1]!;
    await invites.getByRole('listitem').filter({ hasText: code }).waitFor();

    const listed = (await admin.api.get('/api/v1/kith/invites')).body as { code: string; max_uses: number | null; valid: boolean }[];
    expect(listed.find((i) => i.code === code)).toMatchObject({ max_uses: 5, valid: true });

    // The registration mode is changed here at runtime; sign-up follows it at once.
    const registration = page.getByRole('region', { name: 'Registration' });
    const mode = registration.getByLabel('Who can sign up');
    await expect.poll(() => mode.inputValue()).toBe('open');
    await mode.selectOption('closed');
    await registration.getByRole('button', { name: 'Save' }).click();
    await registration.getByRole('status').filter({ hasText: 'Registration is now: Closed' }).waitFor();
    expect((await admin.api.get('/api/v1/kith/admin/registration')).body).toEqual({ mode: 'closed', configured_mode: 'open' });
    expect((await kith.api.get('/api/v2/instance')).body.registrations.enabled).toBe(false);
    await page.reload();
    await expect.poll(() => page.getByRole('region', { name: 'Registration' }).getByLabel('Who can sign up').inputValue()).toBe('closed');
    await screenshotBothSizes(page, 'admin');
    await admin.api.put('/api/v1/kith/admin/registration', { mode: 'open' });
    await page.close();
  });
});

describe('home timeline picture for the README', () => {
  it('pictures the home timeline at 1440×900 (docs/screenshots/home.png with UPDATE_README_SCREENSHOT=1)', async () => {
    await writer.api.post('/api/v1/statuses', { status: 'The Q3 style guide is out: shorter sentences, fewer acronyms. #docs' });
    await admin.api.post('/api/v1/statuses', { status: 'Welcome to Kith, everyone! Say hello to your colleagues.' });
    const page = await signIn('wendy', 'wendy password');
    await writer.api.post(`/api/v1/accounts/${admin.account._id}/follow`);
    await kith.idle();
    await page.reload();
    const feed = page.getByRole('feed', { name: 'Posts' });
    await feed.getByText('Welcome to Kith, everyone!', { exact: false }).waitFor();
    await feed.getByRole('img', { name: 'A yellow dot on a blue square' }).waitFor();
    await page.setViewportSize(SIZES.desktop);
    // A test run leaves the committed picture alone; UPDATE_README_SCREENSHOT=1 replaces it.
    const target = process.env.UPDATE_README_SCREENSHOT === '1'
      ? path.join(repoRoot, 'docs', 'screenshots', 'home.png')
      : path.join(repoRoot, 'test-artifacts', 'screens', 'readme-home-desktop.png');
    fs.mkdirSync(path.dirname(target), { recursive: true });
    await page.screenshot({ path: target });
    expect(fs.statSync(target).size).toBeGreaterThan(10_000);
    await page.close();
  });
});

// The phone navigation's More menu: opened by keyboard, closed by Escape with focus back on its button,
// closed by following a link or clicking outside; screenshots of it open and of narrow widths.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { type TestInstance } from '../../../server/test/harness.ts';
import { launchBrowser, startWebInstance, SIZES, SCREENS_DIR, type Browser } from './browser.ts';

let kith: TestInstance;
let browser: Browser;
beforeAll(async () => {
  kith = await startWebInstance();
  await kith.createUser('mo', { password: 'mo password', displayName: 'Mo Phone' });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await kith?.close();
});

describe('the More menu on a phone', () => {
  it('opens with Enter, closes with Escape and returns focus, closes on navigation and outside clicks', async () => {
    const page = await browser.newPage();
    await page.setViewportSize(SIZES.phone);
    await page.goto(`${kith.url}/signin`);
    await page.getByLabel('Username or email').fill('mo');
    await page.getByLabel('Password').fill('mo password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.waitFor();
    await page.getByRole('heading', { name: 'Home timeline' }).waitFor();
    const more = nav.getByRole('button', { name: 'More' });
    expect(await nav.getByRole('link', { name: 'Settings' }).isVisible()).toBe(false);
    expect(await nav.getByRole('link', { name: 'Notifications', exact: true }).isVisible()).toBe(true);
    await more.focus();
    await page.keyboard.press('Enter');
    expect(await more.getAttribute('aria-expanded')).toBe('true');
    await nav.getByRole('link', { name: 'Settings' }).waitFor();
    await page.screenshot({ path: path.join(SCREENS_DIR, 'nav-more-open-phone.png') });
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Bookmarks');
    await page.keyboard.press('Escape');
    expect(await more.getAttribute('aria-expanded')).toBe('false');
    expect(await page.evaluate('document.activeElement.getAttribute("aria-controls")')).toBe('more-menu');
    expect(await nav.getByRole('link', { name: 'Settings' }).isVisible()).toBe(false);
    await more.click();
    await nav.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    expect(await more.getAttribute('aria-expanded')).toBe('false');
    await more.click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).click();
    expect(await more.getAttribute('aria-expanded')).toBe('false');
    await page.screenshot({ path: path.join(SCREENS_DIR, 'settings-phone-nav.png') });
    await page.setViewportSize({ width: 360, height: 740 });
    await page.screenshot({ path: path.join(SCREENS_DIR, 'settings-360.png') });
    await page.setViewportSize({ width: 320, height: 640 });
    await page.screenshot({ path: path.join(SCREENS_DIR, 'settings-320.png') });
    await page.setViewportSize({ width: 800, height: 900 });
    await more.click();
    await page.screenshot({ path: path.join(SCREENS_DIR, 'settings-800-more-open.png') });
    await page.setViewportSize(SIZES.desktop);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: path.join(SCREENS_DIR, 'settings-dark-desktop.png') });
    await nav.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.screenshot({ path: path.join(SCREENS_DIR, 'signin-after-signout-desktop.png') });
  });
});

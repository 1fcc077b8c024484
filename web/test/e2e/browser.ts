// The browser-test harness: a real Kith instance serving the built web app (server/test/harness.ts, with
// WEB_APP_DIR), and headless Debian chromium driven by playwright-core, never a downloaded browser.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { startTestInstance, type TestInstance } from '../../../server/test/harness.ts';

export const CHROMIUM = '/usr/bin/chromium';
const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');
/** Screenshots land here (gitignored), one per screen and size. */
export const SCREENS_DIR = path.join(repoRoot, 'test-artifacts', 'screens');

export const SIZES = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1440, height: 900 },
} as const;

/** A Kith instance serving the web app; fails the test clearly when the web build failed. */
export async function startWebInstance(env: Record<string, string> = {}): Promise<TestInstance> {
  const buildError = inject('webBuildError');
  if (buildError) throw new Error(`the web app could not be built: ${buildError}`);
  return startTestInstance({ WEB_APP_DIR: inject('webBuildDir'), ...env });
}

export interface Browser {
  context: BrowserContext;
  /** A fresh page (tab) in the browser: its own cookies are the context's. */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** One headless chromium with a fresh profile; pages share its cookies unless you open another browser. */
export async function launchBrowser(): Promise<Browser> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'kith-e2e-'));
  // A persistent context is how playwright takes a --user-data-dir: a fresh one per browser.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: SIZES.desktop,
    // The tests read text in English.
    locale: 'en-US',
    // The offline shell is the service worker's; it caches static files only, never API answers.
    serviceWorkers: 'allow',
  });
  // Fail a missing element well inside the test's own timeout, with playwright's message.
  context.setDefaultTimeout(10_000);
  return {
    context,
    newPage: () => context.newPage(),
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a screenshot of the page at the phone and the desktop size (then back to desktop). */
export async function screenshotBothSizes(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENS_DIR, { recursive: true });
  for (const [size, viewport] of Object.entries(SIZES)) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: path.join(SCREENS_DIR, `${name}-${size}.png`), fullPage: true });
  }
  await page.setViewportSize(SIZES.desktop);
}

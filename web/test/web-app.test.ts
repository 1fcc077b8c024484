// The Kith server serving the built web app: the shell with its own CSP, hashed assets cached immutably,
// the PWA files, and the server's own paths left to the server.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestInstance } from '../../server/test/harness.ts';
import { startWebInstance } from './e2e/browser.ts';

let kith: TestInstance;

beforeAll(async () => {
  kith = await startWebInstance();
});

afterAll(async () => {
  await kith?.close();
});

it('serves the app shell for / and for any screen path, with a CSP allowing only its own start-up script', async () => {
  for (const route of ['/', '/signin', '/register']) {
    const res = await fetch(kith.url + route);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/script-src 'self' 'nonce-[^']+'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(await res.text()).toContain('/_app/immutable/');
  }
});

it("answers a path no screen has with the app's 404 page", async () => {
  const res = await fetch(`${kith.url}/no/such/screen`);
  expect(res.status).toBe(404);
  expect(res.headers.get('content-type')).toContain('text/html');
});

it('caches hashed assets immutably', async () => {
  const html = await (await fetch(kith.url)).text();
  const asset = /\/_app\/immutable\/[^"']+\.js/.exec(html)![0];
  const res = await fetch(kith.url + asset);
  expect(res.status).toBe(200);
  expect(res.headers.get('cache-control')).toBe('public,max-age=31536000,immutable');
});

it('serves the PWA manifest, icons and service worker', async () => {
  const manifest = await fetch(`${kith.url}/manifest.webmanifest`);
  expect(manifest.status).toBe(200);
  expect(((await manifest.json()) as { icons: unknown[] }).icons.length).toBeGreaterThan(1);
  expect((await fetch(`${kith.url}/icon-192.png`)).headers.get('content-type')).toBe('image/png');
  expect((await fetch(`${kith.url}/service-worker.js`)).status).toBe(200);
});

it('leaves unknown API paths to the server: JSON 404, not the app', async () => {
  for (const route of ['/api/v1/nothing-here', '/oauth/nothing', '/.well-known/nothing']) {
    const res = await fetch(kith.url + route);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/json');
  }
  const instance = await fetch(`${kith.url}/api/v1/instance`);
  expect(instance.status).toBe(200);
});

// The offline shell: the app's hashed files, static assets and the page shell are cached at install, so the
// installed app opens without a network (and says what it cannot load). API calls and streams are never
// cached: what a person sees is always the server's current answer or an error.
/// <reference lib="webworker" />
import { self } from '$app/service-worker';
import { assets, immutable } from '$app/manifest';
import { version } from '$app/env';

const CACHE = `kith-${version}`;
/** The HTML shell every route shares (the app renders in the browser). */
const SHELL = '/';
const PRECACHE = [...immutable.map((file) => `/${file.path}`), ...assets.map((file) => `/${file.path}`), SHELL];
/** Paths the server owns: always the network. */
const SERVER_PATHS = /^\/(api|oauth|\.well-known|nodeinfo|users|media|inbox|actor|healthz|readyz)(\/|$)/;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || SERVER_PATHS.test(url.pathname)) return;

  if (request.mode === 'navigate') {
    // Pages: the network first (a new deploy shows at once), the cached shell when offline.
    event.respondWith(fetch(request).catch(async () => (await caches.match(SHELL)) ?? Response.error()));
    return;
  }
  // Hashed files never change, and static assets change with the version: cache first.
  event.respondWith(caches.match(request).then((cached) => cached ?? fetch(request)));
});

// ---- Web Push: the Mastodon payload (decrypted by the browser) shown as a notification ----

/** What Kith (and Mastodon) push: see server/src/push/push-payload.ts. */
interface PushPayload {
  notification_id?: string;
  notification_type?: string;
  title?: string;
  body?: string;
  icon?: string;
}

self.addEventListener('push', (event) => {
  let payload: PushPayload = {};
  try {
    payload = (event.data?.json() ?? {}) as PushPayload;
  } catch {
    // Not JSON: show the text as it is.
    payload = { body: event.data?.text() ?? '' };
  }
  const title = payload.title || 'Kith';
  event.waitUntil(
    self.registration.showNotification(title, {
      body: payload.body ?? '',
      icon: payload.icon || '/icon-192.png',
      tag: payload.notification_id ? `kith-${payload.notification_id}` : undefined,
      data: { url: '/notifications' },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = new URL((event.notification.data as { url?: string } | null)?.url ?? '/', self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(async (windows) => {
      // An open Kith window is brought forward rather than opening another one.
      const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
      if (open) {
        await open.focus();
        if (open.url !== target) await open.navigate(target).catch(() => null);
        return;
      }
      await self.clients.openWindow(target);
    }),
  );
});

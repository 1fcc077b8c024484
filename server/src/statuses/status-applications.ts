import type { ApplicationInfo, ApplicationLookup } from './statuses.serialize.ts';

const TTL_MS = 10 * 60_000;
const MAX_ENTRIES = 1000;

/**
 * Application names for statuses, kept in process memory: a page of statuses names a handful of apps
 * that rarely change, so asking the oauth domain once per app every few minutes is plenty.
 */
export function cachedApplicationLookup(getApp: (id: string) => Promise<{ name: string; website: string | null }>): ApplicationLookup {
  const cache = new Map<string, { info: ApplicationInfo | null; until: number }>();
  return async (ids) => {
    const now = Date.now();
    const result = new Map<string, ApplicationInfo>();
    const missing: string[] = [];
    for (const id of ids) {
      const hit = cache.get(id);
      if (hit && hit.until > now) {
        if (hit.info) result.set(id, hit.info);
      } else {
        missing.push(id);
      }
    }
    await Promise.all(
      missing.map(async (id) => {
        // A deleted app leaves its statuses without an application, as in Mastodon.
        const info = await getApp(id).then((app) => ({ name: app.name, website: app.website }), () => null);
        if (cache.size >= MAX_ENTRIES) cache.clear();
        cache.set(id, { info, until: now + TTL_MS });
        if (info) result.set(id, info);
      }),
    );
    return result;
  };
}

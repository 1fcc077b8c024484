// Which client and device an authenticated request came from (analytics contract, "Clients").
import type { AuthContext } from '../plugins/auth.ts';
import { OTHER_API_CLIENT, PWA_CLIENT, WEB_CLIENT, type UsageDevice } from './usage.types.ts';

const TTL_MS = 10 * 60_000;
const MAX_ENTRIES = 1000;
const MAX_NAME = 80;
const MOBILE = /Mobi|Android|iPhone|iPad|iPod|iOS/i;

/** 'mobile' for a phone or tablet's User-Agent, else 'desktop' (no User-Agent counts as desktop). */
export function deviceOf(userAgent: string | undefined): UsageDevice {
  return userAgent !== undefined && MOBILE.test(userAgent) ? 'mobile' : 'desktop';
}

/** Whether the caller is the web app: the session cookie, which has no OAuth application. */
export function isWebSession(auth: Pick<AuthContext, 'appId' | 'tokenId'>): boolean {
  return auth.appId === null && auth.tokenId.startsWith('session:');
}

/**
 * Client labels of callers: the web app (a tab, or installed: it sends `X-Kith-Client: pwa`), or the
 * OAuth application's name behind a token. Names are kept in process memory: a handful of apps that
 * rarely change, asked for on every authenticated request.
 */
export class UsageClients {
  private readonly getApp: (id: string) => Promise<{ name: string }>;
  private readonly names = new Map<string, { name: string; until: number }>();

  constructor(getApp: (id: string) => Promise<{ name: string }>) {
    this.getApp = getApp;
  }

  /** The client label of a caller; `clientHeader` is the request's X-Kith-Client. */
  async labelOf(auth: Pick<AuthContext, 'appId' | 'tokenId'>, clientHeader: string | string[] | undefined): Promise<string> {
    if (auth.appId === null) return isWebSession(auth) ? (clientHeader === 'pwa' ? PWA_CLIENT : WEB_CLIENT) : OTHER_API_CLIENT;
    return this.appName(auth.appId);
  }

  private async appName(appId: string): Promise<string> {
    const now = Date.now();
    const hit = this.names.get(appId);
    if (hit && hit.until > now) return hit.name;
    // A deleted app (or a failed lookup) leaves its tokens' usage under the other API clients.
    const name = await this.getApp(appId).then((app) => app.name.trim().slice(0, MAX_NAME) || OTHER_API_CLIENT, () => OTHER_API_CLIENT);
    if (this.names.size >= MAX_ENTRIES) this.names.clear();
    this.names.set(appId, { name, until: now + TTL_MS });
    return name;
  }
}

// Which client and device an authenticated request came from (analytics contract, "Clients").
import type { AuthContext } from '../plugins/auth.ts';
import type { ApplicationLookup } from '../statuses/statuses.serialize.ts';
import { OTHER_API_CLIENT, PWA_CLIENT, WEB_CLIENT, type UsageDevice } from './usage.types.ts';

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
 * OAuth application's name behind a token, through the applications' name cache statuses use too.
 */
export class UsageClients {
  private readonly applications: ApplicationLookup;

  constructor(applications: ApplicationLookup) {
    this.applications = applications;
  }

  /** The client label of a caller; `clientHeader` is the request's X-Kith-Client. */
  async labelOf(auth: Pick<AuthContext, 'appId' | 'tokenId'>, clientHeader: string | string[] | undefined): Promise<string> {
    if (auth.appId === null) return isWebSession(auth) ? (clientHeader === 'pwa' ? PWA_CLIENT : WEB_CLIENT) : OTHER_API_CLIENT;
    // A deleted app (or a failed lookup) leaves its tokens' usage under the other API clients.
    const app = (await this.applications([auth.appId])).get(auth.appId);
    return app?.name.trim().slice(0, MAX_NAME) || OTHER_API_CLIENT;
  }
}

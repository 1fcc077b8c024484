// Test helpers for the OAuth flows: a minimal cookie-keeping browser for the authorization page, PKCE
// pairs and app registration. Used by the oauth tests only; everything goes over real HTTP.
import { createHash, randomBytes } from 'node:crypto';
import type { ApiClient } from '../../test/harness.ts';

export interface RegisteredApp {
  id: string;
  client_id: string;
  client_secret: string;
  scopes: string[];
  redirect_uris: string[];
}

/** Registers an app through POST /api/v1/apps. */
export async function registerApp(api: ApiClient, options: { redirectUris?: string | string[]; scopes?: string; name?: string } = {}): Promise<RegisteredApp> {
  const res = await api.post('/api/v1/apps', {
    client_name: options.name ?? 'Test client',
    redirect_uris: options.redirectUris ?? 'http://127.0.0.1:9/callback',
    scopes: options.scopes ?? 'read write follow push',
  });
  if (res.status !== 200) throw new Error(`app registration failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A PKCE verifier and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface PageResponse {
  status: number;
  html: string;
  location: string | null;
  headers: Headers;
}

/** A browser that keeps cookies, for driving the sign-in and consent page. */
export class TestBrowser {
  readonly baseUrl: string;
  readonly cookies = new Map<string, string>();

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  async get(path: string): Promise<PageResponse> {
    return this.send('GET', path);
  }

  /** Posts a form (application/x-www-form-urlencoded). */
  async postForm(path: string, fields: Record<string, string>): Promise<PageResponse> {
    return this.send('POST', path, new URLSearchParams(fields).toString());
  }

  private async send(method: string, path: string, body?: string): Promise<PageResponse> {
    const headers: Record<string, string> = {};
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(this.baseUrl + path, { method, headers, body, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
    return { status: response.status, html: await response.text(), location: response.headers.get('location'), headers: response.headers };
  }
}

/** The hidden and prefilled fields of the page's form, as a browser would submit them. */
export function formFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[unescape(match[1]!)] = unescape(match[2]!);
  }
  return fields;
}

function unescape(text: string): string {
  return text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The query string of an authorization request. */
export function authorizeQuery(params: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) query.set(key, value);
  return `/oauth/authorize?${query.toString()}`;
}

// Who is signed in, for every screen: loaded once from GET /api/v1/kith/session (the cookie is HttpOnly,
// so asking the server is the only way to know), updated by sign-in, registration and sign-out.
import { api, ApiError, setCsrfToken } from './api/client.ts';
import type { CredentialAccount, Session } from './api/entities.ts';

interface SessionState {
  account: CredentialAccount | null;
  /** False until the first answer: screens wait for it before deciding to send someone to sign in. */
  loaded: boolean;
  /** The server could not be reached (the service worker's offline shell is showing). */
  offline: boolean;
}

export const session: SessionState = $state({ account: null, loaded: false, offline: false });

function adopt(value: Session | null): void {
  setCsrfToken(value?.csrf_token ?? null);
  session.account = value?.account ?? null;
  session.loaded = true;
  session.offline = false;
}

export async function loadSession(): Promise<void> {
  try {
    adopt(await api.get<Session>('/api/v1/kith/session'));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      adopt(null);
      return;
    }
    // fetch rejects (TypeError) when there is no network; an API error is the server's.
    if (error instanceof TypeError) {
      session.offline = true;
      return;
    }
    throw error;
  }
}

export async function signIn(login: string, password: string): Promise<void> {
  adopt(await api.post<Session>('/api/v1/kith/session', { body: { login, password } }));
}

export async function signOut(): Promise<void> {
  try {
    await api.delete('/api/v1/kith/session');
  } finally {
    adopt(null);
  }
}

export interface Registration {
  username: string;
  email: string;
  password: string;
  inviteCode: string;
}

/**
 * Signs up through the same API Mastodon apps use (an app and its client-credentials token, then
 * POST /api/v1/accounts), then signs in with a session. The app token and the new account's token live only
 * in this function: the account's token is revoked at once, the session cookie is what stays.
 */
export async function register(input: Registration): Promise<void> {
  const app = await api.post<{ client_id: string; client_secret: string }>('/api/v1/apps', {
    body: { client_name: 'Kith web', redirect_uris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read write follow push' },
  });
  const appToken = await postForm<{ access_token: string }>('/oauth/token', {
    grant_type: 'client_credentials', client_id: app.client_id, client_secret: app.client_secret, scope: 'read write follow push',
  });
  const created = await bearerJson<{ access_token: string }>('/api/v1/accounts', appToken.access_token, {
    username: input.username,
    email: input.email,
    password: input.password,
    agreement: true,
    locale: navigator.language.slice(0, 2),
    ...(input.inviteCode.trim() ? { invite_code: input.inviteCode.trim() } : {}),
  });
  await postForm('/oauth/revoke', { client_id: app.client_id, client_secret: app.client_secret, token: created.access_token }).catch(() => {});
  await signIn(input.username, input.password);
}

async function postForm<T>(path: string, fields: Record<string, string>): Promise<T> {
  const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });
  return answer<T>(response);
}

async function bearerJson<T>(path: string, token: string, body: unknown): Promise<T> {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return answer<T>(response);
}

async function answer<T>(response: Response): Promise<T> {
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, (data as { error_description?: string; error?: string }).error_description ?? (data as { error?: string }).error ?? response.statusText);
  return data as T;
}

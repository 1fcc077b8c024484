// Starts real Kith instances for tests: a real HTTP server on a loopback port, its own MongoDB
// database and Redis key prefix on the run's shared stand-in and Redis.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../src/config.ts';
import { startKith, type RunningKith } from '../src/kith.ts';
import type { Services } from '../src/services.ts';
import type { AccountRecord, Role } from '../src/accounts/accounts.store.ts';
// @ts-expect-error plain ESM module without types, shared with the launcher
import { freePort } from '../../deploy/services.mjs';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A small HTTP client for one instance, optionally carrying a bearer token. */
export class ApiClient {
  readonly baseUrl: string;
  readonly token: string | null;

  constructor(baseUrl: string, token: string | null = null) {
    this.baseUrl = baseUrl;
    this.token = token;
  }

  withToken(token: string | null): ApiClient {
    return new ApiClient(this.baseUrl, token);
  }

  get<T = any>(path: string, query?: Record<string, string | number | boolean | string[]>): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path + queryString(query));
  }

  post<T = any>(path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, body, headers);
  }

  put<T = any>(path: string, body?: unknown): Promise<ApiResponse<T>> {
    return this.request<T>('PUT', path, body);
  }

  patch<T = any>(path: string, body?: unknown): Promise<ApiResponse<T>> {
    return this.request<T>('PATCH', path, body);
  }

  delete<T = any>(path: string, body?: unknown): Promise<ApiResponse<T>> {
    return this.request<T>('DELETE', path, body);
  }

  /** Sends a request; a string body goes as-is (set content-type yourself), anything else as JSON. */
  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const allHeaders: Record<string, string> = { ...headers };
    if (this.token) allHeaders.authorization = `Bearer ${this.token}`;
    let payload: string | undefined;
    if (body !== undefined) {
      if (typeof body === 'string') {
        payload = body;
      } else {
        payload = JSON.stringify(body);
        allHeaders['content-type'] ??= 'application/json';
      }
    }
    const response = await fetch(this.baseUrl + path, { method, headers: allHeaders, body: payload, redirect: 'manual' });
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json') && text.length > 0) parsed = JSON.parse(text);
    return { status: response.status, body: parsed as T, headers: response.headers };
  }
}

function queryString(query?: Record<string, string | number | boolean | string[]>): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (Array.isArray(value)) value.forEach((v) => params.append(`${key}[]`, v));
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export interface TestUser {
  account: AccountRecord;
  token: string;
  api: ApiClient;
}

export interface TestInstance {
  url: string;
  config: Config;
  services: Services;
  kith: RunningKith;
  /** An anonymous client. */
  api: ApiClient;
  /** Creates a local account and a token with every scope (or those given). */
  createUser(username: string, options?: { role?: Role; locked?: boolean; password?: string; displayName?: string; email?: string; scopes?: string[] }): Promise<TestUser>;
  /** Waits until every queued side effect (fan-out, notifications, streaming) has run. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a Kith instance with its own database and key prefix, listening on a free loopback port. */
export async function startTestInstance(env: Record<string, string> = {}): Promise<TestInstance> {
  const unique = randomBytes(4).toString('hex');
  const port: number = await freePort();
  const config = loadConfig({
    MONGODB_URL: inject('mongoUrl'),
    REDIS_URL: inject('redisUrl'),
    MONGODB_DATABASE: `test_${unique}`,
    REDIS_PREFIX: `test:${unique}:`,
    INSTANCE_NAME: 'test',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'silent',
    REGISTRATION_MODE: 'open',
    WRITE_RATE_LIMIT: '100000',
    READ_RATE_LIMIT: '100000000',
    AUTH_RATE_LIMIT: '100000',
    ...env,
  });
  const kith = await startKith(config, { logger: false });
  await kith.app.listen({ port: config.port, host: '127.0.0.1' });
  const url = config.publicUrl;
  const api = new ApiClient(url);
  return {
    url,
    config,
    services: kith.services,
    kith,
    api,
    async createUser(username, options = {}) {
      const account = await kith.services.accounts.create({
        username,
        email: options.email ?? `${username}@example.test`,
        password: options.password ?? 'correct horse battery',
        role: options.role,
        locked: options.locked,
        displayName: options.displayName ?? username,
      });
      const token = await kith.services.oauth.issuePersonalToken(account._id, options.scopes ?? ['read', 'write', 'follow', 'push']);
      return { account, token, api: api.withToken(token) };
    },
    idle: () => kith.services.events.idle(),
    close: () => kith.close(),
  };
}

// The web app's API client: same-origin fetch with the session cookie (HttpOnly: the page never sees a
// token) and the session's CSRF token on every unsafe request. Paths, query strings and request bodies are
// typed from the server's route schemas (schema.d.ts, generated); response types come from entities.ts,
// because the server's schemas describe requests only.
import type { paths } from './schema.d.ts';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The API paths that have an operation for `M`. */
export type PathWith<M extends Method> = {
  [P in keyof paths]: paths[P] extends { [K in M]: object } ? P : never;
}[keyof paths];

type Operation<P extends keyof paths, M extends Method> = paths[P] extends { [K in M]: infer O } ? O : never;
type QueryOf<O> = O extends { parameters: { query?: infer Q } } ? Q : never;
type PathParamsOf<O> = O extends { parameters: { path: infer A } } ? A : never;
type BodyOf<O> = O extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

export interface RequestOptions<O> {
  /** Values for `{name}` segments of the path. */
  params?: PathParamsOf<O>;
  query?: QueryOf<O>;
  body?: BodyOf<O>;
  /** Extra request headers (e.g. Idempotency-Key). */
  headers?: Record<string, string>;
}

/** An error answer of the API: its status and the server's message (`{ error }`). */
export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

let csrfToken: string | null = null;

/** The session's CSRF token (from sign-in or GET /api/v1/kith/session); null when signed out. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

function buildUrl(path: string, params?: unknown, query?: unknown): string {
  let url = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String((params as Record<string, unknown>)?.[name] ?? '')));
  if (query && typeof query === 'object') {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined || value === null) continue;
      if (Array.isArray(value)) value.forEach((v) => search.append(`${key}[]`, String(v)));
      else search.append(key, String(value));
    }
    const text = search.toString();
    if (text) url += `?${text}`;
  }
  return url;
}

/**
 * Running as the installed app (display-mode standalone): the server counts its requests under
 * "Installed web app" rather than "Web" in adoption analytics.
 */
function clientHeaders(): Record<string, string> {
  return typeof matchMedia === 'function' && matchMedia('(display-mode: standalone)').matches ? { 'x-kith-client': 'pwa' } : {};
}

async function request<T>(method: Method, path: string, options: { params?: unknown; query?: unknown; body?: unknown; headers?: Record<string, string> } = {}): Promise<T> {
  const headers: Record<string, string> = { ...clientHeaders(), ...options.headers, accept: 'application/json' };
  if (method !== 'get' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) {
    body = options.body;
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const response = await fetch(buildUrl(path, options.params, options.query), {
    method: method.toUpperCase(),
    headers,
    body,
    credentials: 'same-origin',
  });
  const text = await response.text();
  const data: unknown = text && (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text;
  if (!response.ok) {
    const message = typeof data === 'object' && data !== null && 'error' in data ? String((data as { error: unknown }).error) : response.statusText;
    throw new ApiError(response.status, message);
  }
  return data as T;
}

/**
 * POSTs a multipart form with upload progress (fetch reports none): `onProgress` gets the fraction sent, 0 to 1.
 * Errors throw ApiError with the server's message, as `api` does.
 */
export function uploadForm<T>(
  path: PathWith<'post'> | PathWith<'patch'>,
  form: FormData,
  onProgress: (fraction: number) => void = () => {},
  method: 'POST' | 'PATCH' = 'POST',
): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, path);
    xhr.setRequestHeader('accept', 'application/json');
    for (const [name, value] of Object.entries(clientHeaders())) xhr.setRequestHeader(name, value);
    if (csrfToken) xhr.setRequestHeader('x-csrf-token', csrfToken);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onerror = () => reject(new TypeError('The upload failed: no connection to the server.'));
    xhr.onload = () => {
      let data: unknown = xhr.responseText;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        // Not JSON (a proxy's error page): the status text says enough.
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(data as T);
      const message = typeof data === 'object' && data !== null && 'error' in data ? String((data as { error: unknown }).error) : xhr.statusText;
      reject(new ApiError(xhr.status, message));
    };
    xhr.send(form);
  });
}

/** Typed calls: `api.get<Status[]>('/api/v1/timelines/home', { query: { limit: 20 } })`. */
export const api = {
  get: <T, P extends PathWith<'get'> = PathWith<'get'>>(path: P, options?: RequestOptions<Operation<P, 'get'>>) => request<T>('get', path, options),
  post: <T, P extends PathWith<'post'> = PathWith<'post'>>(path: P, options?: RequestOptions<Operation<P, 'post'>>) => request<T>('post', path, options),
  put: <T, P extends PathWith<'put'> = PathWith<'put'>>(path: P, options?: RequestOptions<Operation<P, 'put'>>) => request<T>('put', path, options),
  patch: <T, P extends PathWith<'patch'> = PathWith<'patch'>>(path: P, options?: RequestOptions<Operation<P, 'patch'>>) => request<T>('patch', path, options),
  delete: <T, P extends PathWith<'delete'> = PathWith<'delete'>>(path: P, options?: RequestOptions<Operation<P, 'delete'>>) => request<T>('delete', path, options),
};

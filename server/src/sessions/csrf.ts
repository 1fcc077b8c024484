// Cross-site request forgery defences for cookie-authenticated requests. Bearer tokens need none: a
// browser never attaches them on its own. A cookie it does attach, so an unsafe request (POST, PUT, PATCH,
// DELETE) must carry the session's CSRF token in a header (which another site's page cannot read or set
// without CORS, which Kith never grants to credentials) and must not come from another origin.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Why a request from a browser is refused, or null when it is acceptable for cookie authentication. */
export function crossOriginProblem(request: FastifyRequest, publicUrl: string): string | null {
  // Browsers send Origin on every unsafe request and on WebSocket upgrades; a mismatch is another site.
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== publicUrl) return 'Cross-origin requests may not use the session cookie';
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none' && !SAFE_METHODS.has(request.method)) {
    return 'Cross-site requests may not use the session cookie';
  }
  return null;
}

/** Whether the request needs the CSRF token (an unsafe method). */
export function needsCsrfToken(request: FastifyRequest): boolean {
  return !SAFE_METHODS.has(request.method);
}

/** Whether the request's CSRF header matches the session's token (constant-time). */
export function csrfTokenMatches(request: FastifyRequest, expected: string): boolean {
  const given = request.headers[CSRF_HEADER];
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

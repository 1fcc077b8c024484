// The web session cookie. Over https it is `__Host-kith_session` (Secure, Path=/, no Domain): the prefix
// makes browsers refuse it unless it was set that way, so a sibling subdomain cannot plant or widen it.
// Browsers also refuse a `__Host-` cookie without Secure, and Secure cookies are not stored over plain
// http (local development, tests), so there it is plain `kith_session` with the same other attributes.
import type { FastifyRequest } from 'fastify';

export interface SessionCookie {
  name: string;
  secure: boolean;
}

export function sessionCookie(publicUrl: string): SessionCookie {
  const secure = publicUrl.startsWith('https:');
  return { name: secure ? '__Host-kith_session' : 'kith_session', secure };
}

/** The Set-Cookie value that stores `secret` for `maxAgeSeconds` (0 deletes the cookie). */
export function setCookieHeader(cookie: SessionCookie, secret: string, maxAgeSeconds: number): string {
  const parts = [`${cookie.name}=${secret}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAgeSeconds}`];
  if (cookie.secure) parts.push('Secure');
  return parts.join('; ');
}

/** The cookie's value in the request, or null. */
export function readSessionCookie(request: FastifyRequest, cookie: SessionCookie): string | null {
  const header = request.headers.cookie;
  if (!header) return null;
  for (const pair of header.split(';')) {
    const index = pair.indexOf('=');
    if (index < 0) continue;
    if (pair.slice(0, index).trim() === cookie.name) {
      const value = pair.slice(index + 1).trim();
      return /^[\w-]{1,128}$/.test(value) ? value : null;
    }
  }
  return null;
}

import type { SessionRecord } from './sessions.store.ts';

export interface SessionEntity {
  id: string;
  /** Whether this is the session the request came with. */
  current: boolean;
  user_agent: string;
  ip: string;
  created_at: string;
  last_used_at: string;
  expires_at: string;
}

export function toSessionEntity(session: SessionRecord, currentSessionId: string | null): SessionEntity {
  return {
    id: session._id,
    current: session._id === currentSessionId,
    user_agent: session.userAgent,
    ip: session.ip,
    created_at: session.createdAt.toISOString(),
    last_used_at: session.lastUsedAt.toISOString(),
    expires_at: session.expiresAt.toISOString(),
  };
}

/** The session id behind an auth context from the cookie (tokenId `session:<id>`), else null. */
export function sessionIdOf(tokenId: string | undefined): string | null {
  return tokenId?.startsWith('session:') ? tokenId.slice('session:'.length) : null;
}

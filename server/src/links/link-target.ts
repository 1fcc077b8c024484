// What a connector types to name another department: `slug@host[:port]` or the department actor's URL.
import { Invalid } from '../shared/errors.ts';
import { normalizePeerHost, type PeerScheme } from '../peers/peer-host.ts';

export interface LinkTarget {
  /** The handle (`slug@host`) or actor URL, as the lookup takes it. */
  lookup: { handle: { username: string; host: string } } | { url: string };
  /** Normalized host[:port]. */
  host: string;
  scheme: PeerScheme;
  /** The actor id it most likely has (Kith's `/users/{slug}`), until the lookup tells the real one. */
  provisionalUri: string;
}

const HANDLE = /^@?([a-z0-9_][a-z0-9_.-]{0,63})@([^@\s/]+)$/i;

/** Parses a link target; Invalid when it is neither a handle nor an http(s) URL. */
export function parseLinkTarget(text: string, scheme: PeerScheme | undefined): LinkTarget {
  const trimmed = text.trim();
  const handle = HANDLE.exec(trimmed);
  if (handle) {
    const s = scheme ?? 'https';
    const host = normalizePeerHost(handle[2]!, s);
    return { lookup: { handle: { username: handle[1]!, host } }, host, scheme: s, provisionalUri: `${s}://${host}/users/${handle[1]}` };
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new Invalid('Validation failed: Target must be slug@host[:port] or the department actor’s URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Invalid('Validation failed: Target must be an http(s) URL');
  const s: PeerScheme = url.protocol === 'http:' ? 'http' : 'https';
  url.hash = '';
  return { lookup: { url: url.href }, host: normalizePeerHost(url.host, s), scheme: s, provisionalUri: url.href };
}

// The one way a peer's host is written down, so that an allowlist entry, a keyId's host and a delivery
// target compare as plain strings: lower case, IDN labels in punycode, IP literals in canonical form,
// no trailing dot, and the scheme's default port left out (as URL.host leaves it out).
import { Invalid } from '../shared/errors.ts';

export type PeerScheme = 'http' | 'https';

const DEFAULT_PORT: Record<PeerScheme, string> = { http: '80', https: '443' };
// Characters that would make the text more than a host[:port]: a scheme, userinfo, a path, a query,
// a fragment, an escape, whitespace.
const NOT_A_HOST = /[/\\@?#%\s]|:\/\//u;
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * Normalizes `host[:port]` as typed by an admin or taken from a URL; throws Invalid when it is not
 * exactly a host with an optional port. With a scheme, that scheme's default port is dropped.
 */
export function normalizePeerHost(input: string, scheme: PeerScheme | null = null): string {
  const text = input.trim().replace(/\.(?=(:\d+)?$)/, '');
  if (text === '' || text.length > 300 || text.endsWith(':') || NOT_A_HOST.test(text)) throw invalid(input);
  let url: URL;
  try {
    url = new URL(`http://${text}`);
  } catch {
    throw invalid(input);
  }
  const hostname = url.hostname.replace(/\.$/, '');
  if (!hostname.startsWith('[') && !HOSTNAME.test(hostname)) throw invalid(input);
  // URL drops port 80 for http:; keep whatever port was written, then drop only the scheme's default.
  const written = /:(\d{1,5})$/.exec(text.startsWith('[') ? text.slice(text.indexOf(']')) : text);
  const port = written ? String(Number(written[1])) : '';
  if (port !== '' && Number(port) > 65535) throw invalid(input);
  if (port === '' || (scheme !== null && DEFAULT_PORT[scheme] === port)) return hostname;
  return `${hostname}:${port}`;
}

function invalid(input: string): Invalid {
  return new Invalid(`Validation failed: Host must be host[:port] without scheme, path or user (got "${input.slice(0, 100)}")`);
}

// WebFinger for `user@host` handles, our own client rather than Fedify's: Fedify's always asks over https
// and refuses loopback, while company peers (and the test network) may run on http and private addresses
// (docs/federation-design.md §11). The scheme comes from the peer entry; only allowed hosts are asked;
// no redirect is followed; the answer is capped.
import type { FederationPorts } from '../ports.ts';
import type { PeerPolicy } from '../net/peer-policy.ts';

/** A handle split into its parts. */
export interface Handle {
  username: string;
  /** Normalized `host[:port]`, lower case. */
  host: string;
}

const HANDLE = /^(?:acct:)?@?([a-z0-9_][a-z0-9_.-]{0,63})@([a-z0-9.-]+[a-z0-9](?::\d{1,5})?)$/i;
const TIMEOUT_MS = 10_000;
const MAX_BYTES = 64 * 1024;
const ACTIVITY_TYPES = ['application/activity+json', 'application/ld+json'];

/** Parses `alice@host`, `@alice@host` or `acct:alice@host`; null for anything else. */
export function parseHandle(text: string): Handle | null {
  const match = HANDLE.exec(text.trim());
  if (!match) return null;
  let host: string;
  try {
    host = new URL(`http://${match[2]}`).host.toLowerCase();
  } catch {
    return null;
  }
  return { username: match[1]!, host };
}

/** What the WebFinger client needs. */
export interface WebFingerDeps {
  policy: PeerPolicy;
  peers: FederationPorts['peers'];
}

async function schemeOf(peers: FederationPorts['peers'], host: string): Promise<'http' | 'https'> {
  const entry = (await peers.list()).find((p) => p.host.toLowerCase() === host);
  return entry?.scheme ?? 'https';
}

async function readCapped(response: Response): Promise<string | null> {
  const reader = response.body?.getReader();
  if (!reader) return null;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BYTES) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The actor IRI a handle names, from the host's WebFinger `self` link; null when the host is not
 * allowed (nothing is fetched then), the account is unknown, or the answer is unusable.
 */
export async function webFingerActor(deps: WebFingerDeps, handle: Handle): Promise<URL | null> {
  if ((await deps.policy.decide(handle.host)) !== 'allow') return null;
  const scheme = await schemeOf(deps.peers, handle.host);
  const url = new URL(`${scheme}://${handle.host}/.well-known/webfinger`);
  url.searchParams.set('resource', `acct:${handle.username}@${handle.host}`);
  const response = await fetch(url, {
    headers: { accept: 'application/jrd+json, application/json' },
    redirect: 'manual',
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!response.ok) {
    await response.body?.cancel();
    return null;
  }
  const text = await readCapped(response);
  if (text === null) return null;
  let jrd: unknown;
  try {
    jrd = JSON.parse(text);
  } catch {
    return null;
  }
  const links = (jrd as { links?: unknown }).links;
  if (!Array.isArray(links)) return null;
  for (const link of links as { rel?: unknown; type?: unknown; href?: unknown }[]) {
    if (link?.rel !== 'self' || typeof link.href !== 'string') continue;
    if (typeof link.type === 'string' && !ACTIVITY_TYPES.some((t) => (link.type as string).startsWith(t))) continue;
    try {
      const href = new URL(link.href);
      if (href.protocol === 'https:' || href.protocol === 'http:') return href;
    } catch {
      continue;
    }
  }
  return null;
}

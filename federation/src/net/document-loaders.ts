// The loaders Fedify fetches referenced documents with (actors, keys, objects): our own instead of
// Fedify's getDocumentLoader, which accepts a missing content type, follows HTML and Link `alternate`
// links and parses whatever it gets. Ours (docs/federation-design.md §8, issue 3 item 8):
// - every hop's host must be allowed by the peer policy, at most 3 redirects;
// - the response must be `application/activity+json` or `application/ld+json` with the ActivityStreams
//   profile, at most 1 MiB, JSON without prototype keys;
// - the document's `id` must be the URL asked for (without its fragment), whatever the redirects;
// - contexts: only the ones Fedify ships, nothing is fetched for a context.
// Each load runs in the instance's outbound context, so the connect-time guard checks every address
// even when a loader is called from outside federation's own entry points.
import { FetchError, preloadedContexts, signRequest, type AuthenticatedDocumentLoaderFactory, type DocumentLoader, type DocumentLoaderFactory, type RemoteDocument } from '@fedify/fedify';
import type { Dispatcher } from 'undici';
import type { PeerPolicy } from './peer-policy.ts';
import { isOutboundRefusal, OUTBOUND_LIMITS } from './outbound-guard.ts';
import { runOutbound } from './outbound-context.ts';
import { hasForbiddenKey } from '../inbound-guard.ts';

/**
 * Our loaders refused a referenced document or context (a host not allowed, a wrong type, a wrong id,
 * too large). A refusal, not a failure: `statusCode` tells the inbox listeners not to retry it.
 */
export class KithRefusedFetch extends Error {
  override name = 'KithRefusedFetch';
  readonly statusCode = 400;
}

const USER_AGENT = 'Kith (+https://github.com/kith)';
const ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"';
const AS_PROFILE = 'https://www.w3.org/ns/activitystreams';

type Spec = 'rfc9421' | 'draft-cavage-http-signatures-12';
type Identity = Parameters<AuthenticatedDocumentLoaderFactory>[0];

/** Whether a Content-Type names an ActivityStreams document. */
export function isActivityStreamsType(header: string | null): boolean {
  if (!header) return false;
  const [type, ...params] = header.split(';').map((part) => part.trim());
  const media = type!.toLowerCase();
  if (media === 'application/activity+json') return true;
  if (media !== 'application/ld+json') return false;
  for (const param of params) {
    const profile = /^profile\s*=\s*"?([^"]*)"?$/i.exec(param)?.[1];
    if (profile?.split(/\s+/).includes(AS_PROFILE)) return true;
  }
  return false;
}

/** The body as text, refused past the size cap (the guard's `maxResponseSize` caps it as well). */
async function readCapped(response: Response, url: string): Promise<string> {
  const cap = OUTBOUND_LIMITS.maxResponseBytes;
  if (Number(response.headers.get('content-length') ?? 0) > cap) {
    await response.body?.cancel();
    throw new KithRefusedFetch(`document larger than ${cap} bytes: ${url}`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body?.getReader();
  if (!reader) return '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > cap) {
      await reader.cancel();
      throw new KithRefusedFetch(`document larger than ${cap} bytes: ${url}`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The guard's refusals and the size cap become KithRefusedFetch; anything else (a peer down) stays a failure. */
function refusalOf(error: unknown, url: string): unknown {
  if (error instanceof KithRefusedFetch) return error;
  if (isOutboundRefusal(error)) return new KithRefusedFetch(`refused by the outbound guard: ${url}`, { cause: error });
  for (let current: unknown = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    if ((current as { code?: unknown }).code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return new KithRefusedFetch(`document larger than ${OUTBOUND_LIMITS.maxResponseBytes} bytes: ${url}`);
  }
  return error;
}

/** The document's `id` must be the URL asked for, without its fragment. */
function checkId(url: string, document: unknown): void {
  const doc = document as { id?: unknown; '@id'?: unknown } | null;
  const id = doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc.id ?? doc['@id']) : undefined;
  if (typeof id !== 'string') throw new KithRefusedFetch(`document without an id: ${url}`);
  const wanted = new URL(url);
  wanted.hash = '';
  const got = new URL(id, url);
  got.hash = '';
  if (got.href !== wanted.href) throw new KithRefusedFetch(`document id ${got.href} is not ${wanted.href}`);
}

/** Sends one GET, signed as `identity` when given: RFC 9421 first, cavage when refused (double-knocking). */
type Send = (url: string, signal: AbortSignal | undefined) => Promise<Response>;

function unsigned(): Send {
  return (url, signal) => fetch(url, { headers: { accept: ACCEPT, 'user-agent': USER_AGENT }, redirect: 'manual', signal });
}

function signed(identity: Identity, remembered: Map<string, Spec>): Send {
  return async (url, signal) => {
    const origin = new URL(url).origin;
    const first = remembered.get(origin) ?? 'rfc9421';
    const specs: Spec[] = [first, first === 'rfc9421' ? 'draft-cavage-http-signatures-12' : 'rfc9421'];
    let response: Response | null = null;
    for (const spec of specs) {
      if (response) await response.body?.cancel();
      const request = new Request(url, { headers: { accept: ACCEPT, 'user-agent': USER_AGENT }, redirect: 'manual' });
      const signedRequest = await signRequest(request, identity.privateKey, identity.keyId, { spec });
      response = await fetch(signedRequest, { redirect: 'manual', signal });
      if (response.status !== 400 && response.status !== 401) {
        if (remembered.size > 10_000) remembered.clear();
        remembered.set(origin, spec);
        return response;
      }
    }
    return response!;
  };
}

/** A loader: policy per hop, redirects by hand, then type, size, JSON and id checks. */
function loader(policy: PeerPolicy, guard: Dispatcher, send: Send): DocumentLoader {
  async function load(url: string, signal: AbortSignal | undefined): Promise<RemoteDocument> {
    let current = url;
    for (let redirects = 0; ; redirects++) {
      if (!(await policy.allowsUrl(current))) throw new KithRefusedFetch(`host not allowed: ${current}`);
      const response = await send(current, signal);
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        if (redirects >= OUTBOUND_LIMITS.maxRedirects) throw new KithRefusedFetch(`more than ${OUTBOUND_LIMITS.maxRedirects} redirects: ${url}`);
        current = new URL(location, current).href;
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new FetchError(current, `HTTP ${response.status}: ${current}`);
      }
      if (!isActivityStreamsType(response.headers.get('content-type'))) {
        await response.body?.cancel();
        throw new KithRefusedFetch(`not an ActivityStreams document (${response.headers.get('content-type') ?? 'no content type'}): ${current}`);
      }
      let document: unknown;
      try {
        document = JSON.parse(await readCapped(response, current));
      } catch (error) {
        if (error instanceof SyntaxError) throw new KithRefusedFetch(`document is not JSON: ${current}`);
        throw error;
      }
      if (hasForbiddenKey(document)) throw new KithRefusedFetch(`document has a forbidden key: ${current}`);
      checkId(url, document);
      return { contextUrl: null, documentUrl: url, document };
    }
  }

  return (url, options) => {
    const preloaded = (preloadedContexts as Record<string, unknown>)[url];
    if (preloaded !== undefined) return Promise.resolve({ contextUrl: null, documentUrl: url, document: preloaded });
    return runOutbound(guard, async () => {
      try {
        return await load(url, options?.signal ?? undefined);
      } catch (error) {
        throw refusalOf(error, url);
      }
    });
  };
}

/** The three loader factories Fedify takes, bound to the instance's policy and outbound guard. */
export function documentLoaderFactories(
  policy: PeerPolicy,
  guard: Dispatcher,
): {
  documentLoaderFactory: DocumentLoaderFactory;
  contextLoaderFactory: DocumentLoaderFactory;
  authenticatedDocumentLoaderFactory: AuthenticatedDocumentLoaderFactory;
} {
  const remembered = new Map<string, Spec>();
  return {
    documentLoaderFactory: () => loader(policy, guard, unsigned()),
    // Only the contexts Fedify ships are served; nothing is fetched for a context.
    contextLoaderFactory: () => async (url) => {
      const document = (preloadedContexts as Record<string, unknown>)[url];
      if (document === undefined) throw new KithRefusedFetch(`context not preloaded: ${url}`);
      return { contextUrl: null, documentUrl: url, document };
    },
    authenticatedDocumentLoaderFactory: (identity) => loader(policy, guard, signed(identity, remembered)),
  };
}

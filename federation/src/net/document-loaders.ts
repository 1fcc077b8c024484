import {
  getAuthenticatedDocumentLoader,
  getDocumentLoader,
  preloadedContexts,
  type AuthenticatedDocumentLoaderFactory,
  type DocumentLoader,
  type DocumentLoaderFactory,
  type RemoteDocument,
} from '@fedify/fedify';
import type { PeerPolicy } from './peer-policy.ts';

/** Our loaders refused a referenced document or context (a host not allowed, a wrong type, a wrong id). */
export class KithRefusedFetch extends Error {
  override name = 'KithRefusedFetch';
}

const USER_AGENT = 'Kith (+https://github.com/kith)';
const MAX_REDIRECTION = 3;

/** Checks what a loader returned: the document's `id` must be the URL asked for (without its fragment). */
function checkDocument(url: string, remote: RemoteDocument): RemoteDocument {
  const doc = remote.document as { id?: unknown; '@id'?: unknown } | null;
  const id = doc && typeof doc === 'object' ? (doc.id ?? doc['@id']) : undefined;
  if (typeof id === 'string') {
    const wanted = new URL(url);
    wanted.hash = '';
    const got = new URL(id, url);
    got.hash = '';
    if (got.href !== wanted.href) throw new KithRefusedFetch(`document id ${got.href} is not ${wanted.href}`);
  }
  return remote;
}

function guarded(policy: PeerPolicy, inner: DocumentLoader): DocumentLoader {
  return async (url, options) => {
    if (!(await policy.allowsUrl(url))) throw new KithRefusedFetch(`host not allowed: ${url}`);
    return checkDocument(url, await inner(url, options));
  };
}

/**
 * Fedify's loader factories, guarded by the peer policy. `allowPrivateAddress: true` only turns off
 * Fedify's resolve-then-connect check: the allowlist decides instead (loopback peers are allowed
 * because they are peers).
 */
export function documentLoaderFactories(policy: PeerPolicy): {
  documentLoaderFactory: DocumentLoaderFactory;
  contextLoaderFactory: DocumentLoaderFactory;
  authenticatedDocumentLoaderFactory: AuthenticatedDocumentLoaderFactory;
} {
  return {
    documentLoaderFactory: () => guarded(policy, getDocumentLoader({ allowPrivateAddress: true, maxRedirection: MAX_REDIRECTION, userAgent: USER_AGENT })),
    // Only the contexts Fedify ships are served; nothing is fetched for a context.
    contextLoaderFactory: () => async (url) => {
      const document = (preloadedContexts as Record<string, unknown>)[url];
      if (document === undefined) throw new KithRefusedFetch(`context not preloaded: ${url}`);
      return { contextUrl: null, documentUrl: url, document };
    },
    authenticatedDocumentLoaderFactory: (identity) =>
      guarded(policy, getAuthenticatedDocumentLoader(identity, { allowPrivateAddress: true, maxRedirection: MAX_REDIRECTION, userAgent: USER_AGENT })),
  };
}

// Reads another department's links collection (`<actor>/links`) with a signed GET as the instance
// actor, through the guarded loader: the linked actors' ids, at most MAX_ITEMS, http(s) URLs only.
import type { Federation } from '@fedify/fedify';
import { INSTANCE_ACTOR, type KithCtx } from '../context.ts';

const MAX_ITEMS = 200;

export async function fetchLinkedActors(federation: Federation<KithCtx>, origin: string, actorUri: string): Promise<string[]> {
  const ctx = federation.createContext(new URL(origin), { signer: null });
  const loader = await ctx.getDocumentLoader({ identifier: INSTANCE_ACTOR });
  const { document } = await loader(`${actorUri.replace(/\/$/, '')}/links`);
  const body = document as Record<string, unknown>;
  const items = Array.isArray(body.items) ? body.items : Array.isArray(body.orderedItems) ? body.orderedItems : body.items !== undefined ? [body.items] : [];
  const ids: string[] = [];
  for (const item of items.slice(0, MAX_ITEMS)) {
    const id = typeof item === 'string' ? item : item && typeof item === 'object' ? (item as Record<string, unknown>).id : null;
    if (typeof id !== 'string') continue;
    try {
      const url = new URL(id);
      if (url.protocol === 'http:' || url.protocol === 'https:') ids.push(url.href);
    } catch {
      // not a URL: skipped
    }
  }
  return ids;
}

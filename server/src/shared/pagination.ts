import { Type, type Static } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Mastodon's paging parameters: ids are exclusive bounds; min_id pages forward from a point. */
export const PageQuerySchema = Type.Object({
  max_id: Type.Optional(Type.String({ maxLength: 32 })),
  since_id: Type.Optional(Type.String({ maxLength: 32 })),
  min_id: Type.Optional(Type.String({ maxLength: 32 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
});
export type PageQueryInput = Static<typeof PageQuerySchema>;

/** A paging id as clients may send it: digits only (Kith ids have 16), anything else is a client error. */
export const IdBound = Type.String({ pattern: '^[0-9]{0,20}$' });

/**
 * Brings a paging id to the 16 digits of Kith ids, so that Redis feeds (which compare ids as numbers)
 * and MongoDB (which compares fixed-width strings) agree: a shorter id sorts below every id, a longer
 * one above.
 */
export function idBound(id: string | null): string | null {
  if (id === null) return null;
  const digits = id.replace(/^0+/, '') || '0';
  return digits.length > 16 ? '9'.repeat(16) : digits.padStart(16, '0');
}

export interface Page {
  /** Only ids below this. */
  maxId: string | null;
  /** Only ids above this, newest first. */
  sinceId: string | null;
  /** Only ids above this, the ones just above it first (then returned newest first). */
  minId: string | null;
  limit: number;
}

/** Reads Mastodon paging parameters; limit is clamped to `max` (Mastodon clamps instead of failing). */
export function toPage(query: PageQueryInput, defaultLimit = 20, max = 40): Page {
  return {
    maxId: query.max_id || null,
    sinceId: query.since_id || null,
    minId: query.min_id || null,
    limit: Math.min(query.limit ?? defaultLimit, max),
  };
}

/** A MongoDB filter on a string id field for a page (ids are fixed-width, so string order is time order). */
export function pageFilter(page: Page): { $lt?: string; $gt?: string } | undefined {
  const filter: { $lt?: string; $gt?: string } = {};
  if (page.maxId) filter.$lt = page.maxId;
  const lower = page.minId ?? page.sinceId;
  if (lower) filter.$gt = lower;
  return Object.keys(filter).length ? filter : undefined;
}

/** The sort a page needs: min_id reads upward from its bound, everything else reads downward. */
export function pageSortDirection(page: Page): 1 | -1 {
  return page.minId ? 1 : -1;
}

/** Puts records read for a page into Mastodon's order (newest first). */
export function newestFirst<T>(page: Page, items: T[]): T[] {
  return page.minId ? [...items].reverse() : items;
}

/**
 * Sets Mastodon's Link header: "next" pages older (max_id = the last id), "prev" pages newer
 * (min_id = the first id). `ids` are the paging ids of the returned items, newest first.
 */
export function setLinkHeader(request: FastifyRequest, reply: FastifyReply, publicUrl: string, ids: string[]): void {
  if (ids.length === 0) return;
  const base = new URL(request.url, publicUrl);
  const link = (rel: string, key: string, id: string) => {
    const url = new URL(base);
    for (const k of ['max_id', 'since_id', 'min_id']) url.searchParams.delete(k);
    url.searchParams.set(key, id);
    return `<${url.href}>; rel="${rel}"`;
  };
  reply.header('link', [link('next', 'max_id', ids[ids.length - 1]!), link('prev', 'min_id', ids[0]!)].join(', '));
}

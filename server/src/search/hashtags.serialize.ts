import type { HashtagView } from './hashtags.service.ts';

/** Mastodon's Tag entity. */
export interface TagEntity {
  /** Empty for a tag nobody used yet (Mastodon shows an unsaved tag the same way). */
  id: string;
  name: string;
  url: string;
  /** Newest day first; Mastodon sends every number as a string. */
  history: { day: string; uses: string; accounts: string }[];
  following: boolean;
  featuring: boolean;
}

/** Hashtag → Mastodon Tag entity. Kith has no followed or featured tags yet. */
export function toTagEntity(tag: HashtagView, publicUrl: string): TagEntity {
  return {
    id: tag.id ?? '',
    name: tag.displayName,
    url: `${publicUrl}/tags/${encodeURIComponent(tag.name)}`,
    history: tag.history.map((h) => ({ day: String(h.day), uses: String(h.uses), accounts: String(h.accounts) })),
    following: false,
    featuring: false,
  };
}

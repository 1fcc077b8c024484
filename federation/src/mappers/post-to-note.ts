// LocalNote → Note, addressed the way Mastodon addresses statuses (ActivityPub::TagManager#to / #cc):
//   public:   to Public,             cc followers + mentioned
//   unlisted: to followers,          cc Public + mentioned
//   private:  to followers,          cc mentioned
//   direct:   to mentioned
//   local:    never mapped (department-only statuses never leave the instance)
import { Temporal as TemporalPolyfill } from '@js-temporal/polyfill';
import { Hashtag, LanguageString, Mention, Note, PUBLIC_COLLECTION } from '@fedify/fedify/vocab';
import type { LocalNote } from '../ports.ts';
import { attachmentObject } from './note-attachments.ts';

/** The IRIs the mapper needs; federation.ts builds them from the Fedify context. */
export interface NoteUris {
  /** The actor IRI of a local account. */
  actor(username: string): URL;
  /** The followers collection of a local account. */
  followers(username: string): URL;
  /** The Note IRI of a local status. */
  note(username: string, statusId: string): URL;
  /** The page of a hashtag on this instance. */
  hashtag(name: string): URL;
}

/** Who a status is addressed to. */
export interface Addressing {
  to: URL[];
  cc: URL[];
}

/** The to/cc of a local status by its visibility, or null for `local` (it never federates). */
export function noteAddressing(post: Pick<LocalNote, 'authorUsername' | 'visibility' | 'mentions'>, uris: NoteUris): Addressing | null {
  const followers = uris.followers(post.authorUsername);
  const mentioned = post.mentions.map((m) => new URL(m.uri));
  switch (post.visibility) {
    case 'public':
      return { to: [PUBLIC_COLLECTION], cc: [followers, ...mentioned] };
    case 'unlisted':
      return { to: [followers], cc: [PUBLIC_COLLECTION, ...mentioned] };
    case 'private':
      return { to: [followers], cc: mentioned };
    case 'direct':
      return { to: mentioned, cc: [] };
    default:
      return null;
  }
}

/**
 * Converts a Date to the Temporal.Instant Fedify's vocabulary wants. Node 24 has no global Temporal; Fedify
 * uses the polyfill at run time while its types name the TypeScript lib's Temporal, hence the cast.
 */
export function toInstant(date: Date): Temporal.Instant {
  return TemporalPolyfill.Instant.fromEpochMilliseconds(date.getTime()) as unknown as Temporal.Instant;
}

/**
 * Renders a local status as a Note. Returns null for a `local` status, a boost (it becomes an Announce
 * in the outbox) and a deleted status (it becomes a Tombstone).
 */
export function postToNote(post: LocalNote, uris: NoteUris): Note | null {
  if (post.reblogOfUri !== null || post.deletedAt !== null) return null;
  const addressing = noteAddressing(post, uris);
  if (!addressing) return null;
  return new Note({
    id: uris.note(post.authorUsername, post.statusId),
    attribution: uris.actor(post.authorUsername),
    // The status page (what Mastodon's `url` is), so a colleague can paste it into search.
    url: new URL(`/@${post.authorUsername}/${encodeURIComponent(post.statusId)}`, uris.actor(post.authorUsername)),
    content: post.language ? new LanguageString(post.contentHtml, post.language) : post.contentHtml,
    summary: post.spoilerText.length > 0 ? post.spoilerText : null,
    sensitive: post.sensitive || post.spoilerText.length > 0,
    replyTarget: post.inReplyToUri ? new URL(post.inReplyToUri) : null,
    published: toInstant(post.createdAt),
    updated: post.editedAt ? toInstant(post.editedAt) : null,
    tos: addressing.to,
    ccs: addressing.cc,
    tags: [
      ...post.mentions.map((m) => new Mention({ href: new URL(m.uri), name: `@${m.acct}` })),
      ...post.tags.map((name) => new Hashtag({ href: uris.hashtag(name), name: `#${name}` })),
    ],
    attachments: (post.attachments ?? []).map(attachmentObject),
  });
}

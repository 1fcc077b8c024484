// Note → RemoteNoteInput. Everything remote is checked and capped here, before any port is called:
// the Note must belong to its author's origin, its HTML is sanitized to Mastodon's allowlist, and
// mentions, hashtags and text have upper bounds. Visibility comes from the addressing, as Mastodon
// derives it (ActivityPub::Activity::Create#visibility_from_audience).
import { Hashtag, LanguageString, Mention, type Note } from '@fedify/fedify/vocab';
import type { RemoteNoteInput, Visibility } from '../ports.ts';
import { remoteText, sanitizeRemoteHtml } from './sanitize-in.ts';
import { remoteAttachments } from './note-attachments.ts';

/** Upper bounds on what a remote Note may carry. */
export const NOTE_CAPS = {
  /** Raw content HTML, in UTF-16 units; longer Notes are refused (cutting HTML would garble it). */
  contentChars: 100_000,
  /** Content warning, in characters; longer ones are cut. */
  summaryChars: 1_000,
  /** Mentions kept (the first ones); the rest are ignored. */
  mentions: 50,
  /** Hashtags kept (the first ones); the rest are ignored. */
  tags: 30,
  /** Length of one hashtag name. */
  tagChars: 100,
} as const;

/** The already-stored remote author of a Note. */
export interface NoteAuthor {
  /** The local account id of the author. */
  accountId: string;
  /** The author's actor IRI (the activity's verified actor). */
  actorUri: string;
  /** The author's followers collection, or null when unknown. */
  followersUrl: string | null;
}

/** The result of mapping: a note to store, or why it was refused. */
export type NoteMapping = { ok: true; note: RemoteNoteInput } | { ok: false; reason: string };

const PUBLIC_IRIS = new Set(['https://www.w3.org/ns/activitystreams#Public', 'as:Public', 'Public']);

/** The visibility a Note's addressing means. */
export function visibilityFromAudience(to: readonly URL[], cc: readonly URL[], followersUrl: string | null): Visibility {
  if (to.some((u) => PUBLIC_IRIS.has(u.href))) return 'public';
  if (cc.some((u) => PUBLIC_IRIS.has(u.href))) return 'unlisted';
  if (followersUrl !== null && to.some((u) => u.href === followersUrl)) return 'private';
  return 'direct';
}

/** Tags are read from the Note as received; a tag given only by IRI is never fetched. */
const refuseLoad = async (url: string): Promise<never> => {
  throw new Error(`tag ${url} is not embedded`);
};

const HASHTAG_NAME = /^[\p{L}\p{M}\p{N}_]+$/u;

function stringOf(value: string | LanguageString | null | undefined): string | null {
  return value === null || value === undefined ? null : value.toString();
}

/** Maps a remote Note whose author is already stored. Refuses Notes that are not the author's own. */
export async function noteToRemotePost(note: Note, author: NoteAuthor): Promise<NoteMapping> {
  if (note.id === null) return { ok: false, reason: 'note has no id' };
  const actor = new URL(author.actorUri);
  if (note.id.origin !== actor.origin) return { ok: false, reason: 'note id is not on the author origin' };
  const attributions = note.attributionIds;
  if (attributions.length !== 1 || attributions[0]!.href !== actor.href) {
    return { ok: false, reason: 'note is not attributed to the activity actor' };
  }

  const rawContent = note.content ?? note.contents[0] ?? '';
  const rawHtml = rawContent.toString();
  if (rawHtml.length > NOTE_CAPS.contentChars) return { ok: false, reason: 'content too long' };
  const language = rawContent instanceof LanguageString ? rawContent.locale.language : null;

  const mentionUris: string[] = [];
  const tags: string[] = [];
  for await (const tag of note.getTags({ documentLoader: refuseLoad, contextLoader: refuseLoad, suppressError: true })) {
    if (tag instanceof Mention) {
      const href = tag.href;
      if (href && (href.protocol === 'https:' || href.protocol === 'http:') && !mentionUris.includes(href.href)) {
        if (mentionUris.length < NOTE_CAPS.mentions) mentionUris.push(href.href);
      }
    } else if (tag instanceof Hashtag) {
      const name = (stringOf(tag.name) ?? '').replace(/^#/, '').toLowerCase();
      if (name.length > 0 && name.length <= NOTE_CAPS.tagChars && HASHTAG_NAME.test(name) && !tags.includes(name)) {
        if (tags.length < NOTE_CAPS.tags) tags.push(name);
      }
    }
  }

  const url = note.url instanceof URL ? note.url : (note.url?.href ?? null);
  const spoilerText = remoteText(stringOf(note.summary) ?? '', NOTE_CAPS.summaryChars);
  const published = note.published ? new Date(note.published.epochMilliseconds) : new Date();
  const attachments = await remoteAttachments(note);
  return {
    ok: true,
    note: {
      uri: note.id.href,
      url: url && (url.protocol === 'https:' || url.protocol === 'http:') ? url.href : null,
      authorId: author.accountId,
      contentHtml: sanitizeRemoteHtml(rawHtml),
      spoilerText,
      sensitive: note.sensitive === true || spoilerText.length > 0,
      visibility: visibilityFromAudience(note.toIds, note.ccIds, author.followersUrl),
      language: language && /^[a-z]{2,3}$/.test(language) ? language : null,
      inReplyToUri: note.replyTargetId?.href ?? null,
      mentionUris,
      tags,
      published,
      updated: note.updated ? new Date(note.updated.epochMilliseconds) : null,
      ...(attachments.length > 0 ? { attachments } : {}),
    },
  };
}

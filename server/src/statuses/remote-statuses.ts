// The rules for statuses that arrive from other instances: what a remote author may send, and how it
// becomes a StatusRecord. Federation has mapped and sanitized the Note already; HTML is stored as given.
import type { AccountRecord, Visibility } from '../accounts/accounts.store.ts';
import { Forbidden, Invalid } from '../shared/errors.ts';
import { htmlToPlainText } from '../shared/html.ts';
import { wordTerms } from '../shared/search-terms.ts';
import { isTagName, normalizeTag } from './hashtag-names.ts';
import { normalizeLanguage, STATUS_LIMITS } from './status-compose.ts';
import { MAX_ATTACHMENTS, type RemoteAttachment } from './status-media.ts';

/** A remote Note, mapped and sanitized by federation, as StatusesService.receiveRemote takes it. */
export interface RemoteStatusInput {
  uri: string;
  url: string | null;
  /** The (already stored) remote author. */
  authorId: string;
  /** Sanitized HTML. */
  contentHtml: string;
  spoilerText: string;
  sensitive: boolean;
  visibility: Visibility;
  language: string | null;
  inReplyToUri: string | null;
  mentionUris: string[];
  tags: string[];
  published: Date;
  updated: Date | null;
  /** Its attachments, pointing at its instance (absent: none). */
  attachments?: RemoteAttachment[];
}

/** The attachments a remote status keeps: http(s) URLs only, at most the local cap. */
export function remoteAttachments(input: RemoteStatusInput): RemoteAttachment[] {
  return (input.attachments ?? []).filter((a) => /^https?:\/\//i.test(a.url)).slice(0, MAX_ATTACHMENTS);
}

/** The content fields of a remote status, checked and derived (plain text, tags, search terms). */
export interface RemoteContent {
  url: string | null;
  text: string;
  contentHtml: string;
  spoilerText: string;
  sensitive: boolean;
  language: string | null;
  tags: string[];
  searchTerms: string[];
}

const HTML_MAX = 100_000;
const SPOILER_MAX = 1_000;

/**
 * Checks that `author` may send this status: a remote, unsuspended account whose host is the
 * status's host; `local` visibility never comes from another instance. Throws Forbidden or Invalid.
 */
export function checkRemoteAuthor(input: RemoteStatusInput, author: AccountRecord | null): AccountRecord {
  if (!author || author.domain === null || author.suspended) throw new Forbidden('Not a remote author');
  let host: string;
  try {
    const url = new URL(input.uri);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
    host = url.host;
  } catch {
    throw new Invalid('Validation failed: Status id is not an http(s) URL');
  }
  if (host !== author.domain) throw new Forbidden('The status is not on its author host');
  if (input.visibility === 'local') throw new Invalid('Validation failed: A remote status cannot be local');
  return author;
}

/** The content a remote status stores; caps apply as for local ones (tags) or generously (HTML). */
export function remoteContent(input: RemoteStatusInput): RemoteContent {
  if (input.contentHtml.length > HTML_MAX) throw new Invalid('Validation failed: Content is too long');
  const spoilerText = input.spoilerText.slice(0, SPOILER_MAX);
  const text = htmlToPlainText(input.contentHtml);
  const tags = [...new Set(input.tags.map(normalizeTag).filter(isTagName))].slice(0, STATUS_LIMITS.tags);
  let url: string | null = null;
  if (input.url !== null && /^https?:\/\//i.test(input.url)) url = input.url;
  return {
    url,
    text,
    contentHtml: input.contentHtml,
    spoilerText,
    sensitive: input.sensitive || spoilerText !== '',
    language: normalizeLanguage(input.language),
    tags,
    searchTerms: wordTerms(text, spoilerText),
  };
}

/** When a remote status was created, as this instance orders it: never in the future. */
export function remoteCreatedAt(published: Date, now: Date): Date {
  return Number.isNaN(published.getTime()) || published > now ? now : published;
}

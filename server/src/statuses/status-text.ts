// Plain text in, safe HTML out, for statuses: links, @mentions (local and remote accounts) and #hashtags,
// written the way Mastodon writes them so its clients style them. Every other character is escaped
// by plainTextToHtml, so hostile input can only ever come out as text.
import { escapeHtml, findUrlLinks, mergeLinks, plainTextToHtml, type TextLink } from '../shared/html.ts';
import { HASHTAG_PATTERN, MAX_TAG_LENGTH, normalizeTag } from './hashtag-names.ts';

/** Mastodon counts every URL as this many characters, whatever its length. */
export const URL_LENGTH = 23;
/** URLs longer than this (the longest browsers and servers reliably take) count at their full length. */
export const MAX_COUNTED_URL_LENGTH = 2048;

// @user or @user@domain (the domain may carry a port, as this instance's does in development).
// Not after a word character, "/" or "=", so e-mail addresses and URL paths are not mentions.
const MENTION_PATTERN = /(?<![=/\w])@([a-z0-9_]{1,30})(?:@([a-z0-9.-]+[a-z0-9](?::\d{1,5})?))?(?![\w@])/gi;

/** An account (local or remote) a mention can point at. */
export interface MentionTarget {
  id: string;
  username: string;
  url: string;
}

/** A handle found in text: the username, and the domain when one was written. */
export interface HandleMatch {
  start: number;
  end: number;
  username: string;
  domain: string | null;
}

/** What rendering produced: the HTML and what it links to. */
export interface RenderedText {
  html: string;
  /** Mentioned accounts' ids, in order of first appearance, without repeats. */
  mentionIds: string[];
  /** Lower-case hashtag names, in order of first appearance, without repeats. */
  tags: string[];
}

/** Every @handle in text, whoever it names. */
export function findHandles(text: string): HandleMatch[] {
  const found: HandleMatch[] = [];
  for (const match of text.matchAll(MENTION_PATTERN)) {
    found.push({ start: match.index, end: match.index + match[0].length, username: match[1]!, domain: match[2] ?? null });
  }
  return found;
}

/** The usernames (lower case) of the handles in text that could be accounts of this instance. */
export function localMentionCandidates(text: string, localDomain: string): string[] {
  const names = findHandles(text)
    .filter((h) => h.domain === null || h.domain.toLowerCase() === localDomain.toLowerCase())
    .map((h) => h.username.toLowerCase());
  return [...new Set(names)];
}

/** A handle of another instance found in text. */
export interface RemoteHandle {
  username: string;
  /** The domain as written, lower case. */
  domain: string;
}

/** The handles in text that name accounts of other instances, without repeats (case-insensitive). */
export function remoteMentionCandidates(text: string, localDomain: string): RemoteHandle[] {
  const found = new Map<string, RemoteHandle>();
  for (const h of findHandles(text)) {
    if (h.domain === null || h.domain.toLowerCase() === localDomain.toLowerCase()) continue;
    const handle = { username: h.username, domain: h.domain.toLowerCase() };
    const key = mentionKey(handle.username, handle.domain, localDomain);
    if (!found.has(key)) found.set(key, handle);
  }
  return [...found.values()];
}

/**
 * How mention targets are keyed: a local account by its lower-case username, a remote one by its
 * lower-case "username@domain".
 */
export function mentionKey(username: string, domain: string | null, localDomain: string): string {
  const local = domain === null || domain.toLowerCase() === localDomain.toLowerCase();
  return local ? username.toLowerCase() : `${username}@${domain}`.toLowerCase();
}

interface TaggedLink extends TextLink {
  mentionId?: string;
  tag?: string;
}

function hashtagLinks(text: string, publicUrl: string): TaggedLink[] {
  const links: TaggedLink[] = [];
  for (const match of text.matchAll(HASHTAG_PATTERN)) {
    const name = match[1]!;
    if (name.length > MAX_TAG_LENGTH) continue;
    const tag = normalizeTag(name);
    const href = `${publicUrl}/tags/${encodeURIComponent(tag)}`;
    links.push({
      start: match.index,
      end: match.index + match[0].length,
      tag,
      html: `<a href="${escapeHtml(href)}" class="mention hashtag" rel="tag">#<span>${escapeHtml(name)}</span></a>`,
    });
  }
  return links;
}

function mentionLinks(text: string, localDomain: string, targets: ReadonlyMap<string, MentionTarget>): TaggedLink[] {
  const links: TaggedLink[] = [];
  for (const handle of findHandles(text)) {
    const target = targets.get(mentionKey(handle.username, handle.domain, localDomain));
    // Unknown handles stay plain text: a link to nobody would mislead.
    if (!target) continue;
    links.push({
      start: handle.start,
      end: handle.end,
      mentionId: target.id,
      html: `<span class="h-card" translate="no"><a href="${escapeHtml(target.url)}" class="u-url mention">@<span>${escapeHtml(target.username)}</span></a></span>`,
    });
  }
  return links;
}

/**
 * Renders a status's plain text as safe HTML. `targets` maps mention keys (mentionKey) to the
 * accounts they name (found with localMentionCandidates and remoteMentionCandidates); a remote one
 * shows as "@user" like Mastodon's. URLs win over mentions and tags inside them, so
 * "https://x.test/#a" is one link and no tag.
 */
export function renderStatusText(
  text: string,
  context: { publicUrl: string; localDomain: string; targets: ReadonlyMap<string, MentionTarget> },
): RenderedText {
  const links = mergeLinks(findUrlLinks(text), mentionLinks(text, context.localDomain, context.targets), hashtagLinks(text, context.publicUrl)) as TaggedLink[];
  const mentionIds = new Set<string>();
  const tags = new Set<string>();
  for (const link of links) {
    if (link.mentionId) mentionIds.add(link.mentionId);
    if (link.tag) tags.add(link.tag);
  }
  return { html: plainTextToHtml(text, links), mentionIds: [...mentionIds], tags: [...tags] };
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

function graphemeCount(text: string): number {
  let n = 0;
  for (const _ of graphemes.segment(text)) n++;
  return n;
}

/**
 * The length Mastodon's limit applies to: text plus content warning, in user-perceived characters
 * (an emoji with modifiers is one), every URL counted as 23 and "@user@domain" as "@user". A URL
 * longer than 2048 characters is no link anyone can follow but a way around the limit: it counts in full.
 */
export function countedLength(text: string, spoilerText = ''): number {
  const countable = text
    .replace(/\bhttps?:\/\/[^\s<>"']+/gi, (url) => (url.length > MAX_COUNTED_URL_LENGTH ? url : 'x'.repeat(URL_LENGTH)))
    .replace(MENTION_PATTERN, (_m, username: string) => `@${username}`);
  return graphemeCount(countable) + graphemeCount(spoilerText);
}

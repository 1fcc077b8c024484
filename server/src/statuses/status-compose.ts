// The rules a status's text must pass, shared by create and edit, and the rendering that follows.
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { AccountRecord } from '../accounts/accounts.store.ts';
import { accountUrl, type Origin } from '../accounts/accounts.serialize.ts';
import { Invalid } from '../shared/errors.ts';
import { wordTerms } from '../shared/search-terms.ts';
import { countedLength, localMentionCandidates, mentionKey, remoteMentionCandidates, renderStatusText, type MentionTarget } from './status-text.ts';

/** The caps Kith applies to statuses. */
export const STATUS_LIMITS = {
  /** Mastodon's default: text plus content warning, URLs counted as 23. */
  characters: 500,
  /** Distinct accounts one status may mention (Mastodon sets none; a cap keeps mass-pings out). */
  mentions: 50,
  /** Distinct hashtags one status may carry. */
  tags: 20,
  /** How long an Idempotency-Key is remembered (Mastodon: one hour). */
  idempotencySeconds: 3600,
  /** Context: statuses above (Mastodon: 40) and below (Mastodon allows 4096 signed in), and reply depth below. */
  contextAncestors: 40,
  contextDescendants: 200,
  contextDepth: 20,
  /** Statuses pinned to one profile (Mastodon: 5). */
  pins: 5,
} as const;

/** A status's text rendered and checked. */
export interface ComposedText {
  text: string;
  spoilerText: string;
  contentHtml: string;
  mentionIds: string[];
  tags: string[];
  searchTerms: string[];
}

/** Accounts of other instances by handle: known ones, or fetched now from an allowed instance (search/remote-directory.ts). */
export interface RemoteAccountFinder {
  accountByHandle(username: string, domain: string, resolve: boolean): Promise<AccountRecord | null>;
}

const LANGUAGE_PATTERN = /^[a-z]{2,3}(?:-[a-z]{2,4})?$/i;

/** A valid language code, normalized ("pt-br" → "pt-BR"), or null for anything else (Mastodon ignores those). */
export function normalizeLanguage(language: string | null | undefined): string | null {
  if (!language || !LANGUAGE_PATTERN.test(language)) return null;
  const [base, region] = language.split('-');
  return region ? `${base!.toLowerCase()}-${region.length === 2 ? region.toUpperCase() : region}` : base!.toLowerCase();
}

/**
 * Checks text and content warning against the rules and renders them: throws Invalid with
 * Mastodon's messages for blank text (allowed with `allowBlank`, for a status with attachments), text over the limit, and too many mentions or tags. Mentions of
 * other instances' accounts ("@bob@host") are looked up through `remote` (and fetched when unknown, as
 * Mastodon's ResolveMentionsService does); a handle nobody answers for stays plain text.
 */
export async function composeText(text: string, spoilerText: string, accounts: AccountsService, origin: Origin, remote: RemoteAccountFinder | null = null, allowBlank = false): Promise<ComposedText> {
  if (text.trim() === '' && !allowBlank) throw new Invalid("Validation failed: Text can't be blank");
  if (countedLength(text, spoilerText) > STATUS_LIMITS.characters) {
    throw new Invalid(`Validation failed: Text character limit of ${STATUS_LIMITS.characters} exceeded`);
  }
  const candidates = localMentionCandidates(text, origin.domain);
  const remoteCandidates = remote ? remoteMentionCandidates(text, origin.domain) : [];
  if (candidates.length + remoteCandidates.length > STATUS_LIMITS.mentions) {
    throw new Invalid(`Validation failed: Text mentions too many accounts (maximum is ${STATUS_LIMITS.mentions})`);
  }
  const found = await accounts.findLocalByUsernames(candidates);
  const targets = new Map<string, MentionTarget>(
    found.filter((a) => !a.suspended).map((a) => [a.usernameLower, { id: a._id, username: a.username, url: accountUrl(a, origin) }]),
  );
  const remoteFound = await Promise.all(remoteCandidates.map((h) => remote!.accountByHandle(h.username, h.domain, true)));
  remoteCandidates.forEach((handle, i) => {
    const account = remoteFound[i];
    if (account) targets.set(mentionKey(handle.username, handle.domain, origin.domain), { id: account._id, username: account.username, url: accountUrl(account, origin) });
  });
  const rendered = renderStatusText(text, { publicUrl: origin.publicUrl, localDomain: origin.domain, targets });
  if (rendered.tags.length > STATUS_LIMITS.tags) {
    throw new Invalid(`Validation failed: Text has too many hashtags (maximum is ${STATUS_LIMITS.tags})`);
  }
  return {
    text,
    spoilerText,
    contentHtml: rendered.html,
    mentionIds: rendered.mentionIds,
    tags: rendered.tags,
    searchTerms: wordTerms(text, spoilerText),
  };
}

import { newId } from '../shared/ids.ts';
import type { Visibility } from '../accounts/accounts.store.ts';

/** A status as MongoDB stores it (collection "statuses"). A boost is a status with reblogOfId set. */
export interface StatusRecord {
  _id: string;
  accountId: string;
  /** The ActivityPub id for statuses from other instances; null for this instance's own (derived from _id). */
  uri: string | null;
  /** A remote status's human-facing page (its Note's url); absent or null for this instance's. */
  url?: string | null;
  /** The text as typed (plain text); contentHtml is what clients render. */
  text: string;
  contentHtml: string;
  spoilerText: string;
  sensitive: boolean;
  visibility: Visibility;
  language: string | null;
  inReplyToId: string | null;
  inReplyToAccountId: string | null;
  reblogOfId: string | null;
  /** Accounts mentioned, in order of appearance. */
  mentionIds: string[];
  /** Lower-case hashtag names, without '#'. */
  tags: string[];
  /** Attachments (media_attachments ids), in order; absent on statuses stored before media. */
  mediaIds?: string[];
  applicationId: string | null;
  createdAt: Date;
  editedAt: Date | null;
  /** Set when deleted; the record stays as a tombstone for federation and idempotency. */
  deletedAt: Date | null;
  repliesCount: number;
  reblogsCount: number;
  favouritesCount: number;
  /** Normalized words of text and spoiler text (search). */
  searchTerms: string[];
  /**
   * Bumped by every write to the record, so the Redis cache (status-cache.ts) never lets an older
   * copy replace a newer one when writes race.
   */
  rev: number;
}

/** One earlier version of an edited status (collection "status_edits"). */
export interface StatusEditRecord {
  _id: string;
  statusId: string;
  accountId: string;
  text: string;
  contentHtml: string;
  spoilerText: string;
  sensitive: boolean;
  language: string | null;
  mentionIds: string[];
  tags: string[];
  /** The attachments this version had; absent when none. */
  mediaIds?: string[];
  /** When this version was published (the status's creation, or the edit that produced it). */
  createdAt: Date;
}

/** A status as one version of its history, dated `at` (the creation, or the edit that produced it). */
export function statusVersion(record: StatusRecord, at: Date): StatusEditRecord {
  return {
    _id: newId(),
    statusId: record._id,
    accountId: record.accountId,
    text: record.text,
    contentHtml: record.contentHtml,
    spoilerText: record.spoilerText,
    sensitive: record.sensitive,
    language: record.language,
    mentionIds: record.mentionIds,
    tags: record.tags,
    ...(record.mediaIds?.length ? { mediaIds: record.mediaIds } : {}),
    createdAt: at,
  };
}

// What statuses need from the media domain (implemented by MediaService): attaching uploads to a
// status, remote attachments, and the entities a status shows.
import type { MediaAttachmentEntity } from '../media/media.serialize.ts';

/** Attachments one status may carry (Mastodon's limit). */
export const MAX_ATTACHMENTS = 4;

/** An attachment of a remote status, as federation mapped it (never fetched). */
export interface RemoteAttachment {
  /** An absolute http(s) URL on the author's instance. */
  url: string;
  mediaType: string | null;
  /** Alt text, plain text. */
  description: string;
  width?: number | null;
  height?: number | null;
}

export interface StatusMedia {
  /**
   * Attaches the author's uploads to a status, all or none: Invalid (422) naming the first id that is
   * unknown, another account's, or attached to another status.
   */
  attach(accountId: string, statusId: string, mediaIds: readonly string[]): Promise<void>;
  /** Gives attached media back to the uploader (edits that drop them; a failed post). */
  detach(statusId: string, mediaIds: readonly string[]): Promise<void>;
  /** Stores a remote status's attachments (replacing earlier ones when they changed); their ids in order. */
  storeRemote(accountId: string, statusId: string, attachments: readonly RemoteAttachment[]): Promise<string[]>;
  /** Attachment entities by id (unknown ids are left out). */
  entities(ids: readonly string[]): Promise<Map<string, MediaAttachmentEntity>>;
}

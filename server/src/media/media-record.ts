import type { ObjectId } from 'mongodb';

/** Mastodon's attachment types; Kith stores images and files (`unknown`), and remote ones of any type. */
export type MediaType = 'image' | 'video' | 'gifv' | 'audio' | 'unknown';

/** Pixel size of one variant, as Mastodon's meta shows it ("size" is "WxH", not bytes). */
export interface VariantMeta {
  width: number;
  height: number;
  size: string;
  aspect: number;
}

/** One stored variant's bytes in GridFS. */
export interface StoredFile {
  id: ObjectId;
  bytes: number;
  contentType: string;
}

/** The focal point of an image, each axis from -1 to 1 (Mastodon's focus). */
export interface FocalPoint {
  x: number;
  y: number;
}

/**
 * One attachment (collection "media_attachments"). A local one has its bytes in GridFS (bucket
 * "media") and a random `key` that names it in /media/<key>/<variant>; a remote one only points at
 * its `remoteUrl`, which this server never fetches.
 */
export interface MediaRecord {
  _id: string;
  /** 128 random bits (base64url) naming the local files in their URL; null for remote media. */
  key: string | null;
  /** The uploader (or the remote author). */
  accountId: string;
  /** The status it belongs to; null while it waits to be attached. */
  statusId: string | null;
  type: MediaType;
  /** The type of the stored original, sniffed from its content (or the remote's mediaType, unchecked). */
  contentType: string;
  /** The uploaded file's name, cleaned, for downloads of files; '' for remote media. */
  fileName: string;
  /** Bytes of the stored original; 0 for remote media. */
  size: number;
  /** Alt text, plain text. */
  description: string;
  focus: FocalPoint | null;
  meta: { original?: VariantMeta; small?: VariantMeta };
  /** GridFS ids of the stored variants (images have a small one); null for remote media. */
  files: { original: StoredFile; small: StoredFile | null } | null;
  remoteUrl: string | null;
  /** Since when it has been waiting for a status (upload, or detachment); null while attached. */
  pendingSince: Date | null;
  createdAt: Date;
}

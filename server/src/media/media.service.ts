import { randomBytes } from 'node:crypto';
import type { AccountRecord } from '../accounts/accounts.store.ts';
import { Invalid, NotFound, PayloadTooLarge } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { RemoteAttachment, StatusMedia } from '../statuses/status-media.ts';
import { sniffContent } from './content-sniffing.ts';
import { processImage, processProfileImage, type ProfileImageKind } from './image-processing.ts';
import type { MediaFiles } from './media-files.ts';
import type { FocalPoint, MediaRecord, MediaType, StoredFile } from './media-record.ts';
import { mediaUrl, toMediaEntity, type MediaAttachmentEntity } from './media.serialize.ts';
import type { MediaStore } from './media.store.ts';

export interface MediaLimits {
  /** Largest image upload, in bytes. */
  maxImageBytes: number;
  /** Largest upload of any kind, in bytes. */
  maxFileBytes: number;
}

/** What a client uploads. */
export interface Upload {
  bytes: Buffer;
  /** The name the client gave; kept (cleaned) only as the download name of files. */
  fileName: string;
  description?: string;
  /** Mastodon's "x,y", each from -1 to 1. */
  focus?: string;
}

/** An attachment as a Note carries it (federation's NoteAttachment). */
export interface FederatedAttachment {
  kind: 'image' | 'document';
  url: string;
  mediaType: string;
  description: string;
  width: number | null;
  height: number | null;
}

/** Alt text limit (the instance entity's description_limit). */
export const DESCRIPTION_LIMIT = 1500;
/** Media nobody attached within this long is removed. */
export const PENDING_LIFETIME_MS = 24 * 3600_000;
// The sweep runs on uploads (only uploads create pending media), at most this often per process.
const SWEEP_INTERVAL_MS = 10 * 60_000;
const SWEEP_BATCH = 100;

const megabytes = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[\u0000-\u001f\u007f"]/g, '').trim().slice(0, 200);
  return cleaned === '' ? 'file' : cleaned;
}

function checkDescription(description: string): string {
  if ([...description].length > DESCRIPTION_LIMIT) {
    throw new Invalid(`Validation failed: Description is too long (maximum is ${DESCRIPTION_LIMIT} characters)`);
  }
  return description;
}

function parseFocus(focus: string): FocalPoint {
  const parts = focus.split(',').map((p) => p.trim());
  const [x, y] = parts.map(Number);
  if (parts.length !== 2 || !Number.isFinite(x) || !Number.isFinite(y) || Math.abs(x!) > 1 || Math.abs(y!) > 1) {
    throw new Invalid('Validation failed: Focus must be "x,y" with each between -1.0 and 1.0');
  }
  return { x: x!, y: y! };
}

function remoteType(mediaType: string | null): MediaType {
  const top = mediaType?.split('/')[0];
  return top === 'image' || top === 'video' || top === 'audio' ? top : 'unknown';
}

/** Uploads, their alt text, attachment to statuses, remote attachments, serving and the sweep. */
export class MediaService implements StatusMedia {
  private readonly store: MediaStore;
  private readonly files: MediaFiles;
  private readonly limits: MediaLimits;
  private readonly publicUrl: string;
  private lastSweep = 0;

  constructor(deps: { store: MediaStore; files: MediaFiles; limits: MediaLimits; publicUrl: string }) {
    this.store = deps.store;
    this.files = deps.files;
    this.limits = deps.limits;
    this.publicUrl = deps.publicUrl;
  }

  get maxUploadBytes(): number {
    return Math.max(this.limits.maxImageBytes, this.limits.maxFileBytes);
  }

  /**
   * Stores an upload, waiting for a status: an image re-encoded with a thumbnail, an office file or
   * text as it is. Invalid (422) for executables and unaccepted content, PayloadTooLarge (413) over the limits.
   */
  async upload(account: AccountRecord, upload: Upload): Promise<MediaRecord> {
    const description = checkDescription(upload.description ?? '');
    const focus = upload.focus ? parseFocus(upload.focus) : null;
    if (upload.bytes.length > this.maxUploadBytes) throw new PayloadTooLarge(`The file is too large (maximum is ${megabytes(this.maxUploadBytes)})`);
    const sniffed = await sniffContent(upload.bytes);
    if (sniffed.kind === 'image' && upload.bytes.length > this.limits.maxImageBytes) {
      throw new PayloadTooLarge(`The image is too large (maximum is ${megabytes(this.limits.maxImageBytes)})`);
    }
    if (sniffed.kind === 'file' && upload.bytes.length > this.limits.maxFileBytes) {
      throw new PayloadTooLarge(`The file is too large (maximum is ${megabytes(this.limits.maxFileBytes)})`);
    }
    await this.sweepNow();

    const id = newId();
    const stored: StoredFile[] = [];
    const put = async (bytes: Buffer, contentType: string): Promise<StoredFile> => {
      const file = { id: await this.files.put(bytes, id, contentType), bytes: bytes.length, contentType };
      stored.push(file);
      return file;
    };
    try {
      let record: MediaRecord;
      const base = { _id: id, key: randomBytes(16).toString('base64url'), accountId: account._id, statusId: null, description, focus, remoteUrl: null, pendingSince: new Date(), createdAt: new Date() };
      if (sniffed.kind === 'image') {
        const image = await processImage(upload.bytes, sniffed.format);
        const original = await put(image.original.bytes, image.original.contentType);
        const small = await put(image.small.bytes, image.small.contentType);
        record = {
          ...base, type: 'image', contentType: original.contentType, fileName: cleanFileName(upload.fileName), size: original.bytes,
          meta: { original: image.original.meta, small: image.small.meta }, files: { original, small },
        };
      } else {
        const original = await put(upload.bytes, sniffed.contentType);
        record = { ...base, type: 'unknown', contentType: sniffed.contentType, fileName: cleanFileName(upload.fileName), size: original.bytes, meta: {}, files: { original, small: null } };
      }
      await this.store.insert(record);
      return record;
    } catch (error) {
      await Promise.all(stored.map((file) => this.files.remove(file.id)));
      throw error;
    }
  }

  /** The account's own media; NotFound for anyone else's. */
  async getOwn(accountId: string, id: string): Promise<MediaRecord> {
    const record = await this.store.get(id);
    if (!record || record.accountId !== accountId || record.key === null) throw new NotFound();
    return record;
  }

  /** Changes alt text or focus of the account's media that is not attached yet (as Mastodon; attached media change with their status). */
  async update(accountId: string, id: string, change: { description?: string; focus?: string }): Promise<MediaRecord> {
    const current = await this.getOwn(accountId, id);
    if (current.statusId !== null) throw new Invalid('Validation failed: This file is attached to a post already; edit the post instead');
    const set: Partial<Pick<MediaRecord, 'description' | 'focus'>> = {};
    if (change.description !== undefined) set.description = checkDescription(change.description);
    if (change.focus !== undefined) set.focus = change.focus === '' ? null : parseFocus(change.focus);
    const updated = await this.store.updatePending(id, accountId, set);
    if (!updated) throw new Invalid('Validation failed: This file is attached to a post already; edit the post instead');
    return updated;
  }

  /** Deletes the account's media that is not attached to a status. */
  async deletePending(accountId: string, id: string): Promise<MediaRecord> {
    const record = await this.getOwn(accountId, id);
    if (record.statusId !== null) throw new Invalid('Validation failed: This file is attached to a post; delete or edit the post instead');
    await this.removeRecords([record]);
    return record;
  }

  /**
   * Stores an account's new avatar or header (an image only, under the image size limit, cropped to its box)
   * and returns its URL; the caller removes the image it replaces once the profile points at the new one.
   * It is never pending, so the sweep leaves it, and no status can take it (its id is never shown).
   */
  async storeProfileImage(account: AccountRecord, kind: ProfileImageKind, bytes: Buffer): Promise<string> {
    const label = kind === 'avatar' ? 'Avatar' : 'Header';
    if (bytes.length > this.limits.maxImageBytes) throw new PayloadTooLarge(`The image is too large (maximum is ${megabytes(this.limits.maxImageBytes)})`);
    const sniffed = await sniffContent(bytes);
    if (sniffed.kind !== 'image') throw new Invalid(`Validation failed: ${label} must be an image (JPEG, PNG, WebP, GIF or AVIF)`);
    const image = await processProfileImage(bytes, sniffed.format, kind);
    const id = newId();
    const file = { id: await this.files.put(image.bytes, id, image.contentType), bytes: image.bytes.length, contentType: image.contentType };
    const record: MediaRecord = {
      _id: id, key: randomBytes(16).toString('base64url'), accountId: account._id, statusId: null, type: 'image',
      contentType: image.contentType, fileName: kind, size: file.bytes, description: '', focus: null,
      meta: { original: image.meta }, files: { original: file, small: null }, remoteUrl: null, pendingSince: null, createdAt: new Date(),
    };
    try {
      await this.store.insert(record);
    } catch (error) {
      await this.files.remove(file.id);
      throw error;
    }
    return mediaUrl(this.publicUrl, record.key!, 'original');
  }

  /** Removes a profile image this instance stored for the account, given its URL; anything else is left alone. */
  async removeProfileImage(accountId: string, url: string | null): Promise<void> {
    const prefix = `${this.publicUrl}/media/`;
    if (!url?.startsWith(prefix)) return;
    const record = await this.store.getByKey(url.slice(prefix.length).split('/')[0]!);
    if (record && record.accountId === accountId && record.statusId === null && record.pendingSince === null) await this.removeRecords([record]);
  }

  async attach(accountId: string, statusId: string, mediaIds: readonly string[]): Promise<void> {
    const ids = [...new Set(mediaIds)];
    if (ids.length === 0) return;
    const found = new Map((await this.store.getMany(ids)).map((r) => [r._id, r]));
    for (const id of ids) {
      const record = found.get(id);
      if (!record || record.accountId !== accountId || record.key === null) throw new Invalid(`Validation failed: Media ${id} could not be found`);
      if (record.statusId !== null && record.statusId !== statusId) throw new Invalid(`Validation failed: Media ${id} is attached to another post already`);
    }
    const free = ids.filter((id) => found.get(id)!.statusId === null);
    if (free.length === 0) return;
    const attached = await this.store.attach(free, accountId, statusId);
    if (attached !== free.length) {
      // Another post took one of them meanwhile: give back what this one took.
      await this.store.detach(statusId, free);
      throw new Invalid('Validation failed: Media is attached to another post already');
    }
  }

  async detach(statusId: string, mediaIds: readonly string[]): Promise<void> {
    if (mediaIds.length > 0) await this.store.detach(statusId, mediaIds);
  }

  /**
   * A status was deleted: its remote attachments go; its uploads wait for a status again (for
   * "delete & redraft", as in Mastodon) and are swept a day later if none takes them.
   */
  async releaseForStatus(statusId: string): Promise<void> {
    const records = await this.store.forStatus(statusId);
    await this.store.remove(records.filter((r) => r.key === null).map((r) => r._id));
    if (records.some((r) => r.key !== null)) await this.store.detach(statusId);
  }

  async storeRemote(accountId: string, statusId: string, attachments: readonly RemoteAttachment[]): Promise<string[]> {
    const current = (await this.store.forStatus(statusId)).filter((r) => r.key === null).sort((x, y) => (x._id < y._id ? -1 : 1));
    const same = current.length === attachments.length
      && current.every((r, i) => r.remoteUrl === attachments[i]!.url && r.description === attachments[i]!.description && r.contentType === (attachments[i]!.mediaType ?? ''));
    if (same) return current.map((r) => r._id);
    await this.store.remove(current.map((r) => r._id));
    const ids: string[] = [];
    for (const attachment of attachments) {
      const { width, height } = attachment;
      const record: MediaRecord = {
        _id: newId(), key: null, accountId, statusId, type: remoteType(attachment.mediaType), contentType: attachment.mediaType ?? '',
        fileName: '', size: 0, description: attachment.description.slice(0, DESCRIPTION_LIMIT), focus: null,
        meta: width && height ? { original: { width, height, size: `${width}x${height}`, aspect: Math.round((width / height) * 1e6) / 1e6 } } : {},
        files: null, remoteUrl: attachment.url, pendingSince: null, createdAt: new Date(),
      };
      await this.store.insert(record);
      ids.push(record._id);
    }
    return ids;
  }

  async entities(ids: readonly string[]): Promise<Map<string, MediaAttachmentEntity>> {
    const records = await this.store.getMany(ids);
    return new Map(records.map((r) => [r._id, toMediaEntity(r, this.publicUrl)]));
  }

  /** A local status's attachments as its Note carries them, in order. */
  async federated(ids: readonly string[]): Promise<FederatedAttachment[]> {
    const byId = new Map((await this.store.getMany(ids)).map((r) => [r._id, r]));
    return ids.map((id) => byId.get(id)).filter((r): r is MediaRecord => r !== undefined && r.key !== null).map((r) => ({
      kind: r.type === 'image' ? 'image' : 'document',
      url: toMediaEntity(r, this.publicUrl).url!,
      mediaType: r.contentType.split(';')[0]!,
      description: r.description,
      width: r.meta.original?.width ?? null,
      height: r.meta.original?.height ?? null,
    }));
  }

  /** The stored variant a /media URL names, or null. */
  async findFile(key: string, variant: 'original' | 'small'): Promise<{ record: MediaRecord; file: StoredFile } | null> {
    const record = await this.store.getByKey(key);
    const file = record?.files?.[variant] ?? null;
    return record && file ? { record, file } : null;
  }

  /** A stream of a stored variant, whole or the bytes [start, end). */
  openFile(file: StoredFile, range?: { start: number; end: number }) {
    return this.files.open(file.id, range);
  }

  /** Removes media that waited for a status since before `now` minus a day; returns how many. */
  async sweep(now: Date = new Date()): Promise<number> {
    const stale = await this.store.pendingBefore(new Date(now.getTime() - PENDING_LIFETIME_MS), SWEEP_BATCH);
    await this.removeRecords(stale);
    return stale.length;
  }

  private async sweepNow(): Promise<void> {
    if (Date.now() - this.lastSweep < SWEEP_INTERVAL_MS) return;
    this.lastSweep = Date.now();
    await this.sweep();
  }

  private async removeRecords(records: readonly MediaRecord[]): Promise<void> {
    await this.store.remove(records.map((r) => r._id));
    for (const record of records) {
      for (const file of [record.files?.original, record.files?.small]) if (file) await this.files.remove(file.id);
    }
  }
}

// Domain → Mastodon MediaAttachment entity. Local media are served by this instance under
// /media/<key>/<variant>; remote ones point at their own instance (remote_url), fetched by readers'
// clients, never by this server.
import type { MediaRecord, MediaType, VariantMeta, FocalPoint } from './media-record.ts';

export interface MediaAttachmentEntity {
  id: string;
  type: MediaType;
  url: string | null;
  preview_url: string | null;
  remote_url: string | null;
  preview_remote_url: null;
  text_url: null;
  meta: { original?: VariantMeta; small?: VariantMeta; focus?: FocalPoint };
  description: string | null;
  blurhash: null;
  /** Kith's addition for files: the name to show and the size in bytes. */
  kith: { file_name: string; content_type: string; bytes: number };
}

/** The URL of a variant of local media. */
export function mediaUrl(publicUrl: string, key: string, variant: 'original' | 'small'): string {
  return `${publicUrl}/media/${key}/${variant}`;
}

export function toMediaEntity(record: MediaRecord, publicUrl: string): MediaAttachmentEntity {
  const local = record.key !== null;
  const url = local ? mediaUrl(publicUrl, record.key!, 'original') : record.remoteUrl;
  const hasSmall = local ? record.files?.small != null : record.type === 'image';
  const meta: MediaAttachmentEntity['meta'] = { ...record.meta };
  if (record.focus) meta.focus = record.focus;
  return {
    id: record._id,
    type: record.type,
    url,
    preview_url: hasSmall ? (local ? mediaUrl(publicUrl, record.key!, 'small') : record.remoteUrl) : null,
    remote_url: local ? null : record.remoteUrl,
    preview_remote_url: null,
    text_url: null,
    meta,
    description: record.description === '' ? null : record.description,
    blurhash: null,
    kith: { file_name: record.fileName, content_type: record.contentType, bytes: record.size },
  };
}

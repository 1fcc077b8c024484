// Attachments of Notes, both ways: out as Image (images) or Document (files) with the alt text as
// `name`, as Mastodon sends them; in, read from the Note as received (never fetched), kept only with an
// http(s) URL, at most four, the alt text turned into capped plain text.
import { Document, Image, LanguageString, Link } from '@fedify/fedify/vocab';
import type { Note } from '@fedify/fedify/vocab';
import type { NoteAttachment } from '../ports.ts';
import { remoteText } from './sanitize-in.ts';

/** Upper bounds on a remote Note's attachments. */
export const ATTACHMENT_CAPS = {
  /** Attachments kept (the first ones, Mastodon's limit). */
  count: 4,
  /** Alt text, in characters. */
  descriptionChars: 1_500,
} as const;

const MEDIA_TYPE = /^[\w.+-]{1,64}\/[\w.+-]{1,64}$/;

/** A local attachment as the object a Note carries. */
export function attachmentObject(attachment: NoteAttachment): Document {
  const values = {
    url: new URL(attachment.url),
    mediaType: attachment.mediaType,
    name: attachment.description === '' ? null : attachment.description,
    width: attachment.width,
    height: attachment.height,
  };
  return attachment.kind === 'image' ? new Image(values) : new Document(values);
}

/** An attachment is read from the Note as received; one given only by IRI is never fetched. */
const refuseLoad = async (url: string): Promise<never> => {
  throw new Error(`attachment ${url} is not embedded`);
};

function httpUrl(value: URL | Link | null): string | null {
  const url = value instanceof Link ? value.href : value;
  return url && (url.protocol === 'https:' || url.protocol === 'http:') ? url.href : null;
}

function count(value: number | null): number | null {
  return value !== null && Number.isInteger(value) && value > 0 && value <= 100_000 ? value : null;
}

/** The attachments of a remote Note worth keeping, in order. */
export async function remoteAttachments(note: Note): Promise<NoteAttachment[]> {
  const found: NoteAttachment[] = [];
  for await (const item of note.getAttachments({ documentLoader: refuseLoad, contextLoader: refuseLoad, suppressError: true })) {
    if (found.length >= ATTACHMENT_CAPS.count) break;
    if (!(item instanceof Document)) continue;
    const url = httpUrl(item.url);
    if (!url) continue;
    const mediaType = item.mediaType && MEDIA_TYPE.test(item.mediaType) ? item.mediaType.toLowerCase() : null;
    const name = item.name instanceof LanguageString ? item.name.toString() : (item.name ?? '');
    found.push({
      kind: item instanceof Image || mediaType?.startsWith('image/') ? 'image' : 'document',
      url,
      mediaType,
      description: remoteText(name, ATTACHMENT_CAPS.descriptionChars),
      width: count(item.width),
      height: count(item.height),
    });
  }
  return found;
}

import { describe, expect, it } from 'vitest';
import { Document, Image, Link, Note } from '@fedify/fedify/vocab';
import { ATTACHMENT_CAPS, attachmentObject, remoteAttachments } from './note-attachments.ts';

const BOB = 'http://127.0.0.1:3102/users/bob';

describe('attachments out', () => {
  it('an image becomes an Image and a file a Document, the alt text as name, as Mastodon reads them', async () => {
    const image = attachmentObject({ kind: 'image', url: 'http://127.0.0.1:3101/media/k/original', mediaType: 'image/png', description: 'A chart', width: 64, height: 48 });
    expect(await image.toJsonLd({ format: 'compact' })).toMatchObject({
      type: 'Image', url: 'http://127.0.0.1:3101/media/k/original', mediaType: 'image/png', name: 'A chart', width: 64, height: 48,
    });
    const file = attachmentObject({ kind: 'document', url: 'http://127.0.0.1:3101/media/f/original', mediaType: 'application/pdf', description: '', width: null, height: null });
    const json = (await file.toJsonLd({ format: 'compact' })) as Record<string, unknown>;
    expect(json).toMatchObject({ type: 'Document', mediaType: 'application/pdf' });
    expect(json.name).toBeUndefined();
  });
});

describe('attachments in', () => {
  it('keeps http(s) URLs only, at most four, with plain-text alt text and sane types and sizes', async () => {
    const note = new Note({
      id: new URL(`${BOB}/statuses/1`),
      attachments: [
        new Document({ url: new URL('javascript:alert(1)'), mediaType: 'image/png', name: 'bad scheme' }),
        new Document({ url: new URL('http://127.0.0.1:3102/a.jpg'), mediaType: 'image/jpeg', name: '<b>Team</b> photo', width: 800, height: 0 }),
        new Image({ url: new Link({ href: new URL('https://files.example/b.png') }), mediaType: 'not a type' }),
        new Document({ url: new URL('https://files.example/c.pdf'), mediaType: 'application/pdf', name: 'x'.repeat(2000) }),
        new Document({ url: new URL('https://files.example/d.pdf'), mediaType: 'application/pdf' }),
        new Document({ url: new URL('https://files.example/e.pdf'), mediaType: 'application/pdf' }),
      ],
    });
    const found = await remoteAttachments(note);
    expect(found).toHaveLength(ATTACHMENT_CAPS.count);
    expect(found[0]).toEqual({ kind: 'image', url: 'http://127.0.0.1:3102/a.jpg', mediaType: 'image/jpeg', description: 'Team photo', width: 800, height: null });
    expect(found[1]).toEqual({ kind: 'image', url: 'https://files.example/b.png', mediaType: null, description: '', width: null, height: null });
    expect(found[2]!.description).toHaveLength(ATTACHMENT_CAPS.descriptionChars);
    expect(found.map((a) => a.url)).not.toContain('https://files.example/e.pdf');
  });

  it('never fetches an attachment given only by its IRI', async () => {
    const note = new Note({ id: new URL(`${BOB}/statuses/2`), attachments: [new URL('http://127.0.0.1:9/never-fetched')] });
    expect(await remoteAttachments(note)).toEqual([]);
  });
});

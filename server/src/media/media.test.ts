// Uploads over real HTTP (multipart, as Mastodon apps send them): images re-encoded without EXIF, type
// sniffed from content, executables and oversized files refused, files served inert, attachment to
// statuses with the owner check, alt text, and the sweep of media nobody attached.
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';

let kith: TestInstance;
let alice: TestUser;
let bob: TestUser;

// Small limits, so "too large" needs only a couple of megabytes.
const LIMITS = { MEDIA_MAX_IMAGE_MB: '1', MEDIA_MAX_FILE_MB: '2' };

beforeAll(async () => {
  kith = await startTestInstance(LIMITS);
  [alice, bob] = await Promise.all([kith.createUser('alice'), kith.createUser('bob')]);
});
afterAll(async () => {
  await kith?.close();
});

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

/** Uploads bytes as the multipart field "file", under a name and client content type that may lie. */
async function upload(user: TestUser | null, bytes: Buffer, name: string, options: { type?: string; fields?: Record<string, string>; path?: string } = {}): Promise<Answer> {
  const form = new FormData();
  for (const [key, value] of Object.entries(options.fields ?? {})) form.append(key, value);
  form.append('file', new Blob([new Uint8Array(bytes)], { type: options.type ?? 'application/octet-stream' }), name);
  const headers: Record<string, string> = user ? { authorization: `Bearer ${user.token}` } : {};
  const response = await fetch(`${kith.url}${options.path ?? '/api/v2/media'}`, { method: 'POST', headers, body: form });
  return { status: response.status, body: await response.json(), headers: response.headers };
}

async function fetchBytes(url: string, headers: Record<string, string> = {}): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
  const response = await fetch(url, { headers });
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()), headers: response.headers };
}

/** A 600×300 JPEG whose EXIF says "rotate 90° to show" (orientation 6) and carries a camera and a GPS position. */
function photoWithExif(): Promise<Buffer> {
  return sharp({ create: { width: 600, height: 300, channels: 3, background: { r: 200, g: 40, b: 40 } } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'KithCam', Model: 'Spy 3000' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '52/1 31/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '13/1 24/1 0/1' },
    })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

const tinyPng = () => sharp({ create: { width: 40, height: 30, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 0.5 } } }).png().toBuffer();
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

describe('POST /api/v2/media', () => {
  it('re-encodes a JPEG: upright, EXIF and GPS gone, original and 400 px thumbnail with their sizes', async () => {
    const photo = await photoWithExif();
    const before = await sharp(photo).metadata();
    expect(before.orientation).toBe(6);
    expect(before.exif).toBeDefined();
    expect(photo.includes(Buffer.from('KithCam'))).toBe(true);

    const res = await upload(alice, photo, 'IMG_0001.jpg', { type: 'image/jpeg', fields: { description: 'A red wall', focus: '0.5,-0.25' } });
    expect(res.status).toBe(200);
    const media = res.body;
    expect(media).toMatchObject({
      type: 'image',
      description: 'A red wall',
      remote_url: null,
      blurhash: null,
      meta: {
        original: { width: 300, height: 600, size: '300x600', aspect: 0.5 },
        small: { width: 200, height: 400, size: '200x400', aspect: 0.5 },
        focus: { x: 0.5, y: -0.25 },
      },
    });
    expect(media.url).toMatch(new RegExp(`^${kith.url}/media/[\\w-]{22}/original$`));
    expect(media.preview_url).toBe(media.url.replace(/original$/, 'small'));

    const original = await fetchBytes(media.url);
    expect(original.status).toBe(200);
    expect(original.headers.get('content-type')).toBe('image/jpeg');
    const stored = await sharp(original.bytes).metadata();
    expect([stored.width, stored.height]).toEqual([300, 600]);
    expect(stored.exif).toBeUndefined();
    expect(stored.orientation).toBeUndefined();
    expect(original.bytes.includes(Buffer.from('KithCam'))).toBe(false);

    const small = await sharp((await fetchBytes(media.preview_url)).bytes).metadata();
    expect([small.width, small.height]).toEqual([200, 400]);
    expect(small.exif).toBeUndefined();
  });

  it('caps an image at 4096 px on its longest side', async () => {
    const wide = await sharp({ create: { width: 5000, height: 500, channels: 3, background: '#808080' } }).jpeg().toBuffer();
    const res = await upload(alice, wide, 'panorama.jpg');
    expect(res.status).toBe(200);
    expect(res.body.meta.original).toMatchObject({ width: 4096, height: 410 });
    expect(res.body.meta.small).toMatchObject({ width: 400, height: 40 });
  });

  it('takes the type from the content: a PNG named report.pdf and sent as a PDF is an image', async () => {
    const res = await upload(alice, await tinyPng(), 'report.pdf', { type: 'application/pdf', path: '/api/v1/media' });
    expect(res.status).toBe(200);
    expect(res.body.type).toBe('image');
    const served = await fetchBytes(res.body.url);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect((await sharp(served.bytes).metadata()).format).toBe('png');
  });

  it('refuses a renamed program with 422 and says why', async () => {
    const elf = await readFile('/bin/ls');
    const res = await upload(alice, elf, 'holiday.jpg', { type: 'image/jpeg' });
    expect(res.status).toBe(422);
    expect(res.body.error).toBe('Validation failed: Executable files are not allowed (the content is an ELF (Linux) program, whatever its name)');

    const script = await upload(alice, Buffer.from('#!/bin/sh\necho hello\n'), 'notes.txt', { type: 'text/plain' });
    expect(script.status).toBe(422);
    expect(script.body.error).toMatch(/^Validation failed: Executable files are not allowed \(the content is a script/);

    const windows = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(58), Buffer.from([0x40, 0, 0, 0]), Buffer.from('PE\0\0'), Buffer.alloc(200)]);
    const exe = await upload(alice, windows, 'minutes.docx');
    expect(exe.status).toBe(422);
    expect(exe.body.error).toMatch(/Executable files are not allowed/);
  });

  it('refuses an image over the image limit, and any file over the file limit, with 413 and the limit', async () => {
    // Noise does not compress: about 1.4 MB of PNG, over the 1 MB image limit and under the 2 MB file limit.
    const noise = await sharp(Buffer.from(Array.from({ length: 700 * 700 * 3 }, () => Math.floor(Math.random() * 256))), { raw: { width: 700, height: 700, channels: 3 } }).png().toBuffer();
    expect(noise.length).toBeGreaterThan(1024 * 1024);
    const image = await upload(alice, noise, 'big.png', { type: 'image/png' });
    expect(image.status).toBe(413);
    expect(image.body.error).toBe('The image is too large (maximum is 1 MB)');

    const text = await upload(alice, Buffer.alloc(3 * 1024 * 1024, 'a'), 'big.txt', { type: 'text/plain' });
    expect(text.status).toBe(413);
    expect(text.body.error).toBe('The file is too large (maximum is 2 MB)');
  });

  it('keeps a PDF as it is, as type unknown, served as a download', async () => {
    const res = await upload(alice, PDF, 'Q3 Bericht für Jürgen.pdf', { type: 'image/png' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ type: 'unknown', preview_url: null, kith: { file_name: 'Q3 Bericht für Jürgen.pdf', content_type: 'application/pdf', bytes: PDF.length } });
    const served = await fetchBytes(res.body.url);
    expect(served.bytes.equals(PDF)).toBe(true);
    expect(served.headers.get('content-type')).toBe('application/pdf');
    expect(served.headers.get('content-disposition')).toBe(`attachment; filename="Q3 Bericht f_r J_rgen.pdf"; filename*=UTF-8''Q3%20Bericht%20f%C3%BCr%20J%C3%BCrgen.pdf`);
  });

  it('keeps plain text and CSV as text', async () => {
    const res = await upload(alice, Buffer.from('name;team\nalice;finance\n'), 'team.csv', { type: 'text/csv' });
    expect(res.status).toBe(200);
    expect(res.body.kith.content_type).toBe('text/plain; charset=utf-8');
    const binary = await upload(alice, Buffer.from([0, 1, 2, 3, 200, 201]), 'data.csv');
    expect(binary.status).toBe(422);
    expect(binary.body.error).toMatch(/not recognized/);
  });

  it('refuses requests without a file or token, and a too long description', async () => {
    const noToken = await upload(null, await tinyPng(), 'a.png');
    expect(noToken.status).toBe(401);
    const noFile = await alice.api.post('/api/v2/media', { description: 'nothing' });
    expect(noFile.status).toBe(422);
    expect(noFile.body.error).toMatch(/^Validation failed: File can't be blank/);
    const long = await upload(alice, await tinyPng(), 'a.png', { fields: { description: 'x'.repeat(1501) } });
    expect(long.status).toBe(422);
    expect(long.body.error).toBe('Validation failed: Description is too long (maximum is 1500 characters)');
    const badFocus = await upload(alice, await tinyPng(), 'a.png', { fields: { focus: '2,0' } });
    expect(badFocus.status).toBe(422);
  });
});

describe('GET /media/:key/:variant', () => {
  it('serves the bytes inert: nosniff, a sandboxing CSP, long private caching, ranges', async () => {
    const media = (await upload(alice, await tinyPng(), 'a.png')).body;
    const whole = await fetchBytes(media.url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('x-content-type-options')).toBe('nosniff');
    expect(whole.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(whole.headers.get('content-disposition')).toBe('inline');
    expect(whole.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    expect(Number(whole.headers.get('content-length'))).toBe(whole.bytes.length);

    const part = await fetchBytes(media.url, { range: 'bytes=1-3' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1-3/${whole.bytes.length}`);
    expect(part.bytes.equals(whole.bytes.subarray(1, 4))).toBe(true);
    expect((await fetchBytes(media.url, { range: `bytes=${whole.bytes.length}-` })).status).toBe(416);
    expect((await fetchBytes(media.url, { 'if-none-match': whole.headers.get('etag')! })).status).toBe(304);

    expect((await fetchBytes(`${kith.url}/media/AAAAAAAAAAAAAAAAAAAAAA/original`)).status).toBe(404);
    expect((await fetchBytes(media.url.replace(/original$/, 'large'))).status).toBe(404);
  });
});

describe('attachments and alt text', () => {
  it('changes alt text before posting, attaches to a status (text may be blank), then only the post changes it', async () => {
    const media = (await upload(alice, await tinyPng(), 'chart.png')).body;
    const described = await alice.api.put(`/api/v1/media/${media.id}`, { description: 'Sales by quarter, rising' });
    expect(described.status).toBe(200);
    expect(described.body.description).toBe('Sales by quarter, rising');
    expect((await alice.api.get(`/api/v1/media/${media.id}`)).body.description).toBe('Sales by quarter, rising');
    expect((await alice.api.put(`/api/v1/media/${media.id}`, { description: 'y'.repeat(1501) })).status).toBe(422);

    const posted = await alice.api.post('/api/v1/statuses', { status: '', media_ids: [media.id] });
    expect(posted.status).toBe(200);
    expect(posted.body.media_attachments).toEqual([expect.objectContaining({ id: media.id, type: 'image', url: media.url, description: 'Sales by quarter, rising' })]);
    const read = await bob.api.get(`/api/v1/statuses/${posted.body.id}`);
    expect(read.body.media_attachments.map((m: { id: string }) => m.id)).toEqual([media.id]);

    const late = await alice.api.put(`/api/v1/media/${media.id}`, { description: 'changed' });
    expect(late.status).toBe(422);
    expect(late.body.error).toMatch(/attached to a post/);
    const again = await alice.api.post('/api/v1/statuses', { status: 'twice', media_ids: [media.id] });
    expect(again.status).toBe(422);
    expect(again.body.error).toBe(`Validation failed: Media ${media.id} is attached to another post already`);
  });

  it('refuses another account\'s media, and leaves nothing stored', async () => {
    const media = (await upload(alice, await tinyPng(), 'mine.png')).body;
    const before = (await bob.api.get(`/api/v1/accounts/${bob.account._id}/statuses`)).body.length;
    const res = await bob.api.post('/api/v1/statuses', { status: 'look', media_ids: [media.id] });
    expect(res.status).toBe(422);
    expect(res.body.error).toBe(`Validation failed: Media ${media.id} could not be found`);
    expect((await bob.api.get(`/api/v1/accounts/${bob.account._id}/statuses`)).body.length).toBe(before);
    expect((await bob.api.get(`/api/v1/media/${media.id}`)).status).toBe(404);
    expect((await bob.api.put(`/api/v1/media/${media.id}`, { description: 'hijacked' })).status).toBe(404);
    // Still Alice's to post.
    expect((await alice.api.post('/api/v1/statuses', { status: 'mine', media_ids: [media.id] })).status).toBe(200);
  });

  it('an edit changes the attachments; a dropped one can be posted again, and so can those of a deleted post', async () => {
    const [first, second] = [(await upload(alice, await tinyPng(), '1.png')).body, (await upload(alice, PDF, 'agenda.pdf')).body];
    const posted = await alice.api.post('/api/v1/statuses', { status: 'Agenda', media_ids: [first.id] });
    const edited = await alice.api.put(`/api/v1/statuses/${posted.body.id}`, { status: 'Agenda', media_ids: [second.id] });
    expect(edited.status).toBe(200);
    expect(edited.body.media_attachments.map((m: { id: string }) => m.id)).toEqual([second.id]);
    expect(edited.body.edited_at).not.toBeNull();
    const history = await alice.api.get(`/api/v1/statuses/${posted.body.id}/history`);
    expect(history.body.map((v: { media_attachments: { id: string }[] }) => v.media_attachments.map((m) => m.id))).toEqual([[first.id], [second.id]]);

    const reused = await alice.api.post('/api/v1/statuses', { status: 'Chart', media_ids: [first.id] });
    expect(reused.status).toBe(200);

    // Delete & redraft: the answer carries the attachments, which a new post may take.
    const deleted = await alice.api.delete(`/api/v1/statuses/${posted.body.id}`);
    expect(deleted.body.media_attachments.map((m: { id: string }) => m.id)).toEqual([second.id]);
    await kith.idle();
    const redraft = await alice.api.post('/api/v1/statuses', { status: 'Agenda, again', media_ids: [second.id] });
    expect(redraft.status).toBe(200);
  });

  it('removes media nobody attached within a day, files included', async () => {
    const media = (await upload(alice, await tinyPng(), 'forgotten.png')).body;
    const attached = (await upload(alice, await tinyPng(), 'kept.png')).body;
    await alice.api.post('/api/v1/statuses', { status: 'kept', media_ids: [attached.id] });
    expect(await kith.services.media.sweep(new Date(Date.now() + 23 * 3600_000))).toBe(0);
    expect(await kith.services.media.sweep(new Date(Date.now() + 25 * 3600_000))).toBeGreaterThanOrEqual(1);
    expect((await alice.api.get(`/api/v1/media/${media.id}`)).status).toBe(404);
    expect((await fetchBytes(media.url)).status).toBe(404);
    expect((await fetchBytes(attached.url)).status).toBe(200);
  });
});

// Avatar and header uploads through PATCH /api/v1/accounts/update_credentials (multipart file fields, as
// Mastodon apps send them): re-encoded by the media pipeline without EXIF, cropped to their box, served by
// this instance; the replaced image is removed; non-images and oversized images are refused, nothing changed.
import { MongoClient } from 'mongodb';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';

let kith: TestInstance;
let alice: TestUser;

beforeAll(async () => {
  kith = await startTestInstance({ MEDIA_MAX_IMAGE_MB: '1' });
  alice = await kith.createUser('alice');
});
afterAll(async () => {
  await kith?.close();
});

/** PATCHes update_credentials as multipart: text fields and files by field name. */
async function patchProfile(user: TestUser, files: Record<string, { bytes: Buffer; name: string }>, fields: Record<string, string> = {}) {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  for (const [key, file] of Object.entries(files)) form.append(key, new Blob([new Uint8Array(file.bytes)], { type: 'image/png' }), file.name);
  const response = await fetch(`${kith.url}/api/v1/accounts/update_credentials`, { method: 'PATCH', headers: { authorization: `Bearer ${user.token}` }, body: form });
  return { status: response.status, body: (await response.json()) as any };
}

async function fetchImage(url: string) {
  const response = await fetch(url);
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()), type: response.headers.get('content-type') };
}

/** A JPEG with a camera name in its EXIF. */
const photo = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: { r: 30, g: 120, b: 200 } } })
  .jpeg().withExif({ IFD0: { Make: 'KithCam' } }).toBuffer();

describe('avatar and header uploads', () => {
  it('stores both re-encoded, cropped to 400×400 and 1500×500, without EXIF, and shows them on the account', async () => {
    const res = await patchProfile(alice, { avatar: { bytes: await photo(800, 600), name: 'me.jpg' }, header: { bytes: await photo(2000, 1000), name: 'banner.jpg' } }, { display_name: 'Alice A.' });
    expect(res.status).toBe(200);
    expect(res.body.display_name).toBe('Alice A.');
    expect(res.body.avatar).toMatch(new RegExp(`^${kith.url}/media/[\\w-]{22}/original$`));
    expect(res.body.avatar_static).toBe(res.body.avatar);
    expect(res.body.header).toMatch(new RegExp(`^${kith.url}/media/[\\w-]{22}/original$`));

    const avatar = await fetchImage(res.body.avatar);
    expect(avatar.status).toBe(200);
    expect(avatar.type).toBe('image/jpeg');
    expect(avatar.bytes.includes(Buffer.from('KithCam'))).toBe(false);
    const avatarMeta = await sharp(avatar.bytes).metadata();
    expect([avatarMeta.width, avatarMeta.height, avatarMeta.exif]).toEqual([400, 400, undefined]);
    const headerMeta = await sharp((await fetchImage(res.body.header)).bytes).metadata();
    expect([headerMeta.width, headerMeta.height]).toEqual([1500, 500]);

    const shown = await alice.api.get(`/api/v1/accounts/${alice.account._id}`);
    expect(shown.body.avatar).toBe(res.body.avatar);
    expect(shown.body.header).toBe(res.body.header);
  });

  it('removes the replaced avatar when a new one is uploaded', async () => {
    const first = await patchProfile(alice, { avatar: { bytes: await photo(100, 100), name: 'a.jpg' } });
    expect(first.status).toBe(200);
    const second = await patchProfile(alice, { avatar: { bytes: await photo(120, 120), name: 'b.jpg' } });
    expect(second.status).toBe(200);
    expect(second.body.avatar).not.toBe(first.body.avatar);
    expect((await fetchImage(first.body.avatar)).status).toBe(404);
    expect((await fetchImage(second.body.avatar)).status).toBe(200);
  });

  it('refuses a file that is not an image, and one over the image limit, changing nothing', async () => {
    const before = (await alice.api.get('/api/v1/accounts/verify_credentials')).body;
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
    const notImage = await patchProfile(alice, { avatar: { bytes: pdf, name: 'me.png' } }, { display_name: 'Changed' });
    expect(notImage.status).toBe(422);
    expect(notImage.body.error).toBe('Validation failed: Avatar must be an image (JPEG, PNG, WebP, GIF or AVIF)');

    // Random pixels do not compress: a PNG well over 1 MB.
    const noise = await sharp(Buffer.from(Array.from({ length: 900 * 900 * 3 }, () => Math.floor(Math.random() * 256))), { raw: { width: 900, height: 900, channels: 3 } }).png().toBuffer();
    expect(noise.length).toBeGreaterThan(1024 * 1024);
    const tooLarge = await patchProfile(alice, { header: { bytes: noise, name: 'big.png' } }, { display_name: 'Changed' });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error).toMatch(/too large \(maximum is 1 MB\)/);

    const after = (await alice.api.get('/api/v1/accounts/verify_credentials')).body;
    expect([after.display_name, after.avatar, after.header]).toEqual([before.display_name, before.avatar, before.header]);
  });

  it('removes the new image when the rest of the profile is refused', async () => {
    const before = (await alice.api.get('/api/v1/accounts/verify_credentials')).body;
    const res = await patchProfile(alice, { avatar: { bytes: await photo(50, 50), name: 'c.jpg' } }, { display_name: 'x'.repeat(200) });
    expect(res.status).toBe(422);
    const after = (await alice.api.get('/api/v1/accounts/verify_credentials')).body;
    expect(after.avatar).toBe(before.avatar);
    // Only the current avatar and header are stored for alice: no orphan from the refused request.
    const client = await MongoClient.connect(kith.config.mongodbUrl);
    try {
      const stored = await client.db(kith.config.mongodbDatabase).collection('media_attachments').find({ accountId: alice.account._id }).toArray();
      expect(stored.map((m) => m.fileName).sort()).toEqual(['avatar', 'header']);
    } finally {
      await client.close();
    }
  });

  it('refuses a file in any other field', async () => {
    const res = await patchProfile(alice, { file: { bytes: await photo(50, 50), name: 'x.jpg' } });
    expect(res.status).toBe(422);
    expect(res.body.error).toBe('Validation failed: send at most one file in each of the fields avatar, header');
  });
});

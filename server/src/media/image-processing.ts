// Uploaded images are decoded and encoded anew with sharp: what is stored holds pixels only, never the
// uploader's EXIF (GPS position, camera serial), ICC or XMP data, turned upright and capped in size.
import sharp, { type Sharp } from 'sharp';
import { Invalid } from '../shared/errors.ts';
import type { ImageFormat } from './content-sniffing.ts';
import type { VariantMeta } from './media-record.ts';

/** Longest side of a stored original and of its thumbnail. */
export const IMAGE_SIZES = { original: 4096, small: 400 } as const;
// Decoding stops above this many pixels (a small file can claim a huge canvas).
const MAX_INPUT_PIXELS = 100_000_000;

export interface ImageVariant {
  bytes: Buffer;
  contentType: string;
  meta: VariantMeta;
}

export interface ProcessedImage {
  original: ImageVariant;
  small: ImageVariant;
}

// The output keeps the kind of the input where browsers show it everywhere: JPEG stays JPEG, PNG and
// WebP keep their transparency; a GIF becomes its first frame as PNG, an AVIF a JPEG.
const OUTPUT: Record<ImageFormat, 'jpeg' | 'png' | 'webp'> = { jpeg: 'jpeg', png: 'png', webp: 'webp', gif: 'png', avif: 'jpeg' };

function encode(image: Sharp, format: 'jpeg' | 'png' | 'webp'): Sharp {
  if (format === 'jpeg') return image.jpeg({ quality: 85, mozjpeg: true });
  if (format === 'png') return image.png({ compressionLevel: 9 });
  return image.webp({ quality: 85 });
}

function metaOf(width: number, height: number): VariantMeta {
  return { width, height, size: `${width}x${height}`, aspect: Math.round((width / height) * 1e6) / 1e6 };
}

/** The re-encoded original and thumbnail; Invalid when the bytes do not decode as an image. */
export async function processImage(bytes: Buffer, format: ImageFormat): Promise<ProcessedImage> {
  const output = OUTPUT[format];
  const contentType = `image/${output}`;
  try {
    // sharp writes no metadata unless asked to (keepMetadata/withMetadata), so EXIF is gone here.
    const upright = sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error', animated: false }).autoOrient();
    const big = IMAGE_SIZES.original;
    const original = await encode(upright.resize({ width: big, height: big, fit: 'inside', withoutEnlargement: true }), output)
      .toBuffer({ resolveWithObject: true });
    const thumb = IMAGE_SIZES.small;
    const small = await encode(sharp(original.data).resize({ width: thumb, height: thumb, fit: 'inside', withoutEnlargement: true }), output)
      .toBuffer({ resolveWithObject: true });
    return {
      original: { bytes: original.data, contentType, meta: metaOf(original.info.width, original.info.height) },
      small: { bytes: small.data, contentType, meta: metaOf(small.info.width, small.info.height) },
    };
  } catch (error) {
    const reason = error instanceof Error && /pixel limit/i.test(error.message) ? 'it has too many pixels' : 'it could not be read';
    throw new Invalid(`Validation failed: The image was refused: ${reason}`);
  }
}

/** Pixel size of profile images, as Mastodon crops them: a square avatar and a 3:1 header. */
export const PROFILE_IMAGE_SIZES = { avatar: { width: 400, height: 400 }, header: { width: 1500, height: 500 } } as const;
export type ProfileImageKind = keyof typeof PROFILE_IMAGE_SIZES;

/** An avatar or header: re-encoded like any upload (no metadata), cropped to fill its box; Invalid when unreadable. */
export async function processProfileImage(bytes: Buffer, format: ImageFormat, kind: ProfileImageKind): Promise<ImageVariant> {
  const output = OUTPUT[format];
  const { width, height } = PROFILE_IMAGE_SIZES[kind];
  try {
    const image = sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error', animated: false }).autoOrient()
      .resize({ width, height, fit: 'cover', withoutEnlargement: true });
    const result = await encode(image, output).toBuffer({ resolveWithObject: true });
    return { bytes: result.data, contentType: `image/${output}`, meta: metaOf(result.info.width, result.info.height) };
  } catch (error) {
    const reason = error instanceof Error && /pixel limit/i.test(error.message) ? 'it has too many pixels' : 'it could not be read';
    throw new Invalid(`Validation failed: The image was refused: ${reason}`);
  }
}

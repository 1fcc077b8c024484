// The default avatar and header the account serializer points at, drawn in code once per process:
// a grey silhouette on a light background, and a plain banner. No image files in the repository.
import { createHash } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';

/** An encoded image and its validator. */
export interface StaticImage {
  body: Buffer;
  etag: string;
}

type Rgb = readonly [number, number, number];

const BACKGROUND: Rgb = [0xd9, 0xe1, 0xe8];
const SILHOUETTE: Rgb = [0x9b, 0xaa, 0xb8];
const HEADER: Rgb = [0xe4, 0xe9, 0xee];

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** Encodes an RGB image (8 bits per channel) as PNG. */
export function encodePng(width: number, height: number, pixel: (x: number, y: number) => Rgb): Buffer {
  const stride = width * 3 + 1;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    raw[y * stride] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      const at = y * stride + 1 + x * 3;
      raw[at] = r;
      raw[at + 1] = g;
      raw[at + 2] = b;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function image(body: Buffer): StaticImage {
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

/** A head and shoulders, like Mastodon's missing.png (400×400). */
function drawAvatar(): Buffer {
  const size = 400;
  return encodePng(size, size, (x, y) => {
    const head = (x - 200) ** 2 + (y - 155) ** 2 <= 75 ** 2;
    const shoulders = y >= 250 && (x - 200) ** 2 / 140 ** 2 + (y - 400) ** 2 / 150 ** 2 <= 1;
    return head || shoulders ? SILHOUETTE : BACKGROUND;
  });
}

let avatar: StaticImage | null = null;
let header: StaticImage | null = null;

/** The default avatar (PNG, 400×400). */
export function defaultAvatar(): StaticImage {
  return (avatar ??= image(drawAvatar()));
}

/** The default profile header (PNG, 1500×500). */
export function defaultHeader(): StaticImage {
  return (header ??= image(encodePng(1500, 500, () => HEADER)));
}

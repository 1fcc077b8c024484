// Draws the app icons (static/icon-192.png, icon-512.png, icon-maskable-512.png) without an image library:
// two white figures (heads and shoulders, "kith": one's people) on the accent blue, written as PNG with zlib.
// The SVG icon (static/icon.svg) is the same drawing. Run again after changing the drawing; outputs are committed.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const staticDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'static');
const BLUE = [29, 78, 216];
const WHITE = [255, 255, 255];

/** Coverage (0..1) of the figures at (x, y) in a 1×1 square, supersampled by the caller. */
function inFigure(x, y, inset) {
  const s = 1 - 2 * inset;
  const u = (x - inset) / s;
  const v = (y - inset) / s;
  const figure = (cx) =>
    Math.hypot(u - cx, v - 0.36) < 0.12 || // head
    (v > 0.54 && v < 0.78 && Math.hypot((u - cx) / 0.2, (v - 0.78) / 0.24) < 1); // shoulders
  return figure(0.37) || figure(0.63);
}

function draw(size, { maskable }) {
  const inset = maskable ? 0.12 : 0.04;
  const radius = maskable ? 0 : 0.2 * size;
  const rows = [];
  const samples = 4;
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) {
      // Rounded square background (full bleed for maskable icons: the platform crops them).
      const dx = Math.max(radius - x - 0.5, x + 0.5 - (size - radius), 0);
      const dy = Math.max(radius - y - 0.5, y + 0.5 - (size - radius), 0);
      const inside = Math.hypot(dx, dy) <= radius || radius === 0;
      let covered = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          if (inFigure((x + (sx + 0.5) / samples) / size, (y + (sy + 0.5) / samples) / size, inset)) covered++;
        }
      }
      const t = covered / (samples * samples);
      const offset = 1 + x * 4;
      for (let c = 0; c < 3; c++) row[offset + c] = Math.round(BLUE[c] * (1 - t) + WHITE[c] * t);
      row[offset + 3] = inside ? 255 : 0;
    }
    rows.push(row);
  }
  return png(size, size, Buffer.concat(rows));
}

function png(width, height, raw) {
  const chunk = (type, data) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

fs.writeFileSync(path.join(staticDir, 'icon-192.png'), draw(192, { maskable: false }));
fs.writeFileSync(path.join(staticDir, 'icon-512.png'), draw(512, { maskable: false }));
fs.writeFileSync(path.join(staticDir, 'icon-maskable-512.png'), draw(512, { maskable: true }));
console.log('wrote static/icon-192.png, icon-512.png, icon-maskable-512.png');

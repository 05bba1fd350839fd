// Writes the app icons (solid PNGs with a white wave mark) with no image library: a tiny PNG
// encoder over node:zlib. Run `npm run icons`; the output is committed under public/icons/.
import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'icons');
mkdirSync(out, { recursive: true });

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size, pixel) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel(x / size, y / size);
      const i = y * (size * 4 + 1) + 1 + x * 4;
      raw[i] = r; raw[i + 1] = g; raw[i + 2] = b; raw[i + 3] = a;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}
const BLUE = [0x1f, 0x5f, 0x8b, 255];
const WHITE = [255, 255, 255, 255];
// Three calm waves (澜) inside a shield-like rounded square; `inset` keeps the maskable safe zone.
function mark(inset, rounded) {
  return (u, v) => {
    const r = 0.18;
    const cx = Math.min(Math.max(u, r), 1 - r), cy = Math.min(Math.max(v, r), 1 - r);
    if (rounded && (u - cx) ** 2 + (v - cy) ** 2 > r * r) return [0, 0, 0, 0];
    const x = (u - inset) / (1 - 2 * inset), y = (v - inset) / (1 - 2 * inset);
    if (x > 0.15 && x < 0.85) {
      for (const base of [0.38, 0.53, 0.68]) {
        const w = base + 0.05 * Math.sin(x * Math.PI * 4);
        if (Math.abs(y - w) < 0.035) return WHITE;
      }
    }
    return BLUE;
  };
}
writeFileSync(join(out, 'icon-192.png'), png(192, mark(0, true)));
writeFileSync(join(out, 'icon-512.png'), png(512, mark(0, true)));
writeFileSync(join(out, 'icon-512-maskable.png'), png(512, mark(0.1, false)));
console.log('icons written to', out);

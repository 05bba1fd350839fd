// Brotli and gzip copies of the hashed assets, made once at build time: the server sends
// `x.wasm.br` to browsers that accept it instead of compressing 3.6 MB on every first install.
// Only `dist/assets/` (names change with content): index.html, sw.js and the manifest are small,
// change in place between versions, and are compressed by the server as it sends them.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const dir = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'dist', 'assets');
let raw = 0;
let br = 0;
for (const name of fs.readdirSync(dir)) {
  if (/\.(br|gz)$/.test(name)) continue;
  const file = path.join(dir, name);
  const bytes = fs.readFileSync(file);
  const b = zlib.brotliCompressSync(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } });
  fs.writeFileSync(`${file}.br`, b);
  fs.writeFileSync(`${file}.gz`, zlib.gzipSync(bytes, { level: 9 }));
  raw += bytes.length;
  br += b.length;
}
console.log(`precompressed dist/assets: ${(raw / 1024).toFixed(0)} KiB → ${(br / 1024).toFixed(0)} KiB brotli`);

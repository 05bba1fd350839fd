// The page's own chunks must not carry Automerge (its wasm-bindgen glue and wrappers): Automerge
// runs only in the worker, and every kilobyte the page loads delays sign-in on 2G. Follows the
// static imports from what index.html loads; fails the build if any reached chunk has the glue,
// or if together they outgrow the budget: a screen that starts importing a heavy module (or
// Automerge's JS under a name the glue test misses) shows up here, not on a 2G phone.
import fs from 'node:fs';
import path from 'node:path';

/** The page's own JavaScript, uncompressed. 176 KiB when set; raise it knowingly, with the reason
 *  in the commit. */
const BUDGET_KIB = 185;

const dist = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'dist');
const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
const queue = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
const seen = new Set();
const bad = [];
let bytes = 0;
while (queue.length) {
  const rel = queue.shift();
  if (seen.has(rel)) continue;
  seen.add(rel);
  const text = fs.readFileSync(path.join(dist, rel), 'utf8');
  bytes += Buffer.byteLength(text); // UTF-8 bytes: the zh-CN catalogue is most of the non-ASCII
  // wasm-bindgen's glue names its helpers __wbg_*/__wbindgen_*; Automerge's wrapper its classes.
  if (/__wbg_|__wbindgen|ImmutableString|initializeWasm/.test(text)) bad.push(rel);
  for (const m of text.matchAll(/(?:from|import)\s*"\.\/([^"]+\.js)"/g)) queue.push(`assets/${m[1]}`);
}
if (!seen.size) throw new Error('index.html loads no script from assets/: the check would prove nothing');
if (bad.length) {
  console.error(`the page's chunks carry Automerge: ${bad.join(', ')} (import model code through the worker, or move constants to an Automerge-free module)`);
  process.exit(1);
}
if (bytes > BUDGET_KIB * 1024) {
  console.error(`the page's chunks weigh ${(bytes / 1024).toFixed(0)} KiB, over the ${BUDGET_KIB} KiB budget (scripts/check-bundle.mjs)`);
  process.exit(1);
}
console.log(`page chunks without Automerge: ${[...seen].join(', ')} (${(bytes / 1024).toFixed(0)} KiB of ${BUDGET_KIB} KiB)`);

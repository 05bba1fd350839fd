// Node has no IndexedDB: fake-indexeddb provides a spec-complete one. Automerge's slim entry is
// initialised from the wasm file on disk, the same module the worker uses in the browser.
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as A from '@automerge/automerge/slim';

const require = createRequire(import.meta.url);
const wasmPath = require.resolve('@automerge/automerge/automerge.wasm');
await A.initializeWasm(new Uint8Array(readFileSync(wasmPath)));

/// <reference types="vite/client" />

/** The Automerge wasm's size in bytes, for download progress (vite.config.ts). */
declare const __AUTOMERGE_WASM_BYTES__: number;

import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import type { Plugin } from 'vite';
import fs from 'node:fs';
import { createRequire } from 'node:module';

// Settings proven on this machine: see shared/research/pwa-toolchain.md.
// Only js/css/html/wasm are globbed: the plugin adds the manifest icons itself (gotcha 6).
const globPatterns = ['**/*.{js,css,html,wasm}'];
// automerge.wasm is 3.64 MB, above Workbox's 2 MiB default: without this the app cannot start offline.
const maximumFileSizeToCacheInBytes = 8 * 1024 * 1024;

// The wasm's own size: a compressed response's Content-Length cannot say how far its decoded
// bytes have got (src/worker/wasm-fetch.ts).
const wasmBytes = fs.statSync(createRequire(import.meta.url).resolve('@automerge/automerge/automerge.wasm')).size;

/** dist/shell.html: index.html without its sign-in form, what the service worker serves for
 *  navigations (src/sw.ts). It exists only once the app is installed, after a sign-in, so a
 *  signed-in start does not flash the form index.html carries for a first visit on a slow link. */
function appShell(): Plugin {
  return {
    name: 'anlan-app-shell',
    enforce: 'post',
    generateBundle(_, bundle) {
      const index = bundle['index.html'];
      if (index?.type !== 'asset') throw new Error('anlan-app-shell: no index.html in the bundle');
      const html = String(index.source);
      const shell = html.replace(/<div id="app">[\s\S]*?<\/main><\/div>/, '<div id="app"><p class="boot">安澜 正在启动…</p></div>');
      if (shell === html) throw new Error('anlan-app-shell: index.html has no <div id="app"><main>…</main></div> to replace');
      this.emitFile({ type: 'asset', fileName: 'shell.html', source: shell });
    },
  };
}

export default defineConfig({
  build: { target: 'es2022' },
  define: { __AUTOMERGE_WASM_BYTES__: String(wasmBytes) },
  worker: { format: 'es' },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
  plugins: [
    appShell(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      injectRegister: false,
      registerType: 'autoUpdate',
      manifest: {
        name: '安澜 · 平安库区',
        short_name: '安澜',
        description: '库区矛盾纠纷信息报送',
        lang: 'zh-CN',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        theme_color: '#1f5f8b',
        background_color: '#f4f6f8',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icons/icon-512-maskable.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      injectManifest: { globPatterns, maximumFileSizeToCacheInBytes },
    }),
  ],
});

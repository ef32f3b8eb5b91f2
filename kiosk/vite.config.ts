import preact from '@preact/preset-vite';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { precompress } from '../vite-precompress';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/kiosk/',
  plugins: [preact(), precompress()],
  // The manifest lists every chunk, the camera's too: the service worker caches them all at install, so a
  // tablet that never started a shift online still scans offline.
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, manifest: 'asset-manifest.json' },
  server: { port: 5173, proxy: { '/api': 'http://127.0.0.1:8787', '/healthz': 'http://127.0.0.1:8787' } },
});

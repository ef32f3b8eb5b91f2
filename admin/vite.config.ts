import preact from '@preact/preset-vite';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { precompress } from '../vite-precompress';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/admin/',
  plugins: [preact(), precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // The visitor's page is its own small entry: no admin shell, no verification code (issue 16).
    rollupOptions: { input: { main: `${root}index.html`, visit: `${root}visit.html` } },
  },
  server: { port: 5174, proxy: { '/api': 'http://127.0.0.1:8787', '/healthz': 'http://127.0.0.1:8787' } },
});

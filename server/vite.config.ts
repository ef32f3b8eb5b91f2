import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * The compiled server (npm run build → server-dist/): the entry point and the command-line tools as
 * plain ES modules for Node 20.19+, dependencies left to node_modules, so `npm ci --omit=dev` and
 * `npm start` run without TypeScript, tsx or Vite on the machine (server/launch.mjs picks it).
 */
export default defineConfig({
  root,
  logLevel: 'warn',
  build: {
    ssr: true,
    outDir: 'server-dist',
    emptyOutDir: true,
    target: 'node20',
    sourcemap: true,
    minify: false,
    rollupOptions: {
      input: {
        main: `${root}server/main.ts`,
        'cli/backup': `${root}server/cli/backup.ts`,
        'cli/restore': `${root}server/cli/restore.ts`,
        'cli/campus-cert': `${root}server/cli/campus-cert.ts`,
        'cli/rotate-signing-key': `${root}server/cli/rotate-signing-key.ts`,
        'cli/openapi-document': `${root}server/cli/openapi-document.ts`,
      },
      output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
    },
  },
});

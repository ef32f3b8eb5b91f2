import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createServer } from 'vite';
import { ROOT_DIR } from './app';

/**
 * Development: the API server restarting on change (tsx watch) and both front ends with
 * Vite's hot reload, proxying /api to the server. Open http://localhost:5173/kiosk/ and
 * http://localhost:5174/admin/.
 */
const api = spawn(process.execPath, ['--import', 'tsx', '--watch', join(ROOT_DIR, 'server/main.ts')], {
  stdio: 'inherit',
  env: { ...process.env, SKIP_FRONTEND_BUILD: 'true' },
});
for (const name of ['kiosk', 'admin']) {
  const server = await createServer({ configFile: join(ROOT_DIR, name, 'vite.config.ts') });
  await server.listen();
  server.printUrls();
}
process.on('SIGINT', () => {
  api.kill('SIGINT');
  process.exit(0);
});

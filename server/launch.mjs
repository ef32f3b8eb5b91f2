// `npm start` and the command-line scripts: node server/launch.mjs <entry> [args…].
// Runs server-dist/<entry>.js when `npm run build` made it and no server source is newer (a production
// machine after `npm ci --omit=dev`: no TypeScript, tsx or Vite needed); otherwise the TypeScript source
// through tsx (a fresh clone after `npm ci`: two commands, nothing built by hand).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [entry, ...args] = process.argv.slice(2);
if (!entry || !/^[a-z][a-z0-9/-]*$/.test(entry)) {
  console.error('Usage: node server/launch.mjs <main|cli/backup|…> [args…]');
  process.exit(2);
}
const compiled = join(root, 'server-dist', `${entry}.js`);
const source = join(root, 'server', `${entry}.ts`);

/** The newest modification time under `dir` (server sources), or 0. */
function newest(dir) {
  let t = 0;
  for (const f of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, f.name);
    t = Math.max(t, f.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const hasTsx = existsSync(join(root, 'node_modules', 'tsx'));
const fresh =
  existsSync(compiled) && (!existsSync(source) || statSync(compiled).mtimeMs >= newest(join(root, 'server')));
if (existsSync(compiled) && (fresh || !hasTsx)) {
  if (!fresh)
    console.warn(`gatehouse: server-dist is older than server/ and tsx is not installed: running the build as it is`);
  // The module reads its arguments as if it had been started itself.
  process.argv = [process.argv[0], compiled, ...args];
  await import(pathToFileURL(compiled).href);
} else if (hasTsx) {
  const child = spawn(process.execPath, ['--import', 'tsx', source, ...args], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  console.error('gatehouse: neither server-dist/ (npm run build) nor tsx (npm ci with dev dependencies) is here');
  process.exit(1);
}

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const FRONTENDS = ['kiosk', 'admin'] as const;

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((f) => newestMtime(join(path, f))));
}

/** A front end is stale when its build is missing or older than any source it is built from. */
export function isStale(rootDir: string, name: (typeof FRONTENDS)[number]): boolean {
  const built = join(rootDir, name, 'dist', 'index.html');
  if (!existsSync(built)) return true;
  const sources = [
    join(rootDir, name, 'src'),
    join(rootDir, name, 'index.html'),
    join(rootDir, name, 'vite.config.ts'),
    join(rootDir, name, 'public'),
    join(rootDir, 'server', 'domain'),
  ];
  return Math.max(...sources.map(newestMtime)) > statSync(built).mtimeMs;
}

/** Builds the stale front ends with Vite, in process. */
export async function buildStaleFrontends(
  rootDir: string,
  log: (msg: string, fields?: Record<string, unknown>) => void,
) {
  const { build } = await import('vite');
  for (const name of FRONTENDS) {
    if (!isStale(rootDir, name)) continue;
    const start = Date.now();
    await build({ configFile: join(rootDir, name, 'vite.config.ts'), logLevel: 'warn' });
    log('built front end', { name, ms: Date.now() - start });
  }
}

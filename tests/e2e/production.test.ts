import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../server/app';

/**
 * The production path of the README: `npm run build` makes the front ends and the compiled server;
 * on the production machine `npm ci --omit=dev` installs only what runs, and `npm start` runs from the
 * build — no TypeScript, tsx or Vite there, and nothing in the application's folder written.
 */
const work = mkdtempSync(join(tmpdir(), 'gatehouse-prod-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every file under `dir` with its size and modification time: what "nothing written" is checked against. */
function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const f of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, f.name);
      if (f.isDirectory()) walk(p);
      else {
        const s = statSync(p);
        out.set(relative(dir, p), `${s.size}:${s.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return out;
}

describe('a production install', () => {
  it('runs from the build after npm ci --omit=dev, without build tools and without writing to its folder', async () => {
    execFileSync(
      process.execPath,
      [join(ROOT_DIR, 'node_modules/vite/bin/vite.js'), 'build', '-c', 'server/vite.config.ts'],
      {
        cwd: ROOT_DIR,
        stdio: 'pipe',
      },
    );
    const app = join(work, 'app');
    mkdirSync(app);
    // What a release holds: the manifest and lock, the builds, the migrations, the launcher.
    for (const p of [
      'package.json',
      'package-lock.json',
      'server-dist',
      'kiosk/dist',
      'admin/dist',
      'server/db/migrations',
      'server/launch.mjs',
    ])
      cpSync(join(ROOT_DIR, p), join(app, p), { recursive: true });
    // From npm's cache (CI's npm ci filled it); the SQLite driver's native part is copied from this
    // machine's install rather than compiled again (same Node, same ABI).
    execFileSync('npm', ['ci', '--omit=dev', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: app,
      stdio: 'pipe',
    });
    cpSync(
      join(ROOT_DIR, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'),
      join(app, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'),
    );
    for (const tool of ['typescript', 'tsx', 'vite', 'esbuild', '@babel/core', 'vitest'])
      expect(existsSync(join(app, 'node_modules', tool)), tool).toBe(false);
    const before = tree(app);

    const data = join(work, 'data');
    const child = spawn('npm', ['start'], {
      cwd: app,
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_PATH: join(data, 'gatehouse.db'),
        GATEHOUSE_ADMIN_PASSWORD: 'admin-password-for-tests',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    try {
      await expect.poll(() => /"msg":"listening".*?"port":(\d+)/.exec(out)?.[1], { timeout: 30_000 }).toBeDefined();
      const url = `http://127.0.0.1:${/"msg":"listening".*?"port":(\d+)/.exec(out)![1]}`;
      expect(await (await fetch(`${url}/healthz`)).json()).toMatchObject({ status: 'ok', database: 'ok' });
      expect((await fetch(`${url}/kiosk/`)).status).toBe(200);
      expect((await fetch(`${url}/admin/`)).status).toBe(200);
      const login = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: url },
        body: JSON.stringify({ username: 'admin', password: 'admin-password-for-tests' }),
      });
      expect(login.status).toBe(200);
      // The command-line tools run compiled too: a backup of the running server's database.
      const said = execFileSync('npm', ['run', '--silent', 'backup', '--', join(work, 'backup')], {
        cwd: app,
        env: { ...process.env, DATABASE_PATH: join(data, 'gatehouse.db') },
        encoding: 'utf8',
      });
      expect(said).toMatch(/Backed up .* \(schema \d+/);
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    expect(out).not.toMatch(/tsx|built front end/);
    // Nothing in the application's folder was written: not the builds, not node_modules.
    expect(tree(app)).toEqual(before);
    console.log(
      `production node_modules: ${execFileSync('du', ['-sh', join(app, 'node_modules')], { encoding: 'utf8' }).split('\t')[0]}`,
    );
  }, 180_000);
});

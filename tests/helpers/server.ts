import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT_DIR } from '../../server/app';

export interface RunningServer {
  url: string;
  port: number;
  databasePath: string;
  dir: string;
  process: ChildProcess;
  output: () => string;
  /** Graceful stop (SIGTERM) or a crash (SIGKILL). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  cleanup(): Promise<void>;
}

/**
 * Starts the real server as its own process (the same entry point `npm start` uses, unless a
 * test names another) on a random port with a temporary database, and waits until it says it is
 * listening.
 */
export async function startServer({
  env = {},
  args = [],
  databasePath,
  dir,
  entry = 'server/main.ts',
}: {
  env?: Record<string, string>;
  args?: string[];
  databasePath?: string;
  dir?: string;
  entry?: string;
} = {}): Promise<RunningServer> {
  const workDir = dir ?? mkdtempSync(join(tmpdir(), 'gatehouse-server-'));
  const dbPath = databasePath ?? join(workDir, 'gatehouse.db');
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT_DIR, entry), ...args], {
    cwd: ROOT_DIR,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_PATH: dbPath,
      GATEHOUSE_ADMIN_PASSWORD: 'admin-password-for-tests',
      SKIP_FRONTEND_BUILD: 'true',
      LOG_LEVEL: 'info',
      // The tests sign in through the API for nearly every step; the per-account limit has its own test.
      LOGIN_ACCOUNT_LIMIT: '10000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += String(d)));
  child.stderr?.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s:\n${out}`)), 30_000);
    const check = () => {
      const m = /"msg":"listening".*?"port":(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${out}`));
    });
  });

  const server: RunningServer = {
    // TLS_CERT_FILE makes the server speak HTTPS itself (server/tls/listen.ts).
    url: `${/"msg":"listening","url":"https:/.test(out) ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    databasePath: dbPath,
    dir: workDir,
    process: child,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    async cleanup() {
      await server.stop();
      if (!dir) rmSync(workDir, { recursive: true, force: true });
    },
  };
  return server;
}

/** A TCP port free on 127.0.0.1 now (for a second listener a test configures by number, as nginx's). */
export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

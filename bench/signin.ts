import { startServer } from '../tests/helpers/server';
import { signInOver } from '../tests/helpers/http';
import { row } from './lib';

/**
 * Sign-in hashing must not stall the server: /healthz latency alone, then while 20 sign-ins a
 * second run against the same server (a real process over HTTP; scrypt N=2^15 on libuv's pool).
 */
export async function benchSignIn(seconds = 10) {
  const server = await startServer({ env: { LOGIN_ACCOUNT_LIMIT: '10000' } });
  try {
    const admin = await signInOver(server.url, 'admin', 'admin-password-for-tests');
    const users = Array.from({ length: 5 }, (_, i) => `bench-office-${i}`);
    for (const username of users)
      await admin('POST', '/api/v1/users', {
        username,
        displayName: username,
        role: 'office',
        password: 'bench-password-2026',
      });

    const probe = async (ms: number) => {
      const samples: number[] = [];
      const end = performance.now() + ms;
      while (performance.now() < end) {
        const start = performance.now();
        await (await fetch(`${server.url}/healthz`)).arrayBuffer();
        samples.push(performance.now() - start);
        await new Promise((r) => setTimeout(r, 50));
      }
      return samples.sort((a, b) => a - b);
    };
    const signIns = (ms: number) => {
      let sent = 0;
      let failed = 0;
      const pending: Promise<void>[] = [];
      const timer = setInterval(() => {
        const username = users[sent++ % users.length]!;
        pending.push(
          fetch(`${server.url}/api/v1/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ username, password: 'bench-password-2026' }),
          }).then(
            (r) => void (r.status === 200 || failed++),
            () => void failed++,
          ),
        );
      }, 50);
      return new Promise<{ sent: number; failed: number }>((resolve) =>
        setTimeout(async () => {
          clearInterval(timer);
          await Promise.all(pending);
          resolve({ sent, failed });
        }, ms),
      );
    };
    await probe(1000); // warm-up
    const alone = await probe(seconds * 1000);
    const [loaded, load] = await Promise.all([probe(seconds * 1000), signIns(seconds * 1000)]);
    console.log(`\nGET /healthz over HTTP, every 50 ms, ${seconds} s each`);
    row('alone', alone);
    row(`while 20 sign-ins/s run (${load.sent} sent, ${load.failed} failed)`, loaded);
  } finally {
    await server.cleanup();
  }
}

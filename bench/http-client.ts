import { Worker } from 'node:worker_threads';

/**
 * Tablets are other machines: their HTTP client must not share the server's thread, or the
 * benchmark charges the server for building requests and parsing its own answers. This client
 * runs in a worker thread (the other core of a 2-core box). Each job is a list of requests sent
 * one after another (one tablet, or two servers alternately); jobs run at once, as several gates
 * coming back online do.
 */
const CLIENT = `
const { parentPort } = require('node:worker_threads');
let acknowledged = 0;
async function run(requests) {
  const times = [];
  for (const { url, token, body } of requests) {
    const start = performance.now();
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token }, body });
    const text = await res.text();
    if (res.status !== 200) throw new Error(url + ' answered ' + res.status + ': ' + text.slice(0, 200));
    times.push(performance.now() - start);
    const answer = JSON.parse(text);
    acknowledged += (answer.acked?.length ?? 0) + (answer.duplicates?.length ?? 0);
  }
  return times;
}
parentPort.on('message', async (jobs) => {
  try {
    acknowledged = 0;
    const start = performance.now();
    const times = (await Promise.all(jobs.map(run))).flat();
    parentPort.postMessage({ times, wallMs: performance.now() - start, acknowledged });
  } catch (e) {
    parentPort.postMessage({ error: String(e) });
  }
});`;

export interface Post {
  url: string;
  token: string;
  body: string;
}

export function createHttpClient() {
  const worker = new Worker(CLIENT, { eval: true });
  let queue = Promise.resolve<unknown>(undefined);
  const send = (jobs: Post[][]) => {
    const run = queue.then(
      () =>
        new Promise<{ times: number[]; wallMs: number; acknowledged: number }>((resolve, reject) => {
          worker.once('message', (m: { times?: number[]; wallMs?: number; acknowledged?: number; error?: string }) =>
            m.times
              ? resolve({ times: m.times, wallMs: m.wallMs ?? 0, acknowledged: m.acknowledged ?? 0 })
              : reject(new Error(m.error)),
          );
          worker.postMessage(jobs);
        }),
    );
    queue = run.catch(() => undefined);
    return run;
  };
  return {
    /** Posts in order, each after the previous answer; the round trip of each in ms. */
    sequence: async (posts: Post[]) => (await send([posts])).times,
    /** One tablet: posts every body in order, each after the previous answer; the round trips in ms. */
    post: async (url: string, token: string, bodies: string[]) =>
      (await send([bodies.map((body) => ({ url, token, body }))])).times,
    /** Several tablets at once; `wallMs` is from the first request to the last answer, `acknowledged` counts acked + duplicate ids. */
    concurrent: send,
    close: () => worker.terminate(),
  };
}

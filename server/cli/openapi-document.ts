/**
 * `npm run -s openapi > openapi.json`: the API's OpenAPI document without starting a server (the
 * same document /api/openapi.json serves), for integrators' code generators and `npm run lint`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createApp } from '../app';
import { openApiDocument } from '../openapi';
import { openDatabase } from '../db/open';
import { loadConfig } from '../env';
import { silentLogger } from '../lib/logger';

const { db, sqlite } = openDatabase(':memory:');
const app = createApp({ db, config: loadConfig({ LOG_LEVEL: 'silent' }), logger: silentLogger });
const res = await app.request('http://localhost/api/openapi.json');
if (res.status !== 200) {
  // The document is built from the routes: a route that breaks its rules (server/openapi.ts) stops here.
  openApiDocument(app, 'check');
  throw new Error(`GET /api/openapi.json answered ${res.status}`);
}
const text = `${JSON.stringify(await res.json(), null, 2)}\n`;
const out = process.argv.indexOf('--out');
if (out > 0 && process.argv[out + 1]) {
  const file = process.argv[out + 1]!;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
} else process.stdout.write(text);
sqlite.close();

import { ROOT_DIR } from '../../server/app';
import { buildStaleFrontends } from '../../server/frontend-build';

/** Browser tests run against the real built apps: build them once, if their sources changed. */
export default async function setup() {
  await buildStaleFrontends(ROOT_DIR, (msg, fields) => console.log(msg, fields ?? ''));
}

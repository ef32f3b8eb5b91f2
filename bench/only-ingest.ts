import { benchIngest } from './ingest';
await benchIngest();

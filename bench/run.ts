import { benchApi } from './api';
import { benchIngest } from './ingest';
import { benchOffice } from './office';
import { benchDecision, benchScanToVerdict } from './kiosk';

/** `npm run bench`: every benchmark, each against a baseline measured in the same run. */
await benchApi();
await benchIngest();
await benchOffice();
await benchDecision();
await benchScanToVerdict();

import { benchApi } from './api';
import { benchDecision, benchScanToVerdict } from './kiosk';

/** `npm run bench`: every benchmark, each against a baseline measured in the same run. */
await benchApi();
await benchDecision();
await benchScanToVerdict();

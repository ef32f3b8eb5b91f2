import { benchApi } from './api';
import { benchIngest } from './ingest';
import { benchOffice } from './office';
import { benchDecision, benchScanToVerdict } from './kiosk';
import { benchSignIn } from './signin';
import { benchVisitPage } from './visit-page';
import { benchMembers } from './members';
import { benchDelivery } from './delivery';

/** `npm run bench`: every benchmark, each against a baseline measured in the same run. */
await benchApi();
await benchSignIn();
await benchIngest();
await benchOffice();
await benchDecision();
await benchScanToVerdict();
await benchScanToVerdict(20, { cpuThrottle: 4 });
await benchVisitPage();
await benchMembers();
await benchDelivery();

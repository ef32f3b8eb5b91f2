import { benchApi } from './api';

/** `npm run bench`: every benchmark, each against a baseline measured in the same run. */
await benchApi();

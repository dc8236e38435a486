import { exportJob } from './jobs/export-job';
import type { JobDefinition } from './jobs/registry';
import { ML_JOBS } from './ml/jobs';

/**
 * Every kind of background job the station runs, composed here so the jobs runner knows no
 * feature and features know only the runner. The station and `npm run worker` use the same list.
 */
export const STATION_JOBS: readonly JobDefinition[] = [exportJob, ...ML_JOBS];

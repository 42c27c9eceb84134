import { runService } from '@mlops/runtime';
import { featureStoreSpec } from './spec.js';

await runService(featureStoreSpec);

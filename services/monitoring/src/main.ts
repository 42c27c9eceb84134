import { runService } from '@mlops/runtime';
import { monitoringSpec } from './spec.js';

await runService(monitoringSpec);

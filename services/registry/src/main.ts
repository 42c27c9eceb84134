import { runService } from '@mlops/runtime';
import { registrySpec } from './spec.js';

await runService(registrySpec);

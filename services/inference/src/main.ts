import { runService } from '@mlops/runtime';
import { inferenceSpec } from './spec.js';

await runService(inferenceSpec);

import { runService } from '@mlops/runtime';
import { registryServiceSpec } from './spec.js';

await runService(registryServiceSpec);

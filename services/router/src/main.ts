import { runService } from '@mlops/runtime';
import { routerSpec } from './spec.js';

await runService(routerSpec);

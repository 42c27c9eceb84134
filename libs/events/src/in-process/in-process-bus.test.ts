import { runEventBusContract } from '../testing/contract-suite.js';
import { createInProcessBus } from './bus.js';

runEventBusContract('in-process', async ({ metrics }) => {
  const bus = createInProcessBus({ metrics });
  return { bus, dispose: () => bus.close() };
});

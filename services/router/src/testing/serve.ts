// Child-process entry of the process-per-service platform (processes.ts): boots one service as
// its main.ts does (config from the environment, its own tracing and logger), with two test-only
// differences: the NATS namespace comes from argv (so parallel runs share one nats-server), and it
// listens on port 0 and reports the ports it got over IPC (no free-port race).
import { featureStoreSpec } from '@mlops/feature-store';
import { inferenceSpec } from '@mlops/inference';
import { registrySpec } from '@mlops/registry';
import { bootService, type BootedService } from '@mlops/runtime';
import { routerSpec } from '../spec.js';
import type { ServedMessage } from './processes.js';

const [name, natsNamespace] = process.argv.slice(2);
const send = (message: ServedMessage) => process.send?.(message);

const boot = (options: { natsNamespace: string; grpcAddress: string; adminAddress: string }): Promise<BootedService> => {
  switch (name) {
    case 'registry':
      return bootService(registrySpec, options);
    case 'feature-store':
      return bootService(featureStoreSpec, options);
    case 'inference':
      return bootService(inferenceSpec, options);
    case 'router':
      return bootService(routerSpec, options);
    default:
      throw new Error(`serve.ts: unknown service ${JSON.stringify(name)}`);
  }
};

try {
  if (!natsNamespace) throw new Error('serve.ts <service> <nats namespace>');
  const booted = await boot({ natsNamespace, grpcAddress: '127.0.0.1:0', adminAddress: '127.0.0.1:0' });
  const stop = () => void booted.stop(2_000).then(() => process.exit(0), () => process.exit(1));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // The parent going away (a crashed test) must not leave this process behind.
  process.once('disconnect', stop);
  send({ kind: 'ready', grpcPort: booted.grpcPort, adminPort: booted.adminPort });
} catch (e) {
  send({ kind: 'failed', error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  process.exit(1);
}

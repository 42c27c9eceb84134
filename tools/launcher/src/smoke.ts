import { createClient } from '@mlops/grpc';
import { HealthCheckResponse_ServingStatus, Health } from '@mlops/proto/grpc/health/v1/health_pb';
import { RegistryService } from '@mlops/proto/mlops/registry/v1/registry_pb';

/** One line per check showing the platform answers real RPCs, not just that ports are open. */
export async function smokeCheck(addresses: Record<string, string>): Promise<string[]> {
  const lines: string[] = [];
  for (const [name, address] of Object.entries(addresses)) {
    const health = createClient(Health, address, { defaultDeadlineMs: 3000 });
    try {
      const res = await health.check({ service: '' });
      lines.push(`${name}: grpc.health.v1 ${HealthCheckResponse_ServingStatus[res.status]}`);
    } finally {
      health.close();
    }
  }
  const registryAddress = addresses['registry'];
  if (registryAddress) {
    const registry = createClient(RegistryService, registryAddress, { defaultDeadlineMs: 3000 });
    try {
      const res = await registry.listModels({ pageSize: 100 });
      lines.push(`registry: ListModels answered, ${res.models.length} model(s) registered`);
    } finally {
      registry.close();
    }
  }
  return lines;
}

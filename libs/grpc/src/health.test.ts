import { status } from '@grpc/grpc-js';
import { Health, HealthCheckResponse_ServingStatus as ServingStatus } from '@mlops/proto/grpc/health/v1/health_pb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from './client.js';
import { RpcError } from './errors.js';
import { startEchoServer, type RunningEchoServer } from './testing/echo-service.js';

describe('grpc.health.v1.Health', () => {
  let running: RunningEchoServer;
  let health: Client<typeof Health>;

  beforeAll(async () => {
    running = await startEchoServer();
    health = createClient(Health, running.address);
  });
  afterAll(async () => {
    health.close();
    await running.close();
  });

  it('Check: the overall status and each added service are SERVING; unknown services are NOT_FOUND', async () => {
    expect((await health.check({ service: '' })).status).toBe(ServingStatus.SERVING);
    expect((await health.check({ service: 'mlops.testing.v1.EchoService' })).status).toBe(ServingStatus.SERVING);
    const err = await health.check({ service: 'no.such.Service' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).code).toBe(status.NOT_FOUND);
  });

  it('List: every status', async () => {
    const { statuses } = await health.list({});
    expect(Object.keys(statuses).sort()).toEqual(['', 'mlops.testing.v1.EchoService']);
  });

  it('Watch: the current status, then each change', async () => {
    const controller = new AbortController();
    const seen: ServingStatus[] = [];
    for await (const update of health.watch({ service: 'mlops.testing.v1.EchoService' }, { signal: controller.signal })) {
      seen.push(update.status);
      if (seen.length === 1) running.server.health.setStatus('mlops.testing.v1.EchoService', 'NOT_SERVING');
      if (seen.length === 2) running.server.health.setStatus('mlops.testing.v1.EchoService', 'SERVING');
      if (seen.length === 3) break;
    }
    expect(seen).toEqual([ServingStatus.SERVING, ServingStatus.NOT_SERVING, ServingStatus.SERVING]);
  });

  it('Watch of an unknown service says SERVICE_UNKNOWN, then follows it once it appears', async () => {
    const seen: ServingStatus[] = [];
    for await (const update of health.watch({ service: 'later' })) {
      seen.push(update.status);
      if (seen.length === 1) running.server.health.setStatus('later', 'SERVING');
      if (seen.length === 2) break;
    }
    expect(seen).toEqual([ServingStatus.SERVICE_UNKNOWN, ServingStatus.SERVING]);
  });
});

import { Metadata, status } from '@grpc/grpc-js';
import { Health, HealthCheckResponse_ServingStatus } from '@mlops/proto/grpc/health/v1/health_pb';
import { EchoService } from '@mlops/proto/mlops/testing/v1/echo_pb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate, authorize, parseAuthTokens } from './auth.js';
import { createClient } from './client.js';
import { RpcError } from './errors.js';
import { startEchoServer, type RunningEchoServer } from './testing/echo-service.js';

const withToken = (token: string) => {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
};

describe('parseAuthTokens / authenticate / authorize', () => {
  it('parses token:role pairs and treats an empty spec as auth off', () => {
    expect(parseAuthTokens('')).toEqual({ mode: 'off' });
    const config = parseAuthTokens('tok1:admin, tok2:reader');
    expect(config.mode).toBe('tokens');
    const admin = authenticate(config, withToken('tok1'));
    expect(admin).toEqual({ ok: true, principal: { kind: 'token', role: 'admin', name: expect.stringMatching(/^admin-[0-9a-f]{8}$/) } });
  });

  it('rejects a bad spec naming the entry and the roles', () => {
    expect(() => parseAuthTokens('tok1:admin,tok2:root')).toThrow(/entry 2: expected "token:role" with role one of reader, producer, deployer, admin/);
    expect(() => parseAuthTokens('justatoken')).toThrow(/entry 1/);
  });

  it('missing or wrong tokens are UNAUTHENTICATED', () => {
    const config = parseAuthTokens('secret:reader');
    const none = authenticate(config, new Metadata());
    const wrong = authenticate(config, withToken('secreT'));
    expect(none.ok || none.error.code).toBe(status.UNAUTHENTICATED);
    expect(wrong.ok || wrong.error.code).toBe(status.UNAUTHENTICATED);
  });

  it('maps roles to permissions', () => {
    const principal = (role: 'reader' | 'producer' | 'deployer' | 'admin') => ({ kind: 'token' as const, name: role, role });
    expect(authorize(principal('producer'), 'produce', '/m')).toBeUndefined();
    expect(authorize(principal('producer'), 'deploy', '/m')?.code).toBe(status.PERMISSION_DENIED);
    expect(authorize(principal('deployer'), 'deploy', '/m')).toBeUndefined();
    expect(authorize(principal('deployer'), 'admin', '/m')?.code).toBe(status.PERMISSION_DENIED);
    expect(authorize(principal('admin'), 'admin', '/m')).toBeUndefined();
    expect(authorize({ kind: 'anonymous' }, 'admin', '/m')).toBeUndefined();
  });
});

describe('a server with authentication on', () => {
  let running: RunningEchoServer;
  const seenPrincipals: unknown[] = [];

  beforeAll(async () => {
    running = await startEchoServer({
      auth: parseAuthTokens('reader-token:reader,admin-token:admin'),
      permissions: { echo: 'deploy' },
      hooks: { onCall: (_method, ctx) => seenPrincipals.push(ctx.principal) },
    });
  });
  afterAll(() => running.close());

  const callEcho = async (token?: string) => {
    const client = createClient(EchoService, running.address, token === undefined ? {} : { token });
    try {
      return await client.echo({ text: 'hi' }).then(
        (r) => r,
        (e: unknown) => e as RpcError,
      );
    } finally {
      client.close();
    }
  };

  it('no token: UNAUTHENTICATED', async () => {
    const result = await callEcho();
    expect(result).toBeInstanceOf(RpcError);
    expect((result as RpcError).code).toBe(status.UNAUTHENTICATED);
  });

  it('an unknown token: UNAUTHENTICATED', async () => {
    expect(((await callEcho('guess')) as RpcError).code).toBe(status.UNAUTHENTICATED);
  });

  it("a reader calling a 'deploy' method: PERMISSION_DENIED naming the role and the permission", async () => {
    const result = (await callEcho('reader-token')) as RpcError;
    expect(result.code).toBe(status.PERMISSION_DENIED);
    expect(result.message).toContain('"reader"');
    expect(result.message).toContain('"deploy"');
  });

  it('a reader may call methods that need only read (the default)', async () => {
    const client = createClient(EchoService, running.address, { token: 'reader-token' });
    try {
      const response = await client.echoClientStream([{ text: 'a' }]);
      expect(response.count).toBe(1);
    } finally {
      client.close();
    }
  });

  it('an admin is admitted and the handler sees its principal', async () => {
    seenPrincipals.length = 0;
    const result = await callEcho('admin-token');
    expect(result).not.toBeInstanceOf(RpcError);
    expect(seenPrincipals).toEqual([{ kind: 'token', role: 'admin', name: expect.stringMatching(/^admin-/) }]);
  });

  it('health needs no token (Kubernetes probes carry none)', async () => {
    const health = createClient(Health, running.address);
    try {
      const response = await health.check({ service: '' });
      expect(response.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    } finally {
      health.close();
    }
  });
});

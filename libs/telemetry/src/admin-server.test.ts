import { Counter } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetricsRegistry, startAdminServer, type AdminServer, type ReadinessReport } from './index.js';

const servers: AdminServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(readiness?: () => Promise<ReadinessReport>) {
  const metrics = createMetricsRegistry({ service: 'admin-test' });
  const server = await startAdminServer({ port: 0, metrics, ...(readiness ? { readiness } : {}) });
  servers.push(server);
  const url = (path: string) => `http://127.0.0.1:${server.port}${path}`;
  return { metrics, server, url };
}

describe('startAdminServer', () => {
  it('serves process metrics and custom counters as Prometheus text, labelled with the service', async () => {
    const { metrics, url } = await start();
    const requests = new Counter({ name: 'test_requests_total', help: 'requests', labelNames: ['route'], registers: [metrics] });
    requests.inc({ route: 'predict' }, 3);

    const res = await fetch(url('/metrics'));
    const body = await res.text();

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(body).toMatch(/^process_cpu_user_seconds_total\{service="admin-test"\} /m);
    expect(body).toMatch(/^nodejs_eventloop_lag_seconds\{service="admin-test"\} /m);
    expect(body).toContain('test_requests_total{route="predict",service="admin-test"} 3');
  });

  it('answers /livez with ok', async () => {
    const { url } = await start();
    const res = await fetch(url('/livez'));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
  });

  it('answers /readyz 200 with the report when every check passes, and ready without a check', async () => {
    const report: ReadinessReport = { ready: true, checks: { database: { ok: true } } };
    const withCheck = await start(async () => report);
    const res = await fetch(withCheck.url('/readyz'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual(report);

    const withoutCheck = await start();
    const bare = await fetch(withoutCheck.url('/readyz'));
    expect(bare.status).toBe(200);
    expect(await bare.json()).toEqual({ ready: true, checks: {} });
  });

  it('answers /readyz 503 with the failing check', async () => {
    const report: ReadinessReport = {
      ready: false,
      checks: { database: { ok: true }, nats: { ok: false, detail: 'connection refused' } },
    };
    const { url } = await start(async () => report);
    const res = await fetch(url('/readyz'));
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual(report);
  });

  it('answers /readyz 503 naming the error when the readiness function throws', async () => {
    const { url } = await start(async () => {
      throw new Error('pool exhausted');
    });
    const res = await fetch(url('/readyz'));
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      ready: false,
      checks: { readiness: { ok: false, detail: 'readiness check failed: pool exhausted' } },
    });
  });

  it('answers 404 for unknown paths and 405 for other methods', async () => {
    const { url } = await start();
    expect((await fetch(url('/nope'))).status).toBe(404);
    const post = await fetch(url('/metrics'), { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
  });

  it('closes even with a keep-alive connection open, and twice', async () => {
    const { server, url } = await start();
    // fetch keeps its connection alive; close() must not wait for it to idle out.
    await (await fetch(url('/livez'))).text();
    await server.close();
    await server.close();
    await expect(fetch(url('/livez'))).rejects.toThrow();
  });
});

import { readFileSync } from 'node:fs';
import { SERVICES, type ServiceName } from '@mlops/config';
import { createClient } from '@mlops/grpc';
import { Health, HealthCheckResponse_ServingStatus } from '@mlops/proto/grpc/health/v1/health_pb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployPath } from './paths.js';
import { metricNamesIn, namesInExposition } from './promql.js';
import { startRunningPlatform, type RunningPlatform } from './running-platform.js';
import { SERVICE_NAMES } from './service-config.js';
import { readYaml } from './yaml-files.js';

interface Panel {
  title?: string;
  targets?: Array<{ expr?: string }>;
  panels?: Panel[];
}
interface Dashboard {
  panels: Panel[];
  templating?: { list: Array<{ definition?: string }> };
}

const dashboard = JSON.parse(
  readFileSync(deployPath('grafana/dashboards/mlops-overview.json'), 'utf8'),
) as Dashboard;
const allPanels = (panels: Panel[]): Panel[] => panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
const expressions = [
  ...allPanels(dashboard.panels).flatMap((p) =>
    (p.targets ?? []).map((t) => ({ where: p.title ?? '?', expr: t.expr ?? '' })),
  ),
  ...(dashboard.templating?.list ?? []).map((v) => ({
    where: 'variable',
    expr: (v.definition ?? '').replace(/^label_values\(([^,]+),.*$/, '$1'),
  })),
];

describe('metricNamesIn', () => {
  it('finds metric names and nothing else', () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.99, sum by (service, le) (rate(grpc_server_handling_seconds_bucket{service=~"$service",grpc_type="unary"}[5m])))',
      ),
    ).toEqual(['grpc_server_handling_seconds_bucket']);
    expect(
      metricNamesIn(
        'sum by (m) (rate(a_total[5m])) / ignoring (v) group_left sum by (m) (rate(b_total{x="y"}[5m])) > 1e3',
      ).sort(),
    ).toEqual(['a_total', 'b_total']);
  });
});

describe('deploy/prometheus/prometheus.yml', () => {
  it('scrapes every service on its admin port, by compose service name', () => {
    const config = readYaml(deployPath('prometheus/prometheus.yml')) as {
      scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }>;
    };
    const targets = config.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    expect(targets.sort()).toEqual(SERVICE_NAMES.map((name) => `${name}:${SERVICES[name].adminPort}`).sort());
  });
});

describe('the Grafana dashboard against the running services', () => {
  let platform: RunningPlatform;
  const exposed = new Map<ServiceName, Set<string>>();

  beforeAll(async () => {
    platform = await startRunningPlatform();
    for (const [name, booted] of platform.services) {
      const res = await fetch(`http://127.0.0.1:${booted.adminPort}/metrics`);
      exposed.set(name, namesInExposition(await res.text()));
    }
  });
  afterAll(async () => {
    await platform?.close();
  });

  it('queries only metric names some service exposes', () => {
    const known = new Set([...exposed.values()].flatMap((s) => [...s]));
    const unknown = expressions.flatMap(({ where, expr }) =>
      metricNamesIn(expr)
        .filter((n) => !known.has(n))
        .map((n) => `${where}: ${n}`),
    );
    expect(expressions.length).toBeGreaterThan(10);
    expect(unknown).toEqual([]);
  });

  it('has RED figures for every service: each exposes grpc_server_handled_total and grpc_server_handling_seconds', () => {
    for (const name of SERVICE_NAMES) {
      expect(exposed.get(name), name).toContain('grpc_server_handled_total');
      expect(exposed.get(name), name).toContain('grpc_server_handling_seconds_bucket');
    }
  });

  it('answers what the probes ask: gRPC health SERVING, /livez and /readyz 200', async () => {
    for (const [name, booted] of platform.services) {
      const health = createClient(Health, `127.0.0.1:${booted.grpcPort}`, { defaultDeadlineMs: 5_000 });
      try {
        expect((await health.check({ service: '' })).status, name).toBe(
          HealthCheckResponse_ServingStatus.SERVING,
        );
      } finally {
        health.close();
      }
      expect((await fetch(`http://127.0.0.1:${booted.adminPort}/livez`)).status, name).toBe(200);
      expect((await fetch(`http://127.0.0.1:${booted.adminPort}/readyz`)).status, name).toBe(200);
    }
  });
});

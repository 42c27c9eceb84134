import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deployPath } from './paths.js';
import { parseYamlFile, yamlFilesUnderDeploy } from './yaml-files.js';

describe('deploy/: every file parses', () => {
  const files = yamlFilesUnderDeploy();

  it('finds the compose file, the Prometheus and Grafana configs and the kustomizations', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'docker-compose.yml',
        'prometheus/prometheus.yml',
        'k8s/base/kustomization.yaml',
        'k8s/overlays/production/kustomization.yaml',
        'grafana/provisioning/datasources/prometheus.yml',
        'grafana/provisioning/dashboards/mlops.yml',
      ]),
    );
  });

  it.each(files)('%s is valid YAML (no duplicate keys)', (file) => {
    const parsed = parseYamlFile(deployPath(file));
    expect(parsed.ok ? 'ok' : parsed.error).toBe('ok');
    expect(parsed.ok && parsed.documents.length).toBeGreaterThan(0);
  });

  it('every Kubernetes document names its apiVersion, kind and name', () => {
    for (const file of files.filter((f) => f.startsWith('k8s/') && !f.endsWith('kustomization.yaml'))) {
      const parsed = parseYamlFile(deployPath(file));
      if (!parsed.ok) throw new Error(parsed.error);
      for (const doc of parsed.documents as Array<{
        apiVersion?: string;
        kind?: string;
        metadata?: { name?: string };
      }>) {
        expect(doc.apiVersion, file).toBeTruthy();
        expect(doc.kind, file).toBeTruthy();
        expect(doc.metadata?.name, file).toBeTruthy();
      }
    }
  });

  it('the Grafana dashboard is JSON with a uid and panels', () => {
    const dashboard = JSON.parse(
      readFileSync(deployPath('grafana/dashboards/mlops-overview.json'), 'utf8'),
    ) as { uid: string; panels: unknown[] };
    expect(dashboard.uid).toBe('mlops-overview');
    expect(dashboard.panels.length).toBeGreaterThan(0);
  });
});

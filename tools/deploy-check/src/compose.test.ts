import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SERVICES, adminAddrVariable, addrVariable } from '@mlops/config';
import { describe, expect, it } from 'vitest';
import {
  composeContainerPorts,
  composeEnvironment,
  interpolate,
  loadCompose,
  splitImage,
} from './compose.js';
import { deployPath } from './paths.js';
import {
  DIALS,
  SERVICE_NAMES,
  checkServiceEnv,
  serviceOfAddrVariable,
  splitHostPort,
} from './service-config.js';

const composePath = deployPath('docker-compose.yml');
const compose = loadCompose(composePath);
const service = (name: string) => {
  const s = compose.services[name];
  if (!s) throw new Error(`docker-compose.yml has no service "${name}"`);
  return s;
};

describe('interpolate (compose variable syntax)', () => {
  it('uses defaults for unset or empty variables as compose does', () => {
    expect(interpolate('${A:-x}')).toBe('x');
    expect(interpolate('${A:-x}', { A: '' })).toBe('x');
    expect(interpolate('${A-x}', { A: '' })).toBe('');
    expect(interpolate('a${A}b', { A: '1' })).toBe('a1b');
  });
});

describe('docker-compose.yml: infrastructure', () => {
  it('runs NATS with JetStream and a data directory', () => {
    const command = [service('nats').command ?? []].flat().join(' ');
    expect(command).toMatch(/(^| )(-js|--jetstream)( |$)/);
  });

  it('runs Jaeger with OTLP on, and the services export to its OTLP/gRPC port 4317', () => {
    expect(composeEnvironment(service('jaeger'))['COLLECTOR_OTLP_ENABLED']).toBe('true');
    for (const name of SERVICE_NAMES) {
      expect(new URL(composeEnvironment(service(name))['OTEL_EXPORTER_OTLP_ENDPOINT']!).host, name).toBe(
        'jaeger:4317',
      );
    }
  });

  it('mounts files and folders that exist', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      for (const volume of s.volumes ?? []) {
        const source = typeof volume === 'string' ? volume.split(':')[0]! : (volume.source ?? '');
        if (!source.startsWith('.')) {
          expect(compose.volumes ?? {}, `${name}: named volume ${source}`).toHaveProperty(source);
          continue;
        }
        expect(existsSync(resolve(dirname(composePath), source)), `${name}: ${source}`).toBe(true);
      }
    }
  });

  it('points PostgreSQL and NATS URLs at compose services that exist', () => {
    for (const name of SERVICE_NAMES) {
      const env = composeEnvironment(service(name));
      expect(new URL(env['NATS_URL']!).host).toBe('nats:4222');
      if (env['DATABASE_URL'] !== undefined) expect(new URL(env['DATABASE_URL']).host).toBe('postgres:5432');
    }
  });
});

describe.each(SERVICE_NAMES)('docker-compose.yml: %s', (name) => {
  const s = service(name);
  const env = composeEnvironment(s);
  const ports = SERVICES[name];

  it('is built from deploy/Dockerfile for this service, as image mlops/<name>', () => {
    expect(s.build?.dockerfile).toBe('deploy/Dockerfile');
    expect(resolve(dirname(composePath), s.build?.context ?? '.')).toBe(resolve(deployPath('..')));
    expect(s.build?.args?.['SERVICE']).toBe(name);
    expect(splitImage(s.image ?? '').repository).toBe(`mlops/${name}`);
  });

  it('sets only variables the service reads, with values it accepts', () => {
    expect(checkServiceEnv(name, env)).toEqual({ ok: true });
  });

  it('listens on 0.0.0.0 on its default ports and publishes them', () => {
    expect(env[addrVariable(name)]).toBe(`0.0.0.0:${ports.grpcPort}`);
    expect(env[adminAddrVariable(name)]).toBe(`0.0.0.0:${ports.adminPort}`);
    expect(composeContainerPorts(s).sort()).toEqual([ports.grpcPort, ports.adminPort].sort());
  });

  it('sets the address of every service it dials', () => {
    for (const target of DIALS[name]) expect(env[addrVariable(target)], addrVariable(target)).toBeDefined();
  });

  it('dials the other services by compose name on the port they listen on', () => {
    for (const [variable, value] of Object.entries(env)) {
      const target = serviceOfAddrVariable(variable);
      if (!target || target === name) continue;
      const { host, port } = splitHostPort(value);
      expect(host, variable).toBe(target);
      expect(compose.services, variable).toHaveProperty(target);
      expect(splitHostPort(composeEnvironment(service(target))[addrVariable(target)]!).port, variable).toBe(
        port,
      );
    }
  });
});

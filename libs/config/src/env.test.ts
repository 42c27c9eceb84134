import { describe, expect, it } from 'vitest';
import { ConfigError, commonShape, loadConfig, parseEnv, positiveInt, serviceAddressShape } from './index.js';

describe('parseEnv', () => {
  it('applies defaults and treats empty strings as unset', () => {
    const result = parseEnv({ ...commonShape, MAX: positiveInt(8) }, { MLOPS_DATA_DIR: '', MAX: '' });
    expect(result).toEqual({ ok: true, value: expect.objectContaining({ MLOPS_DATA_DIR: './.mlops', MAX: 8, LOG_LEVEL: 'info' }) });
  });

  it('names every bad variable and what it expects', () => {
    const result = parseEnv(commonShape, {
      DATABASE_URL: 'mysql://x',
      LOG_LEVEL: 'loud',
      MLOPS_AUTH_TOKENS: 'abc:superuser',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const variables = result.error.issues.map((i) => i.variable).sort();
    expect(variables).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'MLOPS_AUTH_TOKENS']);
    expect(result.error.message).toContain('DATABASE_URL: expected a URL with scheme postgres:// or postgresql:// (got "mysql://x")');
    expect(result.error.message).toContain('LOG_LEVEL: expected one of trace');
  });

  it('loadConfig throws a ConfigError for a bad address', () => {
    expect(() => loadConfig(serviceAddressShape(), { MLOPS_ROUTER_ADDR: 'localhost' })).toThrow(ConfigError);
    expect(() => loadConfig(serviceAddressShape(), { MLOPS_ROUTER_ADDR: 'localhost:99999' })).toThrow(
      /MLOPS_ROUTER_ADDR: expected a port between 0 and 65535/,
    );
  });

  it('gives every service its default address', () => {
    const cfg = loadConfig(serviceAddressShape(), {});
    expect(cfg['MLOPS_FEATURE_STORE_ADDR']).toBe('127.0.0.1:50052');
    expect(cfg['MLOPS_MONITORING_ADMIN_ADDR']).toBe('127.0.0.1:9469');
  });
});

import { describe, expect, it } from 'vitest';
import { evaluateReadiness } from './readiness.js';

describe('evaluateReadiness', () => {
  it('reports not ready when the check does not answer in time', async () => {
    const never = () => new Promise<never>(() => {});
    const report = await evaluateReadiness(never, 20);
    expect(report).toEqual({ ready: false, checks: { readiness: { ok: false, detail: 'readiness check did not answer within 20 ms' } } });
  });

  it('reports not ready when the check throws synchronously', async () => {
    const report = await evaluateReadiness(() => {
      throw new TypeError('bad wiring');
    });
    expect(report.ready).toBe(false);
    expect(report.checks['readiness']?.detail).toBe('readiness check failed: bad wiring');
  });

  it('passes a report through unchanged', async () => {
    const report = { ready: true, checks: { bus: { ok: true } } };
    expect(await evaluateReadiness(async () => report)).toBe(report);
  });
});

import { describe, expect, it } from 'vitest';
import { calibrate } from './calibration.js';
import { renderReport } from './report.js';

describe('renderReport', () => {
  it("writes each figure with its baseline, ratio and target, and the machine's speed when the benchmark started", () => {
    const md = renderReport(
      [
        {
          name: 'demo',
          issue: 'an issue',
          figures: [
            { label: 'rate', value: 45_000, unit: 'rows/s', target: { text: '≥ 50,000 rows/s', met: false } },
            { label: 'p50', value: 0.5, unit: 'ms', baseline: { label: 'echo', value: 0.4 }, ratio: 1.25, target: { text: '≤ 1.3×', met: true } },
          ],
          notes: ['a note'],
          calibrationMs: 87.4,
          startedAt: '2026-12-07T07:59:00.000Z',
        },
      ],
      new Date('2026-12-07T08:00:00Z'),
    );
    expect(md).toContain('| rate | 45000 rows/s | — | — | ≥ 50,000 rows/s ❌ |');
    expect(md).toContain('| p50 | 0.500 ms | echo: 0.400 ms | 1.25× | ≤ 1.3× ✅ |');
    expect(md).toContain('- a note\n- Ran 2026-12-07T07:59:00.000Z; machine speed when it started: the calibration workload took 87 ms.');
  });
});

describe('calibrate', () => {
  it('times the workload as a positive number of milliseconds', () => {
    const ms = calibrate();
    expect(Number.isFinite(ms)).toBe(true);
    expect(ms).toBeGreaterThan(0);
  });
});

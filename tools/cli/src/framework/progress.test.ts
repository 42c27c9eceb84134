import { describe, expect, it } from 'vitest';
import { captureStream } from '../testing/capture-io.js';
import { createProgress, PLAIN_INTERVAL_MS } from './progress.js';

describe('createProgress', () => {
  it('writes a plain line at most every few seconds when stderr is not a terminal, and one at the end', () => {
    let clock = 0;
    const stream = captureStream({ isTTY: false });
    const progress = createProgress(stream, () => clock, { label: 'uploading m.onnx', total: 4 * 1024 * 1024, unit: { kind: 'bytes' } });
    progress.advance(1024 * 1024);
    clock += 100;
    progress.advance(1024 * 1024); // too soon after the first line: nothing written
    clock += PLAIN_INTERVAL_MS;
    progress.advance(1024 * 1024);
    clock += 100;
    progress.advance(1024 * 1024);
    progress.finish();
    expect(stream.text().split('\n')).toEqual([
      'uploading m.onnx: 25% (1.0 MiB / 4.0 MiB)',
      'uploading m.onnx: 75% (3.0 MiB / 4.0 MiB)',
      'uploading m.onnx: done, 4.0 MiB in 5.2 s',
      '',
    ]);
  });

  it('redraws a bar in place on a terminal and ends the line when finished', () => {
    let clock = 0;
    const stream = captureStream({ isTTY: true });
    const progress = createProgress(stream, () => clock, { label: 'materializing', unit: { kind: 'count', noun: 'entities' } });
    progress.update(10, 40);
    clock += 1000;
    progress.update(40, 40);
    progress.finish();
    const text = stream.text();
    expect(text.startsWith('\rmaterializing [######..................]  25%  10 entities / 40 entities')).toBe(true);
    expect(text).toContain('100%  40 entities / 40 entities');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n')).toHaveLength(2);
  });
});

import { describe, expect, it } from 'vitest';
import { seededRandom, uniformMatrix } from '../random.js';
import { expectRowsClose, loadSession, runRows, toRows } from '../testing/ort.js';
import type { OutputActivation } from './dense.js';
import {
  buildLinearModel,
  buildLogisticRegression,
  predictLinear,
  predictLogisticRegression,
  type LinearModelSpec,
} from './linear.js';

const random = seededRandom(11);
const rows = uniformMatrix(random, 5, 4, 3);
const weights = uniformMatrix(random, 4, 3, 1);
const bias = [0.5, -0.25, 0.1];

describe('buildLinearModel', () => {
  it.each<OutputActivation>(['none', 'sigmoid', 'softmax'])(
    'computes activation(x·W + b) with %s (float)',
    async (activation) => {
      const spec: LinearModelSpec = { weights, bias, activation };
      const session = await loadSession(buildLinearModel(spec));
      expect(session.inputNames).toEqual(['features']);
      expect(session.outputNames).toEqual(['scores']);
      const output = (await runRows(session, 'features', rows)).scores!;
      expect(output.type).toBe('float32');
      expect(output.dims).toEqual([5, 3]);
      expectRowsClose(toRows(output), predictLinear(spec, rows), 1e-5);
      await session.release();
    },
  );

  it('computes in double precision with custom names', async () => {
    const spec: LinearModelSpec = {
      weights,
      bias,
      activation: 'softmax',
      elementType: 'double',
      inputName: 'x',
      outputName: 'y',
    };
    const session = await loadSession(buildLinearModel(spec));
    const output = (await runRows(session, 'x', rows, 'float64')).y!;
    expect(output.type).toBe('float64');
    expectRowsClose(toRows(output), predictLinear(spec, rows), 1e-12);
    await session.release();
  });

  it('accepts any batch size, including one row', async () => {
    const spec: LinearModelSpec = { weights, bias, activation: 'none' };
    const session = await loadSession(buildLinearModel(spec));
    for (const batch of [rows.slice(0, 1), rows]) {
      const output = (await runRows(session, 'features', batch)).scores!;
      expect(output.dims).toEqual([batch.length, 3]);
    }
    await session.release();
  });

  it('refuses a ragged weight matrix or a bias of the wrong size', () => {
    expect(() => buildLinearModel({ weights: [[1, 2], [3]], bias: [0, 0], activation: 'none' })).toThrow(
      /row 1 has 1/,
    );
    expect(() => buildLinearModel({ weights: [[1, 2]], bias: [0], activation: 'none' })).toThrow(
      /bias has 1 values, expected 2/,
    );
  });
});

describe('buildLogisticRegression', () => {
  it('outputs probability = sigmoid(x·w + b) as [batch, 1]', async () => {
    const spec = { weights: [0.8, -1.2, 0.3, 2], bias: -0.4 };
    const session = await loadSession(buildLogisticRegression(spec));
    expect(session.outputNames).toEqual(['probability']);
    const output = (await runRows(session, 'features', rows)).probability!;
    expect(output.dims).toEqual([5, 1]);
    const expected = rows.map(
      (row) => 1 / (1 + Math.exp(-(row.reduce((sum, x, j) => sum + x * spec.weights[j]!, 0) + spec.bias))),
    );
    expectRowsClose(
      toRows(output),
      expected.map((p) => [p]),
      1e-5,
    );
    expectRowsClose(
      predictLogisticRegression(spec, rows).map((p) => [p]),
      expected.map((p) => [p]),
      1e-12,
    );
    await session.release();
  });
});

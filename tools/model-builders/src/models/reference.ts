import type { DenseLayer, HiddenActivation, OutputActivation } from './dense.js';

/**
 * Plain TypeScript forward passes: what the ONNX graphs compute, written independently, so tests
 * (and services checking a prediction) have something to compare onnxruntime's output with.
 */

export function denseForward(rows: readonly (readonly number[])[], layer: DenseLayer): number[][] {
  const outputs = layer.bias.length;
  return rows.map((row) => {
    const result = [...layer.bias];
    row.forEach((value, i) => {
      const weights = layer.weights[i];
      if (weights === undefined)
        throw new RangeError(`row has ${row.length} features, layer takes ${layer.weights.length}`);
      for (let j = 0; j < outputs; j++) result[j]! += value * weights[j]!;
    });
    return result;
  });
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function softmax(row: readonly number[]): number[] {
  const max = Math.max(...row);
  const exps = row.map((value) => Math.exp(value - max));
  const total = exps.reduce((sum, value) => sum + value, 0);
  return exps.map((value) => value / total);
}

export function activate(
  rows: readonly (readonly number[])[],
  activation: HiddenActivation | OutputActivation,
): number[][] {
  switch (activation) {
    case 'none':
      return rows.map((row) => [...row]);
    case 'relu':
      return rows.map((row) => row.map((value) => Math.max(0, value)));
    case 'tanh':
      return rows.map((row) => row.map(Math.tanh));
    case 'sigmoid':
      return rows.map((row) => row.map(sigmoid));
    case 'softmax':
      return rows.map(softmax);
  }
}

import { describe, expect, it } from 'vitest';
import { seededRandom, uniformMatrix } from '../random.js';
import { expectRowsClose, loadSession, runRows, toRows } from '../testing/ort.js';
import type { HiddenActivation } from './dense.js';
import { buildMlp, buildSlowMlp, predictMlp, slowMlpSpec, type MlpSpec } from './mlp.js';

const random = seededRandom(5);
const rows = uniformMatrix(random, 4, 6, 2);

function mlpSpec(hiddenActivation: HiddenActivation): MlpSpec {
  return {
    layers: [
      { weights: uniformMatrix(random, 6, 8, 1), bias: uniformMatrix(random, 1, 8, 0.5)[0]! },
      { weights: uniformMatrix(random, 8, 5, 1), bias: uniformMatrix(random, 1, 5, 0.5)[0]! },
      { weights: uniformMatrix(random, 5, 3, 1), bias: [0.1, 0, -0.1] },
    ],
    hiddenActivation,
    outputActivation: 'softmax',
  };
}

describe('buildMlp', () => {
  it.each<HiddenActivation>(['relu', 'tanh'])(
    'matches the reference forward pass with %s hidden layers',
    async (activation) => {
      const spec = mlpSpec(activation);
      const session = await loadSession(buildMlp(spec));
      const output = (await runRows(session, 'features', rows)).scores!;
      expect(output.dims).toEqual([4, 3]);
      const actual = toRows(output);
      expectRowsClose(actual, predictMlp(spec, rows), 1e-5);
      // Softmax rows are distributions.
      for (const row of actual) expect(row.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 5);
      await session.release();
    },
  );

  it('refuses layers whose sizes do not chain', () => {
    const spec: MlpSpec = {
      layers: [
        { weights: [[1, 2]], bias: [0, 0] },
        { weights: [[1], [2], [3]], bias: [0] },
      ],
      hiddenActivation: 'relu',
      outputActivation: 'none',
    };
    expect(() => buildMlp(spec)).toThrow(/takes 3 inputs, previous layer gives 2/);
  });
});

describe('buildSlowMlp', () => {
  it('is 30 → 1024 → 1024 → 1024 → 1, deterministic per seed, and loads', async () => {
    const spec = slowMlpSpec(1);
    expect(spec.layers.map((layer) => [layer.weights.length, layer.bias.length])).toEqual([
      [30, 1024],
      [1024, 1024],
      [1024, 1024],
      [1024, 1],
    ]);
    const bytes = buildSlowMlp(1);
    // Buffer#equals: vitest's deep equality walks 12 MB element by element.
    expect(Buffer.from(bytes).equals(buildSlowMlp(1))).toBe(true);
    expect(Buffer.from(bytes).equals(buildSlowMlp(2))).toBe(false);

    const session = await loadSession(bytes);
    const input = uniformMatrix(seededRandom(9), 3, 30, 2);
    const output = (await runRows(session, 'features', input)).probability!;
    expect(output.dims).toEqual([3, 1]);
    const actual = toRows(output);
    // A thousand float32 products per output: compare with a looser tolerance than small models.
    expectRowsClose(actual, predictMlp(spec, input), 1e-4);
    // The output depends on the input (the tanh layers are not saturated into a constant).
    expect(new Set(actual.map((row) => row[0]!.toFixed(4))).size).toBe(3);
    await session.release();
  });
});

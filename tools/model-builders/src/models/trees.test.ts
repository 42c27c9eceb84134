import { describe, expect, it } from 'vitest';
import { expectRowsClose, loadSession, runRows, toRows } from '../testing/ort.js';
import {
  buildTreeEnsembleClassifier,
  buildTreeEnsembleRegressor,
  predictTreeEnsembleClassifier,
  predictTreeEnsembleRegressor,
  type Tree,
  type TreeEnsembleClassifierSpec,
  type TreeEnsembleRegressorSpec,
} from './trees.js';

const leaf = <V>(value: V): Tree<V> => ({ kind: 'leaf', value });
const split = <V>(feature: number, threshold: number, left: Tree<V>, right: Tree<V>): Tree<V> => ({
  kind: 'split',
  feature,
  threshold,
  mode: 'BRANCH_LEQ',
  left,
  right,
});

// Two trees over three features; rows hit every leaf, and two rows sit exactly on a threshold
// (x <= threshold goes left).
const trees: Tree[] = [
  split(0, 0.5, split(1, -1, leaf(1.5), leaf(-0.5)), leaf(2)),
  split(2, 0.25, leaf(-1), split(0, 2, leaf(0.75), leaf(3))),
];
const rows = [
  [0, -2, 0],
  [0.5, 0, 1],
  [1, 5, 0.25],
  [3, 0, 1],
  [-4, -1, 0.3],
];

describe('buildTreeEnsembleRegressor', () => {
  it.each<Partial<TreeEnsembleRegressorSpec>>([
    {},
    { baseValue: 0.5, postTransform: 'LOGISTIC' },
    { aggregate: 'AVERAGE', baseValue: -1 },
  ])('matches the reference walk of the trees (%o)', async (options) => {
    const spec: TreeEnsembleRegressorSpec = { trees, ...options };
    const session = await loadSession(buildTreeEnsembleRegressor(spec));
    expect(session.outputNames).toEqual(['prediction']);
    const output = (await runRows(session, 'features', rows)).prediction!;
    expect(output.dims).toEqual([rows.length, 1]);
    expectRowsClose(
      toRows(output),
      predictTreeEnsembleRegressor(spec, rows).map((value) => [value]),
      1e-5,
    );
    await session.release();
  });

  it('routes rows on a threshold to the left branch', () => {
    // Row [0.5, 0, 1]: tree 0 → x0 <= 0.5 → x1 = 0 > -1 → -0.5; tree 1 → x2 > 0.25 → x0 <= 2 → 0.75.
    expect(predictTreeEnsembleRegressor({ trees }, [rows[1]!])).toEqual([0.25]);
  });

  it('refuses a featureCount narrower than the splits', () => {
    expect(() => buildTreeEnsembleRegressor({ trees, featureCount: 2 })).toThrow(/uses feature 2/);
  });
});

describe('buildTreeEnsembleClassifier', () => {
  async function expectMatches(spec: TreeEnsembleClassifierSpec, classes: number): Promise<void> {
    const session = await loadSession(buildTreeEnsembleClassifier(spec));
    expect(session.outputNames).toEqual(['label', 'probabilities']);
    const outputs = await runRows(session, 'features', rows);
    const expected = predictTreeEnsembleClassifier(spec, rows);
    expect(outputs.label!.type).toBe('int64');
    expect(Array.from(outputs.label!.data as BigInt64Array)).toEqual(
      expected.map((row) => BigInt(row.label)),
    );
    expect(outputs.probabilities!.dims).toEqual([rows.length, classes]);
    expectRowsClose(
      toRows(outputs.probabilities!),
      expected.map((row) => [...row.probabilities]),
      1e-5,
    );
    await session.release();
  }

  it('binary: probabilities are [1 - p, p] with p = sigmoid(base + Σ leaves)', async () => {
    await expectMatches({ kind: 'binary', trees, baseScore: -0.3 }, 2);
  });

  it('binary: the label follows the probability even when every leaf is positive', async () => {
    // onnxruntime's own label output thresholds the raw score at 0.5 in this case (a score of
    // 0.3 gives p = 0.57 but label 0); the builder derives the label from the probabilities.
    const positive: Tree[] = [split(0, 0.5, leaf(0.1), leaf(0.2))];
    const spec: TreeEnsembleClassifierSpec = {
      kind: 'binary',
      trees: positive,
      baseScore: 0.2,
      featureCount: 3,
    };
    expect(predictTreeEnsembleClassifier(spec, [[0]])[0]!.label).toBe(1);
    await expectMatches(spec, 2);
  });

  it('multiclass: probabilities are softmax(base + Σ leaf vectors)', async () => {
    const multi: Tree<readonly number[]>[] = [
      split(0, 0.5, leaf([1, 0, -1]), leaf([-1, 2, 0])),
      split(2, 0.25, leaf([0.5, 0.5, 3]), leaf([0, 0, 0])),
    ];
    await expectMatches({ kind: 'multiclass', classes: 3, trees: multi, baseScores: [0.1, 0, -0.1] }, 3);
  });

  it('refuses leaves with the wrong number of class scores', () => {
    const bad: Tree<readonly number[]>[] = [leaf([1, 2])];
    expect(() => buildTreeEnsembleClassifier({ kind: 'multiclass', classes: 3, trees: bad })).toThrow(
      /expected 3/,
    );
  });
});

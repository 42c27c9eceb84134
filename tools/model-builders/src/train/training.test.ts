import { describe, expect, it } from 'vitest';
import { buildLogisticRegression, predictLogisticRegression } from '../models/linear.js';
import { buildTreeEnsembleClassifier, buildTreeEnsembleRegressor } from '../models/trees.js';
import { expectRowsClose, loadSession, runRows, toRows } from '../testing/ort.js';
import { syntheticBinaryDataset, trainTestSplit } from './dataset.js';
import {
  boostedTreesAsRegressor,
  predictGradientBoostedTrees,
  trainGradientBoostedTrees,
} from './gradient-boosting.js';
import { trainLogisticRegression } from './logistic-regression.js';
import { accuracy, auc, logLoss } from './metrics.js';

const dataset = syntheticBinaryDataset(1, { rows: 2000, features: 6 });
const { train, test } = trainTestSplit(dataset, 0.75);

describe('syntheticBinaryDataset', () => {
  it('is reproducible and has both classes in good measure', () => {
    expect(syntheticBinaryDataset(1, { rows: 2000, features: 6 })).toEqual(dataset);
    expect(syntheticBinaryDataset(2, { rows: 2000, features: 6 })).not.toEqual(dataset);
    expect(train.X).toHaveLength(1500);
    expect(test.X).toHaveLength(500);
    const positives = train.y.filter((label) => label === 1).length / train.y.length;
    expect(positives).toBeGreaterThan(0.2);
    expect(positives).toBeLessThan(0.8);
  });
});

describe('trainLogisticRegression', () => {
  const model = trainLogisticRegression(train.X, train.y, { epochs: 300, learningRate: 0.5, l2: 1e-3 });

  it('reaches a held-out AUC above 0.8 and beats the constant predictor', () => {
    const scores = predictLogisticRegression(model, test.X);
    expect(auc(test.y, scores)).toBeGreaterThan(0.8);
    const prior = train.y.reduce((sum, label) => sum + label, 0) / train.y.length;
    expect(logLoss(test.y, scores)).toBeLessThan(
      logLoss(
        test.y,
        test.y.map(() => prior),
      ),
    );
    expect(accuracy(test.y, scores)).toBeGreaterThan(0.7);
  });

  it('also trains on raw (unstandardized) features', () => {
    const raw = trainLogisticRegression(train.X, train.y, {
      epochs: 300,
      learningRate: 0.5,
      l2: 1e-3,
      standardize: false,
    });
    expect(auc(test.y, predictLogisticRegression(raw, test.X))).toBeGreaterThan(0.8);
  });

  it('exports to ONNX that reproduces its probabilities', async () => {
    const session = await loadSession(buildLogisticRegression(model));
    const output = (await runRows(session, 'features', test.X)).probability!;
    expectRowsClose(
      toRows(output),
      predictLogisticRegression(model, test.X).map((p) => [p]),
      1e-5,
    );
    await session.release();
  });
});

describe('trainGradientBoostedTrees', () => {
  const model = trainGradientBoostedTrees(train.X, train.y, { trees: 40, depth: 3, learningRate: 0.2 });

  it('grows depth-limited trees and reaches a held-out AUC above 0.8', () => {
    const depth = (tree: (typeof model.trees)[number]): number =>
      tree.kind === 'leaf' ? 0 : 1 + Math.max(depth(tree.left), depth(tree.right));
    expect(model.trees).toHaveLength(40);
    expect(Math.max(...model.trees.map(depth))).toBeLessThanOrEqual(3);
    expect(Math.max(...model.trees.map(depth))).toBeGreaterThan(0);
    const scores = predictGradientBoostedTrees(model, test.X);
    expect(auc(test.y, scores)).toBeGreaterThan(0.8);
    // Boosting lowers the training loss below the prior-only model's.
    const prior = 1 / (1 + Math.exp(-model.baseScore));
    const trainScores = predictGradientBoostedTrees(model, train.X);
    expect(logLoss(train.y, trainScores)).toBeLessThan(
      logLoss(
        train.y,
        train.y.map(() => prior),
      ) * 0.8,
    );
  });

  it('exports to a TreeEnsembleClassifier that reproduces its probabilities and labels', async () => {
    const session = await loadSession(buildTreeEnsembleClassifier(model));
    const outputs = await runRows(session, 'features', test.X);
    const expected = predictGradientBoostedTrees(model, test.X);
    expectRowsClose(
      toRows(outputs.probabilities!),
      expected.map((p) => [1 - p, p]),
      1e-5,
    );
    const labels = Array.from(outputs.label!.data as BigInt64Array, Number);
    // Rows within float rounding of p = 0.5 could go either way; none should here.
    expect(labels).toEqual(expected.map((p) => (p > 0.5 ? 1 : 0)));
    await session.release();
  });

  it('exports to a TreeEnsembleRegressor (LOGISTIC) that outputs the same probability', async () => {
    const session = await loadSession(buildTreeEnsembleRegressor(boostedTreesAsRegressor(model)));
    const output = (await runRows(session, 'features', test.X)).probability!;
    expectRowsClose(
      toRows(output),
      predictGradientBoostedTrees(model, test.X).map((p) => [p]),
      1e-5,
    );
    await session.release();
  });
});

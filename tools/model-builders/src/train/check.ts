/** Checks a training set (rectangular, one 0/1 label per row) and returns its feature count. */
export function checkDataset(X: readonly (readonly number[])[], y: readonly number[]): number {
  if (X.length === 0) throw new RangeError('training set is empty');
  if (X.length !== y.length) throw new RangeError(`X has ${X.length} rows but y has ${y.length} labels`);
  const features = X[0]!.length;
  if (features === 0) throw new RangeError('rows must have at least one feature');
  X.forEach((row, index) => {
    if (row.length !== features)
      throw new RangeError(`row ${index} has ${row.length} features, expected ${features}`);
  });
  y.forEach((label, index) => {
    if (label !== 0 && label !== 1) throw new RangeError(`y[${index}] must be 0 or 1, got ${label}`);
  });
  return features;
}

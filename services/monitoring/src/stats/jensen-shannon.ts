/**
 * Jensen–Shannon distance (the square root of the divergence) between two discrete distributions
 * given as non-negative weights over the same categories, as scipy.spatial.distance.jensenshannon:
 * natural logarithm unless `base` is given.
 */
const relEntr = (x: number, y: number): number => {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
};

export function jensenShannon(p: ArrayLike<number>, q: ArrayLike<number>, base?: number): number {
  if (p.length !== q.length) throw new RangeError('jensenshannon: p and q must have the same length');
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < p.length; i++) {
    sp += p[i]!;
    sq += q[i]!;
  }
  let js = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]! / sp;
    const qi = q[i]! / sq;
    const m = (pi + qi) / 2;
    js += relEntr(pi, m) + relEntr(qi, m);
  }
  if (base !== undefined) js /= Math.log(base);
  return Math.sqrt(js / 2);
}

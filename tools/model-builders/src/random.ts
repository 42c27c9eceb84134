/**
 * Deterministic pseudo-random numbers (mulberry32): the same seed gives the same weights and data
 * sets on every machine, so a model built in a test, a benchmark and the demo is the same model.
 */
export type Random = () => number;

/** A generator of uniform numbers in [0, 1), like Math.random but seeded. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal sample (Box–Muller) drawn from a uniform generator. */
export function gaussian(random: Random): number {
  // 1 - u keeps the logarithm's argument in (0, 1].
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A rows×columns matrix of uniform values in [-scale, scale). */
export function uniformMatrix(random: Random, rows: number, columns: number, scale: number): number[][] {
  return Array.from({ length: rows }, () =>
    Array.from({ length: columns }, () => (random() * 2 - 1) * scale),
  );
}

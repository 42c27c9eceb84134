/**
 * How fast the machine is right now: a fixed, single-threaded, CPU-bound workload timed in the
 * benchmark's own process just before it runs. On a shared virtual machine the same code ran
 * the same benchmark at half the speed one hour and at full speed the next; the ratios move far
 * less than the absolute figures (rows/s, events/s) do. Read an absolute figure against its
 * calibration: twice the calibration time means a machine twice as slow, not a slower change.
 */

const ROUNDS = 5;

/** The median time of the workload over a few rounds, in milliseconds (lower is faster). */
export function calibrate(): number {
  workload(); // compiled and warmed
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const started = performance.now();
    workload();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]!;
}

/** What services do most, in small: hash-map updates with string keys, sorting numbers, JSON. */
function workload(): number {
  let seed = 12_345;
  const random = () => (seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
  const keys = Array.from({ length: 5_000 }, (_, i) => `key-${i}`);
  const counts = new Map<string, number>();
  for (let i = 0; i < 300_000; i++) {
    const key = keys[Math.floor(random() * keys.length)]!;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const numbers = Float64Array.from({ length: 200_000 }, random).sort();
  const json = JSON.stringify(Array.from({ length: 2_000 }, (_, i) => ({ id: i, name: keys[i], value: numbers[i * 100] })));
  return counts.size + numbers[0]! + (JSON.parse(json) as unknown[]).length;
}

import { unitInterval } from './murmur3.js';

export interface WeightedVariant {
  readonly name: string;
  readonly weight: number;
}

/**
 * Weighted rendezvous (highest random weight) hashing: every variant scores the key with
 * `-weight / ln(u)`, u uniform from hash(variant, key), and the highest score wins.
 *
 * Why rendezvous rather than "hash mod 100 into weight ranges": the winner's probability is exactly
 * weight / total, and when one variant's weight grows only keys moving TO it change variant (and
 * when it shrinks only keys leaving it change), which is the minimum any split can move. A range
 * split would shift every key past the changed boundary. Variants with weight 0 never win.
 */
export function assignVariant<V extends WeightedVariant>(requestKey: string, variants: readonly V[]): V | undefined {
  let best: V | undefined;
  let bestScore = -Infinity;
  for (const variant of variants) {
    if (!(variant.weight > 0)) continue;
    const u = unitInterval(`${variant.name}\u0000${requestKey}`);
    const score = -variant.weight / Math.log(u);
    // Ties are astronomically unlikely; break them by name so every replica agrees anyway.
    if (score > bestScore || (score === bestScore && best !== undefined && variant.name < best.name)) {
      best = variant;
      bestScore = score;
    }
  }
  return best;
}

/** Whether a request is mirrored to a shadow with this sample rate; stable per key like assignment. */
export function inShadowSample(requestKey: string, shadowName: string, sampleRate: number): boolean {
  if (sampleRate >= 1) return true;
  if (sampleRate <= 0) return false;
  return unitInterval(`shadow\u0000${shadowName}\u0000${requestKey}`) < sampleRate;
}

/**
 * Time slicing. Events fall into panes of a fixed width (aligned to the epoch); windows are
 * unions of whole panes: tumbling windows do not overlap, sliding windows advance by `stepMs`.
 */
export type WindowSpec = { readonly kind: 'tumbling'; readonly sizeMs: number } | { readonly kind: 'sliding'; readonly sizeMs: number; readonly stepMs: number };

export interface TimeRange {
  /** Inclusive, epoch milliseconds. */
  readonly startMs: number;
  /** Exclusive, epoch milliseconds. */
  readonly endMs: number;
}

export const DEFAULT_PANE_MS = 60_000;

export const paneStartOf = (timeMs: number, paneMs: number): number => Math.floor(timeMs / paneMs) * paneMs;

/** The windows of `spec` that end within `range`, each aligned to panes of `paneMs`. */
export function windowsIn(spec: WindowSpec, range: TimeRange, paneMs: number): TimeRange[] {
  const step = spec.kind === 'tumbling' ? spec.sizeMs : spec.stepMs;
  if (spec.sizeMs % paneMs !== 0 || step % paneMs !== 0) {
    throw new RangeError(`window size and step must be multiples of the pane width (${paneMs} ms)`);
  }
  const out: TimeRange[] = [];
  for (let end = paneStartOf(range.startMs, step) + step; end <= range.endMs; end += step) {
    const startMs = end - spec.sizeMs;
    if (startMs >= range.startMs || spec.kind === 'sliding') out.push({ startMs, endMs: end });
  }
  return out;
}

/** Start times of the panes a window covers. */
export function panesOf(window: TimeRange, paneMs: number): number[] {
  const out: number[] = [];
  for (let t = paneStartOf(window.startMs, paneMs); t < window.endMs; t += paneMs) out.push(t);
  return out;
}

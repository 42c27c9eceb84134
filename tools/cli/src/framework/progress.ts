import { formatBytes } from './output.js';
import type { OutputStream } from './io.js';

export interface ProgressOptions {
  /** What is happening, e.g. "uploading model.onnx". */
  readonly label: string;
  /** Total amount of work, when known up front (otherwise only the amount done is shown). */
  readonly total?: number;
  /** How amounts are shown: bytes as KiB/MiB, counts with their noun ("1200 rows"). */
  readonly unit: { readonly kind: 'bytes' } | { readonly kind: 'count'; readonly noun: string };
}

export interface Progress {
  /** Adds `delta` to the work done. */
  advance(delta: number): void;
  /** Sets the work done (and the total, when it is learnt late, as with materialization). */
  update(done: number, total?: number): void;
  /** Ends the display with a final line. */
  finish(): void;
}

/** How often plain (non-terminal) progress lines are written: often enough to show life, rarely enough for a log. */
export const PLAIN_INTERVAL_MS = 5_000;
/** A terminal bar redraws at most this often, so a fast upload does not spend its time drawing. */
const REDRAW_INTERVAL_MS = 100;
const BAR_WIDTH = 24;

/**
 * Progress on stderr: a bar redrawn in place when stderr is a terminal, otherwise a plain line
 * every few seconds (and one at the end) so logs of scripted runs stay readable.
 */
export function createProgress(stream: OutputStream, now: () => number, options: ProgressOptions): Progress {
  const startedAt = now();
  let done = 0;
  let total = options.total;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let finished = false;
  const tty = stream.isTTY === true;

  const amount = (n: number) => (options.unit.kind === 'bytes' ? formatBytes(n) : `${n} ${options.unit.noun}`);
  const percent = () => (total !== undefined && total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : undefined);
  const figures = () => (total !== undefined ? `${amount(done)} / ${amount(total)}` : amount(done));

  const drawBar = () => {
    const pct = percent();
    const filled = pct === undefined ? 0 : Math.round((pct / 100) * BAR_WIDTH);
    const bar = pct === undefined ? '' : `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${String(pct).padStart(3)}%  `;
    // \x1b[K clears what a longer previous line left behind.
    stream.write(`\r${options.label} ${bar}${figures()}\x1b[K`);
  };
  const plainLine = () => {
    const pct = percent();
    stream.write(`${options.label}: ${pct === undefined ? '' : `${pct}% `}(${figures()})\n`);
  };

  const maybeDraw = () => {
    if (finished) return;
    const t = now();
    if (t - lastDraw < (tty ? REDRAW_INTERVAL_MS : PLAIN_INTERVAL_MS)) return;
    lastDraw = t;
    if (tty) drawBar();
    else plainLine();
  };

  return {
    advance(delta) {
      done += delta;
      maybeDraw();
    },
    update(value, newTotal) {
      done = value;
      if (newTotal !== undefined) total = newTotal;
      maybeDraw();
    },
    finish() {
      if (finished) return;
      finished = true;
      const seconds = ((now() - startedAt) / 1000).toFixed(1);
      if (tty) {
        drawBar();
        stream.write('\n');
      } else {
        stream.write(`${options.label}: done, ${amount(done)} in ${seconds} s\n`);
      }
    },
  };
}

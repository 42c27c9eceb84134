import type { VersionInfo } from '../storage/versions.js';
import type { CategoricalSummary } from '../windows/categorical-summary.js';
import type { NumericSummary } from '../windows/numeric-summary.js';
import type { PaneSummary } from '../windows/pane.js';
import type { ColumnVisitor } from './columns.js';

/**
 * Adds a batch's prediction columns to their panes. A numeric column's values are buffered per
 * pane and added with one `NumericSummary.addMany` at the end of the batch (a summary update per
 * value cost more than decoding the value); categories go to their summary directly. A column
 * keeps the kind of its first value in the pane: later numbers count as categories, later strings
 * as missing numbers. One instance per flush, pointed at each event's pane in turn.
 */
export class PaneColumns implements ColumnVisitor {
  private readonly panes = new Map<PaneSummary, PaneColumnBuffers>();
  private current: PaneColumnBuffers | undefined;
  /** The position of the next column in the current event: events name their columns in the same order. */
  private position = 0;

  /** Directs the next event's columns to `pane`. */
  startEvent(pane: PaneSummary, info: VersionInfo): void {
    if (this.current?.pane !== pane) {
      let buffers = this.panes.get(pane);
      if (!buffers) this.panes.set(pane, (buffers = new PaneColumnBuffers(pane, info)));
      this.current = buffers;
    }
    this.position = 0;
  }

  numeric(column: string, value: number): void {
    const c = this.column(column, 'numeric');
    if (c.kind === 'numeric') c.push(value);
    else c.summary.add(String(value));
  }

  categorical(column: string, value: string): void {
    const c = this.column(column, 'categorical');
    if (c.kind === 'categorical') c.summary.add(value);
    else c.push(Number.NaN);
  }

  missing(column: string): void {
    // Still a position: the columns after it keep theirs.
    this.position++;
    this.current!.missing.set(column, (this.current!.missing.get(column) ?? 0) + 1);
  }

  /** Adds the buffered values to their panes' summaries. */
  finish(): void {
    for (const buffers of this.panes.values()) buffers.finish();
  }

  /** The column's buffer in the current pane: by position first (the same string object event after event), then by name. */
  private column(name: string, kindIfNew: 'numeric' | 'categorical'): ColumnBuffer {
    const buffers = this.current!;
    const at = this.position++;
    const cached = buffers.byPosition[at];
    if (cached !== undefined && cached.name === name) return cached;
    const c = buffers.column(name, kindIfNew);
    buffers.byPosition[at] = c;
    return c;
  }
}

type ColumnBuffer = NumericColumnBuffer | { readonly kind: 'categorical'; readonly name: string; readonly summary: CategoricalSummary };

class NumericColumnBuffer {
  readonly kind = 'numeric';
  private values = new Float64Array(256);
  private length = 0;

  constructor(
    readonly name: string,
    readonly summary: NumericSummary,
  ) {}

  /** A value; NaN counts as missing, as `NumericSummary.add` counts it. */
  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  finish(): void {
    this.summary.addMany(this.values, this.length);
    this.length = 0;
  }
}

/** The column buffers of one pane in one batch. */
class PaneColumnBuffers {
  readonly byPosition: ColumnBuffer[] = [];
  private readonly byName = new Map<string, ColumnBuffer>();
  /** Missing values per column, added to the column's summary when the batch is done (whatever the order they came in). */
  readonly missing = new Map<string, number>();

  constructor(
    readonly pane: PaneSummary,
    private readonly info: VersionInfo,
  ) {}

  column(name: string, kindIfNew: 'numeric' | 'categorical'): ColumnBuffer {
    let c = this.byName.get(name);
    if (c) return c;
    const existing = this.pane.features.get(name);
    if (existing?.kind === 'categorical' || (existing === undefined && kindIfNew === 'categorical')) {
      c = { kind: 'categorical', name, summary: this.pane.categorical(name)! };
    } else {
      c = new NumericColumnBuffer(name, this.pane.numeric(name, this.info.binningOf(name))!);
    }
    this.byName.set(name, c);
    return c;
  }

  finish(): void {
    for (const c of this.byName.values()) if (c.kind === 'numeric') c.finish();
    // A column only ever missing in this pane has no kind: its missing values are not counted.
    for (const [name, count] of this.missing) this.pane.features.get(name)?.addMissing(count);
    this.missing.clear();
  }
}

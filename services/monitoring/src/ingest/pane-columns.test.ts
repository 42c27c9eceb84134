import { describe, expect, it } from 'vitest';
import type { VersionInfo } from '../storage/versions.js';
import { UNIVERSAL_BINNING } from '../windows/binning.js';
import type { CategoricalSummary } from '../windows/categorical-summary.js';
import type { NumericSummary } from '../windows/numeric-summary.js';
import { PaneSummary } from '../windows/pane.js';
import { PaneColumns } from './pane-columns.js';

const info: VersionInfo = { binnings: new Map(), trainingMetrics: {}, binningOf: () => UNIVERSAL_BINNING };

type Column = readonly [name: string, value: number | string | null];

/** Visits each event's columns as the decoder would, then finishes the batch. */
function summarize(events: ReadonlyArray<{ pane: PaneSummary; columns: readonly Column[] }>): void {
  const columns = new PaneColumns();
  for (const { pane, columns: values } of events) {
    columns.startEvent(pane, info);
    for (const [name, value] of values) {
      if (value === null) columns.missing(name);
      else if (typeof value === 'number') columns.numeric(name, value);
      else columns.categorical(name, value);
    }
  }
  columns.finish();
}

describe('PaneColumns', () => {
  it('adds every value to its own column whatever the order, gaps and panes of the events', () => {
    const first = new PaneSummary();
    const second = new PaneSummary();
    summarize([
      { pane: first, columns: [['a', 1], ['b', 10], ['plan', 'gold']] },
      { pane: first, columns: [['a', 2], ['b', null], ['plan', 'basic']] },
      { pane: second, columns: [['a', 100]] },
      { pane: first, columns: [['plan', 'gold'], ['b', 30], ['a', 3]] },
      { pane: first, columns: [['a', null], ['c', 5], ['b', 20]] },
    ]);
    const numeric = (pane: PaneSummary, name: string) => {
      const s = pane.features.get(name) as NumericSummary;
      return { n: s.n, missing: s.missing, mean: s.mean, min: s.min, max: s.max };
    };
    expect(numeric(first, 'a')).toEqual({ n: 3, missing: 1, mean: 2, min: 1, max: 3 });
    expect(numeric(first, 'b')).toEqual({ n: 3, missing: 1, mean: 20, min: 10, max: 30 });
    expect(numeric(first, 'c')).toEqual({ n: 1, missing: 0, mean: 5, min: 5, max: 5 });
    expect(Object.fromEntries((first.features.get('plan') as CategoricalSummary).categories)).toEqual({ gold: 2, basic: 1 });
    expect(numeric(second, 'a')).toEqual({ n: 1, missing: 0, mean: 100, min: 100, max: 100 });
    expect([...second.features.keys()]).toEqual(['a']);
  });

  it('does not count the missing values of a column that never had a value in the pane (its kind is unknown)', () => {
    const pane = new PaneSummary();
    summarize([{ pane, columns: [['a', 1], ['ghost', null]] }]);
    expect([...pane.features.keys()]).toEqual(['a']);
  });
});

/** Mergeable summary of one categorical column: counts per category (exact). */
export interface CategoricalSummaryJson {
  readonly missing: number;
  readonly categories: Array<[string, number]>;
}

export class CategoricalSummary {
  readonly kind = 'categorical' as const;
  missing = 0;
  readonly categories = new Map<string, number>();

  get n(): number {
    let total = 0;
    for (const c of this.categories.values()) total += c;
    return total;
  }

  add(category: string, count = 1): void {
    this.categories.set(category, (this.categories.get(category) ?? 0) + count);
  }

  addMissing(count = 1): void {
    this.missing += count;
  }

  merge(other: CategoricalSummary): this {
    this.missing += other.missing;
    for (const [k, c] of other.categories) this.add(k, c);
    return this;
  }

  toJSON(): CategoricalSummaryJson {
    return { missing: this.missing, categories: [...this.categories] };
  }

  static fromJSON(json: CategoricalSummaryJson): CategoricalSummary {
    const s = new CategoricalSummary();
    s.missing = json.missing;
    for (const [k, c] of json.categories) s.add(k, c);
    return s;
  }
}

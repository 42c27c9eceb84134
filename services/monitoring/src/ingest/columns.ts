/**
 * The columns a prediction contributes to drift: every input feature, and every output value
 * ("output:<tensor>" for one-value tensors, "output:<tensor>[i]" for small vectors).
 */
import type { MessageShape } from '@bufbuild/protobuf';
import type { PredictionSchema, ValueSchema } from '@mlops/proto/mlops/events/v1/events_pb';

export type ColumnValue = { readonly kind: 'numeric'; readonly value: number } | { readonly kind: 'categorical'; readonly value: string } | { readonly kind: 'missing' };

/** Output vectors longer than this (embeddings) are not tracked value by value. */
export const MAX_TRACKED_OUTPUT_VALUES = 16;

export function columnValueOf(v: MessageShape<typeof ValueSchema> | undefined): ColumnValue {
  const k = v?.kind;
  switch (k?.case) {
    case 'doubleValue':
      return Number.isFinite(k.value) ? { kind: 'numeric', value: k.value } : { kind: 'missing' };
    case 'int64Value':
      return { kind: 'numeric', value: Number(k.value) };
    case 'stringValue':
      return { kind: 'categorical', value: k.value };
    case 'boolValue':
      return { kind: 'categorical', value: k.value ? 'true' : 'false' };
    default:
      // bytes are not comparable as a distribution; unset is an explicit null.
      return { kind: 'missing' };
  }
}

/** What `visitColumns` hands over per column: a number, a category, or a missing value. */
export type ColumnVisitor = {
  numeric(column: string, value: number): void;
  categorical(column: string, value: string): void;
  missing(column: string): void;
};

/**
 * Visits a prediction's columns with the same mapping as `columnValueOf`, without an object per
 * value: ingestion visits twenty or more columns per prediction, and those objects were garbage.
 */
export function visitColumns(p: MessageShape<typeof PredictionSchema>, visitor: ColumnVisitor): void {
  for (const name in p.inputs) {
    const k = p.inputs[name]?.kind;
    switch (k?.case) {
      case 'doubleValue':
        if (Number.isFinite(k.value)) visitor.numeric(name, k.value);
        else visitor.missing(name);
        break;
      case 'int64Value':
        visitor.numeric(name, Number(k.value));
        break;
      case 'stringValue':
        visitor.categorical(name, k.value);
        break;
      case 'boolValue':
        visitor.categorical(name, k.value ? 'true' : 'false');
        break;
      default:
        visitor.missing(name);
    }
  }
  for (const t of p.outputs) {
    if (t.values.length === 1) visitor.numeric(`output:${t.name}`, t.values[0]!);
    else if (t.values.length <= MAX_TRACKED_OUTPUT_VALUES) t.values.forEach((x, i) => visitor.numeric(`output:${t.name}[${i}]`, x));
  }
}

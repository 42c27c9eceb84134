/**
 * The columns a prediction contributes to drift: every input feature, and every output value
 * ("output:<tensor>" for one-value tensors, "output:<tensor>[i]" for small vectors).
 */
import type { MessageShape } from '@bufbuild/protobuf';
import type { ValueSchema } from '@mlops/proto/mlops/events/v1/events_pb';

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

/** What `visitPredictionColumns` hands over per column: a number, a category, or a missing value. */
export type ColumnVisitor = {
  numeric(column: string, value: number): void;
  categorical(column: string, value: string): void;
  missing(column: string): void;
};

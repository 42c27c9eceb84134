import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import { filterBelongsTo, STREAMS, type StreamName } from './streams.js';
import { isValidFilter } from './subjects.js';
import type { ConsumerMode, ConsumerSpec, DurableStart, ReceivedEvent } from './types.js';

export const DEFAULT_MAX_DELIVER = 5;
export const DEFAULT_BACKOFF_MS: readonly number[] = [200, 1000, 5000];

/** A `ConsumerSpec` checked once and with its defaults filled in. */
export interface ResolvedConsumer<D extends DescMessage> {
  readonly name: string;
  readonly stream: StreamName;
  readonly filters: readonly string[];
  readonly schema: D;
  readonly handler: (event: ReceivedEvent<MessageShape<D>>) => Promise<void>;
  readonly mode: ConsumerMode;
  readonly maxDeliver: number;
  readonly backoffMs: readonly number[];
  readonly startFrom: DurableStart;
  readonly concurrency: number;
}

/** Checks a spec; throws a TypeError naming the field, since a bad spec is a programming error. */
export function resolveConsumerSpec<D extends DescMessage>(spec: ConsumerSpec<D>): ResolvedConsumer<D> {
  // Durable names become JetStream API subject tokens, so no dots, wildcards or spaces.
  if (!/^[A-Za-z0-9_-]+$/.test(spec.name)) {
    throw new TypeError(`name: expected letters, digits, "_" or "-", got ${JSON.stringify(spec.name)}`);
  }
  if (!(spec.stream in STREAMS)) {
    throw new TypeError(`stream: expected one of ${Object.keys(STREAMS).join(', ')}, got ${JSON.stringify(spec.stream)}`);
  }
  if (spec.subjects.length === 0) throw new TypeError('subjects: expected at least one subject filter');
  for (const filter of spec.subjects) {
    if (!isValidFilter(filter) || !filterBelongsTo(spec.stream, filter)) {
      throw new TypeError(
        `subjects: expected filters inside ${STREAMS[spec.stream].subjects.join(', ')} (un-namespaced), got ${JSON.stringify(filter)}`,
      );
    }
  }
  const maxDeliver = spec.maxDeliver ?? DEFAULT_MAX_DELIVER;
  if (!Number.isInteger(maxDeliver) || maxDeliver < 1) {
    throw new TypeError(`maxDeliver: expected a whole number above 0, got ${maxDeliver}`);
  }
  const backoffMs = spec.backoffMs ?? DEFAULT_BACKOFF_MS;
  if (backoffMs.some((ms) => !Number.isFinite(ms) || ms < 0)) {
    throw new TypeError(`backoffMs: expected delays of 0 ms or more, got [${backoffMs.join(', ')}]`);
  }
  const concurrency = spec.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 4096) {
    throw new TypeError(`concurrency: expected a whole number from 1 to 4096, got ${concurrency}`);
  }
  if (concurrency > 1 && spec.mode === 'broadcast') {
    throw new TypeError('concurrency: broadcast consumers deliver in order, one at a time; use a durable consumer');
  }
  return {
    name: spec.name,
    stream: spec.stream,
    filters: [...new Set(spec.subjects)],
    schema: spec.schema,
    handler: spec.handler,
    mode: spec.mode ?? 'durable',
    maxDeliver,
    backoffMs,
    startFrom: spec.startFrom ?? 'all',
    concurrency,
  };
}

/** Delay before the next delivery after delivery number `deliveryCount` failed. */
export function backoffDelay(backoffMs: readonly number[], deliveryCount: number): number {
  if (backoffMs.length === 0) return 0;
  return backoffMs[Math.min(deliveryCount - 1, backoffMs.length - 1)] ?? 0;
}

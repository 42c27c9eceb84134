import { create, type MessageShape } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import { DeadLetterSchema } from '@mlops/proto/mlops/events/v1/events_pb';

export type DeadLetter = MessageShape<typeof DeadLetterSchema>;

export interface DeadLetterFacts {
  readonly originalSubject: string;
  readonly payload: Uint8Array;
  readonly reason: string;
  readonly consumer: string;
  readonly deliveries: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly itemIndex?: number;
}

export function buildDeadLetter(facts: DeadLetterFacts): DeadLetter {
  return create(DeadLetterSchema, {
    originalSubject: facts.originalSubject,
    payload: facts.payload,
    reason: facts.reason,
    consumer: facts.consumer,
    deliveries: facts.deliveries,
    headers: { ...facts.headers },
    deadAt: timestampNow(),
    itemIndex: facts.itemIndex ?? -1,
  });
}

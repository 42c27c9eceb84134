import type { Settlement } from '../delivery.js';
import { subjectMatches } from '../subjects.js';
import type { MemoryStream, StoredMessage } from './memory-stream.js';

export interface TakenMessage {
  readonly message: StoredMessage;
  readonly deliveryCount: number;
}

/**
 * A consumer's position in a `MemoryStream`, the in-memory twin of a JetStream consumer: next
 * sequence to deliver, unacknowledged messages and their delivery counts, and redeliveries that
 * are due. A durable cursor outlives the workers that read it, so a stopped and restarted
 * consumer resumes where it was.
 */
export class ConsumerCursor {
  private nextSeq: number;
  private readonly deliveries = new Map<number, number>();
  private readonly due: number[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly waiters = new Set<() => void>();
  private readonly detach: () => void;

  constructor(
    private readonly stream: MemoryStream,
    public filters: readonly string[],
    startSeq: number,
  ) {
    this.nextSeq = startSeq;
    this.detach = stream.onAppend(() => this.wake());
  }

  /** The next message for a worker: first redeliveries that are due, then new matching messages. */
  take(): TakenMessage | undefined {
    for (let seq = this.due.shift(); seq !== undefined; seq = this.due.shift()) {
      const message = this.stream.at(seq);
      if (message === undefined) {
        // Dropped by the stream's limits while waiting for redelivery.
        this.deliveries.delete(seq);
        continue;
      }
      const deliveryCount = (this.deliveries.get(seq) ?? 0) + 1;
      this.deliveries.set(seq, deliveryCount);
      return { message, deliveryCount };
    }
    while (this.nextSeq <= this.stream.lastSeq) {
      const seq = Math.max(this.nextSeq, this.stream.firstSeq);
      this.nextSeq = seq + 1;
      const message = this.stream.at(seq);
      if (message !== undefined && this.filters.some((filter) => subjectMatches(filter, message.subject))) {
        this.deliveries.set(seq, 1);
        return { message, deliveryCount: 1 };
      }
    }
    return undefined;
  }

  settle(seq: number, settlement: Settlement): void {
    if (settlement.kind !== 'retry') {
      this.deliveries.delete(seq);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.due.push(seq);
      this.wake();
    }, settlement.delayMs);
    this.timers.add(timer);
  }

  /** Resolves at the next append or due redelivery. Register before sleeping, after a `take()` came back empty. */
  changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  dispose(): void {
    this.detach();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.wake();
  }

  private wake(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const resolve of waiters) resolve();
  }
}

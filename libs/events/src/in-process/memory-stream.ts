import type { SendResult } from '../publisher.js';

export interface StoredMessage {
  readonly seq: number;
  readonly subject: string;
  readonly payload: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
}

export interface MemoryStreamLimits {
  /** Oldest messages are dropped beyond this count, as JetStream's limits retention would. */
  readonly maxMessages: number;
  /** `Nats-Msg-Id` dedupe window. */
  readonly duplicateWindowMs: number;
}

/** An append-only log with JetStream's numbering (first message is seq 1) and msg-id dedupe. */
export class MemoryStream {
  private readonly messages: StoredMessage[] = [];
  private firstSeqValue = 1;
  private readonly seenMsgIds = new Map<string, number>();
  private readonly appendListeners = new Set<() => void>();

  constructor(private readonly limits: MemoryStreamLimits) {}

  get firstSeq(): number {
    return this.firstSeqValue;
  }

  get lastSeq(): number {
    return this.firstSeqValue + this.messages.length - 1;
  }

  at(seq: number): StoredMessage | undefined {
    return this.messages[seq - this.firstSeqValue];
  }

  append(subject: string, payload: Uint8Array, headers: Readonly<Record<string, string>>, msgId: string | undefined): SendResult {
    const now = Date.now();
    if (msgId !== undefined) {
      const expiresAt = this.seenMsgIds.get(msgId);
      if (expiresAt !== undefined && expiresAt > now) return { duplicate: true };
      this.seenMsgIds.set(msgId, now + this.limits.duplicateWindowMs);
      if (this.seenMsgIds.size % 1024 === 0) this.forgetExpiredMsgIds(now);
    }
    this.messages.push({ seq: this.lastSeq + 1, subject, payload, headers });
    if (this.messages.length > this.limits.maxMessages) {
      this.messages.shift();
      this.firstSeqValue++;
    }
    for (const listener of this.appendListeners) listener();
    return { duplicate: false };
  }

  onAppend(listener: () => void): () => void {
    this.appendListeners.add(listener);
    return () => this.appendListeners.delete(listener);
  }

  private forgetExpiredMsgIds(now: number): void {
    for (const [id, expiresAt] of this.seenMsgIds) if (expiresAt <= now) this.seenMsgIds.delete(id);
  }
}

/**
 * Group commit: callers add items and wait; items that arrive while a flush runs (or in the
 * same tick) are written together by the next flush. Each caller's promise settles with its
 * batch, so an event is acknowledged only after its contribution is stored, while concurrent
 * deliveries share one transaction. With one delivery at a time a batch holds one item.
 */
export class GroupCommit<T> {
  private queue: Array<{ item: T; resolve: () => void; reject: (err: unknown) => void }> = [];
  private running: Promise<void> | undefined;
  private scheduled = false;

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    private readonly maxBatch = 2000,
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.queue.length >= this.maxBatch) this.kick();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.kick();
        });
      }
    });
  }

  /** Resolves when everything queued so far is flushed. */
  async drain(): Promise<void> {
    while (this.running || this.queue.length > 0) {
      this.kick();
      await this.running;
    }
  }

  private kick(): void {
    if (this.running || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.maxBatch);
    this.running = this.flush(batch.map((b) => b.item)).then(
      () => batch.forEach((b) => b.resolve()),
      (err: unknown) => batch.forEach((b) => b.reject(err)),
    );
    void this.running.finally(() => {
      this.running = undefined;
      if (this.queue.length > 0) this.kick();
    });
  }
}

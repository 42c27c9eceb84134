/** Anything a forced shutdown can abort. */
export interface Abortable {
  abort(reason: unknown): void;
}

/** The calls a server is running, so a forced shutdown can abort their handlers' signals. */
export class InFlightCalls {
  private readonly calls = new Set<Abortable>();

  /** Adds a call; the returned function removes it again. */
  track(call: Abortable): () => void {
    this.calls.add(call);
    return () => this.calls.delete(call);
  }

  get size(): number {
    return this.calls.size;
  }

  abortAll(reason: unknown): void {
    for (const call of this.calls) call.abort(reason);
  }
}

/** The calls a server is running, so a forced shutdown can abort their handlers' signals. */
export class InFlightCalls {
  private readonly controllers = new Set<AbortController>();

  /** Adds a call; the returned function removes it again. */
  track(controller: AbortController): () => void {
    this.controllers.add(controller);
    return () => this.controllers.delete(controller);
  }

  get size(): number {
    return this.controllers.size;
  }

  abortAll(reason: unknown): void {
    for (const controller of this.controllers) controller.abort(reason);
  }
}

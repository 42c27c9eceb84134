/**
 * How one server call ends early: the client cancels, its deadline passes, or the server is forced
 * down. The AbortSignal handlers see is made only when a handler asks for it: most unary handlers
 * never do, and an AbortController per call is a visible share of a small call's cost.
 */
export class CallAbort {
  private controller: AbortController | undefined;
  private abortedWith: { readonly reason: unknown } | undefined;

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.abortedWith !== undefined) this.controller.abort(this.abortedWith.reason);
    }
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.abortedWith !== undefined;
  }

  /** The first reason given to `abort`; undefined while not aborted. */
  get reason(): unknown {
    return this.abortedWith?.reason;
  }

  /** Aborts once; later calls keep the first reason. */
  abort(reason: unknown): void {
    if (this.abortedWith !== undefined) return;
    this.abortedWith = { reason };
    this.controller?.abort(reason);
  }
}

/**
 * Runs at most `limit` tasks at once. `run` resolves when the task has STARTED (so a loop that
 * feeds it pauses while every slot is busy, which keeps the prefetch bounded); `idle` resolves
 * once every started task has finished.
 */
export class ConcurrencyLimiter {
  private active = 0;
  private readonly slotWaiters: Array<() => void> = [];
  private readonly idleWaiters: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run(task: () => Promise<void>): Promise<void> {
    while (this.active >= this.limit) await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    this.active++;
    void task().finally(() => {
      this.active--;
      this.slotWaiters.shift()?.();
      if (this.active === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    });
  }

  idle(): Promise<void> {
    return this.active === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}

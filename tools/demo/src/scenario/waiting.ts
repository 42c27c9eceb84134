/** Live progress lines for people watching; stages report figures in their outcomes as well. */
export type Progress = (line: string) => void;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A stage waited for something the platform does asynchronously, and it did not happen in time. */
export class TimedOut extends Error {
  override readonly name = 'TimedOut';
}

/**
 * Polls `check` until it returns a value (not undefined), for effects that travel over NATS or
 * wait for a timer in a service. Throws TimedOut naming `what` after `timeoutMs`.
 */
export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs: number, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new TimedOut(`timed out after ${(timeoutMs / 1000).toFixed(0)} s waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** The NATS server integration tests use (each in a namespace of its own). */
export const testNatsUrl = (): string => process.env['TEST_NATS_URL']?.trim() || 'nats://127.0.0.1:4222';

/**
 * Polls `check` until it returns something truthy and returns that; fails naming `what` after
 * `timeoutMs`. For effects that arrive asynchronously (over NATS, from a background loop): it
 * waits for a state, it never asserts how long that took.
 */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 30_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

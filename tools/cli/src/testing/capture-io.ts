import type { Io, OutputStream } from '../framework/io.js';

export interface CapturedStream extends OutputStream {
  readonly text: () => string;
}

export const captureStream = (options: { isTTY?: boolean } = {}): CapturedStream => {
  const parts: string[] = [];
  return {
    isTTY: options.isTTY ?? false,
    write: (text: string) => parts.push(text),
    text: () => parts.join(''),
  };
};

/** An Io whose output is kept for assertions; the clock is real unless given. */
export function captureIo(options: { env?: Record<string, string | undefined>; cwd?: string; now?: () => number } = {}) {
  const stdout = captureStream();
  const stderr = captureStream();
  const io: Io = { stdout, stderr, env: options.env ?? {}, cwd: options.cwd ?? process.cwd(), now: options.now ?? (() => Date.now()) };
  return { io, stdout, stderr };
}

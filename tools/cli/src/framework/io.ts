/** Where a command writes, and what it knows about its surroundings; tests pass their own. */
export interface OutputStream {
  write(text: string): unknown;
  /** True when a person is watching (a terminal): progress bars redraw in place only then. */
  readonly isTTY?: boolean;
  /** Terminal width, when known. */
  readonly columns?: number;
}

export interface Io {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Relative file paths on the command line resolve against this. */
  readonly cwd: string;
  /** Milliseconds clock, injectable so progress output can be tested without waiting. */
  readonly now: () => number;
}

export const processIo = (): Io => ({
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  now: () => Date.now(),
});

/** One environment variable that failed validation. */
export interface ConfigIssue {
  readonly variable: string;
  readonly expected: string;
  readonly received: string | undefined;
}

/** Thrown by `loadConfig`: names every bad variable and what it expects, so a start fails once, clearly. */
export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(
      'Invalid configuration:\n' +
        issues
          .map(
            (i) =>
              `  ${i.variable}: expected ${i.expected}` +
              (i.received === undefined ? ' (not set)' : ` (got ${JSON.stringify(i.received)})`),
          )
          .join('\n'),
    );
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

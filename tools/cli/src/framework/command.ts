import { resolve } from 'node:path';
import type { JsonValue } from '@bufbuild/protobuf';
import { addrVariable, type ServiceName } from '@mlops/config';
import type { ServiceClients } from '../clients/service-clients.js';
import { parseCommandLine, type OptionSpecs, type ParsedCommandLine, type PositionalSpec } from './args.js';
import { CliError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import type { Io } from './io.js';
import { renderJson, renderRows } from './output.js';
import { createProgress, type Progress, type ProgressOptions } from './progress.js';

/** Options every command takes. */
export const GLOBAL_OPTIONS = {
  json: { type: 'boolean', description: 'print JSON (protobuf JSON mapping) instead of tables, for scripts' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const satisfies OptionSpecs;

type GlobalOptions = typeof GLOBAL_OPTIONS;

/** What a running command can use. */
export interface CommandContext {
  readonly io: Io;
  readonly clients: ServiceClients;
  /** `--json` was given: print JSON on stdout and nothing else there. */
  readonly json: boolean;
  /** Writes to stdout (the result). */
  out(text: string): void;
  /** Writes a line to stderr (what happened on the way, never the result). */
  note(line: string): void;
  printJson(value: JsonValue): void;
  progress(options: ProgressOptions): Progress;
  /** A usage error for this command (exit 2, with its usage line). */
  usageError(message: string): CliError;
  /** A path from the command line, relative to where the user ran the command. */
  resolvePath(path: string): string;
}

export interface CommandSpec<P extends readonly PositionalSpec[], O extends OptionSpecs> {
  readonly name: string;
  /** One line, shown in the group's command list. */
  readonly summary: string;
  /** More explanation for `--help`, when one line is not enough. */
  readonly description?: string;
  readonly positionals: P;
  readonly options: O;
  /** The services this command calls (their address variables are listed in `--help`). */
  readonly services: readonly ServiceName[];
  readonly examples?: readonly string[];
  run(input: ParsedCommandLine<P, O & GlobalOptions>, ctx: CommandContext): Promise<ExitCode | void>;
}

/** Where a command runs: its full name ("mlops models register"), streams and clients. */
export interface CommandEnv {
  readonly path: string;
  readonly io: Io;
  readonly clients: ServiceClients;
}

/** A command with its types erased, so groups can hold commands of different shapes. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  usage(path: string): string;
  help(path: string): string;
  execute(argv: readonly string[], env: CommandEnv): Promise<ExitCode>;
}

const positionalUsage = (spec: PositionalSpec): string => {
  switch (spec.arity ?? 'required') {
    case 'required':
      return spec.name;
    case 'optional':
      return `[${spec.name}]`;
    case 'variadic':
      return `${spec.name}...`;
  }
};

function renderHelp(spec: CommandSpec<readonly PositionalSpec[], OptionSpecs>, usage: string): string {
  const sections: string[] = [`usage: ${usage}`, spec.description ? `${spec.summary}\n\n${spec.description}` : spec.summary];
  if (spec.positionals.length > 0) {
    sections.push('arguments:\n' + renderRows(spec.positionals.map((p) => [p.name, p.description]), '  ').trimEnd());
  }
  const options: OptionSpecs = { ...spec.options, ...GLOBAL_OPTIONS };
  const optionRows = Object.entries(options).map(([name, option]) => {
    const flag = `${option.short ? `-${option.short}, ` : ''}--${name}${option.type === 'string' ? ` ${option.valueName}` : ''}`;
    const extra = option.type === 'string' ? (option.multiple === true ? ' (repeatable)' : option.default !== undefined ? ` (default ${option.default})` : '') : '';
    return [flag, option.description + extra];
  });
  sections.push('options:\n' + renderRows(optionRows, '  ').trimEnd());
  const envRows = [
    ...spec.services.map((service) => [addrVariable(service), `address of the ${service} (host:port)`]),
    ...(spec.services.length > 0 ? [['MLOPS_TOKEN', 'bearer token sent to the services, when they require one']] : []),
  ];
  if (envRows.length > 0) sections.push('environment:\n' + renderRows(envRows, '  ').trimEnd());
  if (spec.examples && spec.examples.length > 0) sections.push('examples:\n' + spec.examples.map((e) => `  ${e}`).join('\n'));
  return sections.join('\n\n') + '\n';
}

/** Builds a command from its spec; the spec's types flow from the declared positionals and options into `run`. */
export function defineCommand<const P extends readonly PositionalSpec[], const O extends OptionSpecs>(spec: CommandSpec<P, O>): Command {
  const usage = (path: string) => [path, ...spec.positionals.map(positionalUsage), '[options]'].join(' ');
  const erased = spec as unknown as CommandSpec<readonly PositionalSpec[], OptionSpecs>;
  return {
    name: spec.name,
    summary: spec.summary,
    usage,
    help: (path) => renderHelp(erased, usage(path)),
    async execute(argv, env) {
      const usageError = (message: string) => new CliError({ kind: 'usage', message, usage: usage(env.path), helpCommand: env.path });
      // --help wins over everything else on the line, so a half-written command still explains itself.
      if (argv.includes('--help') || argv.includes('-h')) {
        env.io.stdout.write(renderHelp(erased, usage(env.path)));
        return ExitCode.Ok;
      }
      const parsed = parseCommandLine(spec.positionals, { ...spec.options, ...GLOBAL_OPTIONS } as O & GlobalOptions, argv);
      if (!parsed.ok) throw usageError(parsed.error);
      const json = parsed.value.options.json as boolean;
      const ctx: CommandContext = {
        io: env.io,
        clients: env.clients,
        json,
        out: (text) => env.io.stdout.write(text),
        note: (line) => env.io.stderr.write(line + '\n'),
        printJson: (value) => env.io.stdout.write(renderJson(value)),
        progress: (options) => createProgress(env.io.stderr, env.io.now, options),
        usageError,
        resolvePath: (path) => resolve(env.io.cwd, path),
      };
      return (await spec.run(parsed.value, ctx)) ?? ExitCode.Ok;
    },
  };
}

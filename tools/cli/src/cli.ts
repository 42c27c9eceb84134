import { createServiceClients, type ServiceClients } from './clients/service-clients.js';
import { COMMAND_TREE, type CommandTreeEntry } from './commands/index.js';
import type { Command } from './framework/command.js';
import { CliError, describeFailure } from './framework/errors.js';
import { ExitCode } from './framework/exit-codes.js';
import type { Io } from './framework/io.js';
import { renderRows } from './framework/output.js';

export const CLI_NAME = 'mlops';
export const CLI_VERSION = '0.1.0';

export interface RunOptions {
  /** Clients to use instead of ones built from `io.env` (tests). */
  readonly clients?: ServiceClients;
  readonly tree?: readonly CommandTreeEntry[];
}

const topHelp = (tree: readonly CommandTreeEntry[]): string =>
  [
    `usage: ${CLI_NAME} <command> [<subcommand>] [arguments] [options]`,
    'The command line of the MLOps platform: models, features, deployments, predictions, monitoring.',
    'commands:\n' +
      renderRows(
        tree.map((entry) => (entry.kind === 'group' ? [entry.name, entry.summary] : [entry.command.name, entry.command.summary])),
        '  ',
      ).trimEnd(),
    [
      'environment:',
      '  MLOPS_REGISTRY_ADDR, MLOPS_FEATURE_STORE_ADDR, MLOPS_ROUTER_ADDR, MLOPS_MONITORING_ADDR',
      '      service addresses (host:port), the same variables the services read; the defaults',
      '      (127.0.0.1:50051, :50052, :50054, :50055) reach a platform started with `npm start`',
      '  MLOPS_TOKEN',
      '      bearer token sent with every call, when the services require one (MLOPS_AUTH_TOKENS)',
    ].join('\n'),
    [
      'exit codes:',
      '  0 ok, 1 the service refused or failed the operation, 2 usage error, 3 not found,',
      '  4 service unreachable, 5 authentication or permission',
    ].join('\n'),
    `Run \`${CLI_NAME} <command> --help\` for the arguments and options of a command.`,
  ].join('\n\n') + '\n';

const groupHelp = (path: string, summary: string, commands: readonly Command[]): string =>
  [
    `usage: ${path} <subcommand> [arguments] [options]`,
    summary,
    'subcommands:\n' + renderRows(commands.map((c) => [c.name, c.summary]), '  ').trimEnd(),
    `Run \`${path} <subcommand> --help\` for details.`,
  ].join('\n\n') + '\n';

const isHelp = (word: string | undefined) => word === '--help' || word === '-h' || word === 'help';

/** The closest name to a mistyped one (edit distance at most 2), for "did you mean". */
function closest(word: string, names: readonly string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let diagonal = row[0]!;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const above = row[j]!;
        row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
        diagonal = above;
      }
    }
    return row[b.length]!;
  };
  const best = names.map((name) => ({ name, d: distance(word, name) })).sort((x, y) => x.d - y.d)[0];
  return best !== undefined && best.d <= 2 ? best.name : undefined;
}

function unknownCommand(io: Io, path: string, word: string, names: readonly string[]): ExitCode {
  const suggestion = closest(word, names);
  io.stderr.write(
    `error: unknown command ${JSON.stringify(word)}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}\n` +
      `Commands of ${path}: ${names.join(', ')}. Run \`${path} --help\` for details.\n`,
  );
  return ExitCode.Usage;
}

/** Finds the command `argv` names, runs it, and reports any failure; returns the exit code. */
export async function runCli(argv: readonly string[], io: Io, options: RunOptions = {}): Promise<ExitCode> {
  const tree = options.tree ?? COMMAND_TREE;
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(topHelp(tree));
    return ExitCode.Usage;
  }
  if (isHelp(first)) {
    io.stdout.write(topHelp(tree));
    return ExitCode.Ok;
  }
  if (first === '--version') {
    io.stdout.write(`${CLI_NAME} ${CLI_VERSION}\n`);
    return ExitCode.Ok;
  }

  const entry = tree.find((e) => (e.kind === 'group' ? e.name : e.command.name) === first);
  if (entry === undefined) return unknownCommand(io, CLI_NAME, first, tree.map((e) => (e.kind === 'group' ? e.name : e.command.name)));

  let command: Command;
  let path: string;
  let commandArgv: readonly string[];
  if (entry.kind === 'command') {
    command = entry.command;
    path = `${CLI_NAME} ${command.name}`;
    commandArgv = rest;
  } else {
    const groupPath = `${CLI_NAME} ${entry.name}`;
    const [sub, ...subArgv] = rest;
    if (sub === undefined) {
      io.stderr.write(groupHelp(groupPath, entry.summary, entry.commands));
      return ExitCode.Usage;
    }
    if (isHelp(sub)) {
      io.stdout.write(groupHelp(groupPath, entry.summary, entry.commands));
      return ExitCode.Ok;
    }
    const found = entry.commands.find((c) => c.name === sub);
    if (found === undefined) return unknownCommand(io, groupPath, sub, entry.commands.map((c) => c.name));
    command = found;
    path = `${groupPath} ${found.name}`;
    commandArgv = subArgv;
  }

  const clients = options.clients ?? createServiceClients(io.env);
  try {
    return await command.execute(commandArgv, { path, io, clients });
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    const report = describeFailure(err.failure);
    io.stderr.write(report.lines.map((line, i) => (i === 0 ? `error: ${line}` : line)).join('\n') + '\n');
    return report.exitCode;
  } finally {
    if (options.clients === undefined) clients.close();
  }
}

import { status, type RpcError } from '@mlops/grpc';
import { ExitCode } from './exit-codes.js';

/** A service the CLI talked to, and where its address came from (named in UNAVAILABLE errors). */
export interface ServiceTarget {
  /** As people say it: "registry", "feature-store", ... */
  readonly service: string;
  readonly address: string;
  /** The environment variable that holds `address`, e.g. MLOPS_REGISTRY_ADDR. */
  readonly variable: string;
}

/** Every way a command can fail, as a value; `describeFailure` turns one into a message and an exit code. */
export type Failure =
  /** The command line is wrong; `usage` is the right form, `helpCommand` the command that explains it. */
  | { readonly kind: 'usage'; readonly message: string; readonly usage: string; readonly helpCommand: string }
  /** A local input (a file named on the command line, or its content) is wrong. */
  | { readonly kind: 'input'; readonly message: string }
  /** An environment variable the CLI reads is malformed. */
  | { readonly kind: 'config'; readonly message: string }
  /** A service answered with an error status, or could not be reached. */
  | { readonly kind: 'rpc'; readonly target: ServiceTarget; readonly error: RpcError }
  /** Something named on the command line does not exist, found out on the client side (a view, a variant). */
  | { readonly kind: 'missing'; readonly message: string }
  /** The operation completed but did not do all it was asked (e.g. rows rejected by a push). */
  | { readonly kind: 'incomplete'; readonly message: string };

/** Carries a Failure through `throw` from deep inside a command to the one place that reports it. */
export class CliError extends Error {
  readonly failure: Failure;
  constructor(failure: Failure) {
    super(failure.kind === 'rpc' ? failure.error.message : failure.message);
    this.name = 'CliError';
    this.failure = failure;
  }
}

export const inputError = (message: string): CliError => new CliError({ kind: 'input', message });
export const missingError = (message: string): CliError => new CliError({ kind: 'missing', message });
export const incomplete = (message: string): CliError => new CliError({ kind: 'incomplete', message });

export interface FailureReport {
  readonly exitCode: ExitCode;
  /** What to print on stderr: what went wrong, then what to do about it. */
  readonly lines: readonly string[];
}

const TOKEN_HINT = 'The CLI sends MLOPS_TOKEN as a bearer token; the services accept the tokens listed in their MLOPS_AUTH_TOKENS.';

/**
 * grpc-js connection failures read "No connection established. Last error: Error: connect
 * ECONNREFUSED 127.0.0.1:50051. Resolution note: "; say that in words instead.
 */
export function cleanDetails(details: string): string {
  if (/ECONNREFUSED/.test(details)) return 'nothing is listening there (connection refused)';
  if (/ENOTFOUND|EAI_AGAIN|Name resolution failed/i.test(details)) return 'the host name does not resolve';
  return details.replace(/\s*Resolution note:\s*$/, '').trim();
}

function describeRpcFailure(target: ServiceTarget, error: RpcError): FailureReport {
  const said = cleanDetails(error.message) || error.codeName;
  switch (error.code) {
    case status.NOT_FOUND:
      return { exitCode: ExitCode.NotFound, lines: [`not found: ${said}`] };
    case status.UNAVAILABLE:
      return {
        exitCode: ExitCode.Unavailable,
        lines: [
          `the ${target.service} at ${target.address} is unavailable: ${said}`,
          `The address comes from ${target.variable}. Start the platform with \`npm start\` (from the repository root), ` +
            `or set ${target.variable}=host:port to where the ${target.service} runs.`,
        ],
      };
    case status.UNAUTHENTICATED:
      return {
        exitCode: ExitCode.Auth,
        lines: [`the ${target.service} refused the call: ${said}`, `Set MLOPS_TOKEN to a valid token. ${TOKEN_HINT}`],
      };
    case status.PERMISSION_DENIED:
      return {
        exitCode: ExitCode.Auth,
        lines: [
          `the ${target.service} refused the call: ${said}`,
          `Set MLOPS_TOKEN to a token whose role allows this (reader < producer < deployer < admin). ${TOKEN_HINT}`,
        ],
      };
    case status.INVALID_ARGUMENT:
      // The service names the field and what it expected; that is a usage problem of ours.
      return { exitCode: ExitCode.Usage, lines: [`the ${target.service} rejected the request: ${said}`] };
    case status.DEADLINE_EXCEEDED:
      return {
        exitCode: ExitCode.Failed,
        lines: [`the ${target.service} at ${target.address} did not answer in time: ${said}`, 'Check the service logs, then retry.'],
      };
    case status.FAILED_PRECONDITION:
    case status.ALREADY_EXISTS:
    case status.ABORTED:
    case status.RESOURCE_EXHAUSTED:
      return { exitCode: ExitCode.Failed, lines: [said] };
    default:
      return { exitCode: ExitCode.Failed, lines: [`the ${target.service} failed (${error.codeName}): ${said}`] };
  }
}

export function describeFailure(failure: Failure): FailureReport {
  switch (failure.kind) {
    case 'usage':
      return {
        exitCode: ExitCode.Usage,
        lines: [failure.message, `usage: ${failure.usage}`, `Run \`${failure.helpCommand} --help\` for details.`],
      };
    case 'input':
      return { exitCode: ExitCode.Usage, lines: [failure.message] };
    case 'config':
      return { exitCode: ExitCode.Usage, lines: [failure.message] };
    case 'missing':
      return { exitCode: ExitCode.NotFound, lines: [`not found: ${failure.message}`] };
    case 'incomplete':
      return { exitCode: ExitCode.Failed, lines: [failure.message] };
    case 'rpc':
      return describeRpcFailure(failure.target, failure.error);
  }
}

/** The gRPC status of a failed call, when `err` is one (to treat e.g. NOT_FOUND as an answer). */
export const rpcStatusOf = (err: unknown): status | undefined =>
  err instanceof CliError && err.failure.kind === 'rpc' ? err.failure.error.code : undefined;

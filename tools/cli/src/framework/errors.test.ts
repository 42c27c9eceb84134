import { RpcError, status } from '@mlops/grpc';
import { describe, expect, it } from 'vitest';
import { CliError, describeFailure, rpcStatusOf, type ServiceTarget } from './errors.js';
import { ExitCode } from './exit-codes.js';

const target: ServiceTarget = { service: 'registry', address: '127.0.0.1:50051', variable: 'MLOPS_REGISTRY_ADDR' };
const rpc = (code: status, message: string) => describeFailure({ kind: 'rpc', target, error: new RpcError(code, message) });

describe('describeFailure', () => {
  it('maps each kind of failure to the exit code scripts branch on', () => {
    expect(rpc(status.NOT_FOUND, 'model "x" does not exist').exitCode).toBe(ExitCode.NotFound);
    expect(rpc(status.UNAVAILABLE, 'down').exitCode).toBe(ExitCode.Unavailable);
    expect(rpc(status.UNAUTHENTICATED, 'no token').exitCode).toBe(ExitCode.Auth);
    expect(rpc(status.PERMISSION_DENIED, 'needs deployer').exitCode).toBe(ExitCode.Auth);
    expect(rpc(status.FAILED_PRECONDITION, 'gate failed').exitCode).toBe(ExitCode.Failed);
    expect(rpc(status.ALREADY_EXISTS, 'exists').exitCode).toBe(ExitCode.Failed);
    expect(rpc(status.INTERNAL, 'internal error').exitCode).toBe(ExitCode.Failed);
    expect(rpc(status.INVALID_ARGUMENT, 'name: expected lower case').exitCode).toBe(ExitCode.Usage);
    expect(describeFailure({ kind: 'usage', message: 'missing argument NAME', usage: 'mlops models create NAME [options]', helpCommand: 'mlops models create' }).exitCode).toBe(ExitCode.Usage);
    expect(describeFailure({ kind: 'input', message: 'm.onnx: no such file' }).exitCode).toBe(ExitCode.Usage);
    expect(describeFailure({ kind: 'incomplete', message: '2 rows rejected' }).exitCode).toBe(ExitCode.Failed);
  });

  it('prints a failed gate exactly as the service explained it', () => {
    expect(rpc(status.FAILED_PRECONDITION, 'gate "auc >= 0.9" failed: auc is 0.85, 0.05 short').lines).toEqual(['gate "auc >= 0.9" failed: auc is 0.85, 0.05 short']);
  });

  it('names the address variable and `npm start` when a service is unreachable', () => {
    const report = rpc(status.UNAVAILABLE, 'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:50051. Resolution note: ');
    expect(report.lines[0]).toBe('the registry at 127.0.0.1:50051 is unavailable: nothing is listening there (connection refused)');
    expect(report.lines[1]).toContain('MLOPS_REGISTRY_ADDR');
    expect(report.lines[1]).toContain('npm start');
  });

  it('tells the user to set MLOPS_TOKEN on auth failures', () => {
    expect(rpc(status.UNAUTHENTICATED, 'missing bearer token').lines.join('\n')).toContain('Set MLOPS_TOKEN');
    expect(rpc(status.PERMISSION_DENIED, 'role reader cannot deploy').lines.join('\n')).toContain('MLOPS_TOKEN');
  });

  it('gives the usage line and the help command for usage errors', () => {
    const report = describeFailure({ kind: 'usage', message: 'missing argument FILE.onnx', usage: 'mlops models register NAME FILE.onnx [options]', helpCommand: 'mlops models register' });
    expect(report.lines).toEqual(['missing argument FILE.onnx', 'usage: mlops models register NAME FILE.onnx [options]', 'Run `mlops models register --help` for details.']);
  });
});

describe('rpcStatusOf', () => {
  it('reads the status of a failed call and nothing else', () => {
    expect(rpcStatusOf(new CliError({ kind: 'rpc', target, error: new RpcError(status.NOT_FOUND, 'x') }))).toBe(status.NOT_FOUND);
    expect(rpcStatusOf(new CliError({ kind: 'input', message: 'x' }))).toBeUndefined();
    expect(rpcStatusOf(new Error('x'))).toBeUndefined();
  });
});

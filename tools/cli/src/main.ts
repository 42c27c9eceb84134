// Entry point of `mlops` (bin/mlops.js runs it through tsx). Sets the exit code instead of
// calling process.exit, so everything written to stdout is flushed before the process ends.
import { runCli } from './cli.js';
import { processIo } from './framework/io.js';

try {
  process.exitCode = await runCli(process.argv.slice(2), processIo());
} catch (err) {
  // A bug, not a user error: show the stack so it can be reported.
  console.error('mlops: unexpected error (please report it):', err);
  process.exitCode = 1;
}

/**
 * Node flags that write a CPU profile of a process the benchmark starts, when the environment
 * variable `variable` names a directory (for profiling a run; the figures of such a run are not
 * the ones to keep). Empty when it is unset.
 */
export function cpuProfileFlags(variable: string): string[] {
  const dir = process.env[variable];
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { ok, fail, type Result } from '../domain/result.js';

/**
 * What the probe process prints first, the moment it has read the artifact's path. A process
 * that exits without printing it never saw the artifact, whatever its pipes reported: a killed
 * process's stdin can still take a write while its last threads exit.
 */
const RECEIVED = 'received\n';

/** What the probe process prints after RECEIVED: onnxruntime's own metadata, untouched. */
export type ProbeOutput =
  | { ok: true; inputs: ProbeValue[]; outputs: ProbeValue[] }
  | { ok: false; error: string };
export type ProbeValue = { name: string; isTensor: boolean; type?: string; shape?: (number | string)[] };

/*
 * The probe runs onnxruntime in a child process, not in the registry, because:
 * - a corrupt or hostile artifact can crash native code; a crashed child is a refused upload,
 *   a crashed registry is an outage;
 * - onnxruntime materialises every initializer, so a 2 GiB model costs gigabytes of native
 *   memory while it loads; in a child, that memory is returned to the OS the moment it exits and
 *   the registry's own footprint stays flat however large the artifacts are;
 * - the event loop only waits on a pipe.
 * Each process loads exactly one artifact and exits, so nothing one artifact did to onnxruntime
 * (memory, a half-crashed state) reaches the next. Starting node and importing onnxruntime is
 * done ahead of time instead: one spare process waits, warm, on its stdin for the path of the
 * next artifact, so an upload does not wait for it. It exits by itself when the registry does
 * (its stdin closes).
 * Optimisations and weight prepacking are disabled: we want the graph's declared interface and
 * the fastest load, not a session ready to run (prepacking copies every MatMul weight once more).
 */
const PROBE_SCRIPT = `
const ort = require(process.argv[1]);
const out = (value) => process.stdout.write(JSON.stringify(value));
const meta = (m) => ({ name: m.name, isTensor: m.isTensor, type: m.type, shape: m.shape });
let line = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (data) => {
  line += data;
  const end = line.indexOf('\\n');
  if (end < 0) return;
  process.stdin.destroy();
  process.stdout.write(${JSON.stringify(RECEIVED)});
  ort.InferenceSession.create(JSON.parse(line.slice(0, end)), {
    graphOptimizationLevel: 'disabled', enableCpuMemArena: false, enableMemPattern: false, logSeverityLevel: 3,
    intraOpNumThreads: 1, interOpNumThreads: 1, extra: { session: { disable_prepacking: '1' } },
  }).then(
    (session) => {
      out({ ok: true, inputs: session.inputMetadata.map(meta), outputs: session.outputMetadata.map(meta) });
      return session.release();
    },
    (err) => out({ ok: false, error: String(err && err.message ? err.message : err) }),
  );
});
`;

type ProbeChild = ChildProcessByStdio<Writable, Readable, Readable>;

/** A started probe process and what it has printed so far. */
interface WarmProbe {
  readonly child: ProbeChild;
  /** Settles when the process has exited and its pipes are drained. */
  readonly closed: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; spawnError?: Error }>;
}

export interface ProbePool {
  /** Loads the artifact at `localPath` in a fresh onnxruntime process and returns what it reports. */
  probe(localPath: string): Promise<Result<ProbeOutput, string>>;
  /** Stops the spare process. Probes running now finish; later ones start a process of their own. */
  close(): void;
}

export function createProbePool(onnxruntimeEntry: string, timeoutMs: number): ProbePool {
  let spare: WarmProbe | undefined;
  let closed = false;

  const start = (): WarmProbe => {
    const child = spawn(process.execPath, ['-e', PROBE_SCRIPT, onnxruntimeEntry], {
      stdio: ['pipe', 'pipe', 'pipe'],
      // The probe needs neither the parent's loaders nor its flags.
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < 8192) stderr += d;
    });
    // A spare that is killed or crashes before use must not fail a write into its stdin later.
    child.stdin.on('error', () => undefined);
    const closed = new Promise<Awaited<WarmProbe['closed']>>((resolve) => {
      child.once('error', (spawnError) => resolve({ code: null, signal: null, stdout, stderr, spawnError }));
      child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    });
    return { child, closed };
  };

  // An idle spare must not keep the registry (or a test) alive; a probe in use must.
  const setRef = ({ child }: WarmProbe, ref: boolean) => {
    for (const handle of [child, child.stdin, child.stdout, child.stderr] as Array<{ ref(): unknown; unref(): unknown }>) {
      if (ref) handle.ref();
      else handle.unref();
    }
  };

  const refill = () => {
    if (closed || spare !== undefined) return;
    const next = start();
    setRef(next, false);
    spare = next;
    void next.closed.then(() => {
      if (spare === next) spare = undefined;
    });
  };

  const take = (): WarmProbe => {
    const warm = spare !== undefined && spare.child.exitCode === null && spare.child.signalCode === null ? spare : undefined;
    if (spare !== undefined && warm === undefined) spare.child.kill();
    const taken = warm ?? start();
    spare = undefined;
    setRef(taken, true);
    return taken;
  };

  refill();
  /** Hands `localPath` to a process and waits for it to exit. */
  const run = async (probe: WarmProbe, localPath: string) => {
    probe.child.stdin.write(`${JSON.stringify(localPath)}\n`);
    probe.child.stdin.end();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      probe.child.kill('SIGKILL');
    }, timeoutMs);
    const exit = await probe.closed;
    clearTimeout(timer);
    const received = exit.stdout.startsWith(RECEIVED);
    return { ...exit, received, stdout: received ? exit.stdout.slice(RECEIVED.length) : exit.stdout, timedOut };
  };

  return {
    async probe(localPath) {
      let exit = await run(take(), localPath);
      // A spare that died while idle (killed, out of memory) never saw this artifact. Blaming the
      // artifact would be wrong; start afresh.
      if (!exit.received && !exit.timedOut && exit.spawnError === undefined) exit = await run(start(), localPath);
      // The next upload's process warms up now, after this one's load no longer needs the CPU.
      setImmediate(refill);
      const { code, signal, stdout, stderr, spawnError, timedOut } = exit;
      if (spawnError !== undefined) return fail(`could not start the onnxruntime probe: ${spawnError.message}`);
      if (timedOut) return fail(`the artifact took longer than ${timeoutMs} ms to load`);
      // SIGKILL that we did not send is most often the kernel's out-of-memory killer.
      if (signal === 'SIGKILL') return fail('the onnxruntime probe was killed (SIGKILL) while loading the artifact, usually for running out of memory');
      if (signal !== null) return fail(`the artifact crashed onnxruntime (${signal})`);
      try {
        return ok(JSON.parse(stdout) as ProbeOutput);
      } catch {
        return fail(`the onnxruntime probe exited with code ${code}: ${firstLine(stderr) || 'no output'}`);
      }
    },
    close() {
      closed = true;
      spare?.child.kill();
      spare = undefined;
    },
  };
}

/** onnxruntime prefixes errors with a long, path-bearing preamble; the first line is what matters. */
export function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).trim();
}

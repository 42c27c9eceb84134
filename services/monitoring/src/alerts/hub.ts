/** In-process fan-out of alert changes to WatchAlerts streams. */
import type { AlertRecord } from '@mlops/proto/mlops/monitoring/v1/monitoring_pb';

type Listener = (record: AlertRecord) => void;

export class AlertHub {
  private readonly listeners = new Set<Listener>();

  publish(record: AlertRecord): void {
    for (const l of this.listeners) l(record);
  }

  /** Alert records for `model` ('' = all) until `signal` aborts. */
  async *watch(model: string, signal: AbortSignal): AsyncIterable<AlertRecord> {
    const queue: AlertRecord[] = [];
    let wake: (() => void) | undefined;
    const listener: Listener = (r) => {
      if (model !== '' && r.alert?.model !== model) return;
      queue.push(r);
      wake?.();
    };
    const onAbort = () => wake?.();
    this.listeners.add(listener);
    signal.addEventListener('abort', onAbort);
    try {
      while (!signal.aborted) {
        const next = queue.shift();
        if (next) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      this.listeners.delete(listener);
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Ends every watcher (service shutdown). */
  get size(): number {
    return this.listeners.size;
  }
}

import { connect } from 'nats';
import { namespacedStreamName } from '../namespace.js';
import { STREAM_NAMES } from '../streams.js';
import { isStreamNotFound } from './errors.js';

/**
 * Deletes every platform stream of `namespace` (and with them their consumers), so a test or a
 * demo that ran in its own namespace leaves the shared nats-server as it found it.
 * Returns how many streams existed.
 */
export async function deleteNamespacedStreams(url: string, namespace: string): Promise<number> {
  if (namespace === '') throw new TypeError('namespace: expected a test namespace; refusing to delete the platform streams');
  const nc = await connect({ servers: url });
  try {
    const jsm = await nc.jetstreamManager();
    let deleted = 0;
    for (const stream of STREAM_NAMES) {
      try {
        await jsm.streams.delete(namespacedStreamName(stream, namespace));
        deleted++;
      } catch (err) {
        if (!isStreamNotFound(err)) throw err;
      }
    }
    return deleted;
  } finally {
    await nc.close();
  }
}

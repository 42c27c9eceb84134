import { open } from 'node:fs/promises';
import { allocateWithHeadroom } from './serializer.js';

/**
 * A file in chunks of at most `chunkSize` bytes, each read into a new buffer that the caller keeps
 * (it goes on to the network, and the next chunk is read only when asked for). Each buffer has the
 * headroom that lets `messageSerializer` send a chunk as a bytes field without copying it: what an
 * upload or a download of a large file wants.
 */
export async function* readFileChunks(path: string, chunkSize: number): AsyncGenerator<Uint8Array> {
  if (!(Number.isInteger(chunkSize) && chunkSize > 0)) throw new RangeError(`chunkSize: expected a positive whole number of bytes, got ${chunkSize}`);
  const file = await open(path, 'r');
  try {
    for (;;) {
      const buffer = allocateWithHeadroom(chunkSize);
      const { bytesRead } = await file.read(buffer, 0, chunkSize, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await file.close();
  }
}

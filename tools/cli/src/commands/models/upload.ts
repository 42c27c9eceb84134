import type { MessageInitShape } from '@bufbuild/protobuf';
import { readFileChunks } from '@mlops/grpc';
import type { CreateVersionRequestSchema, VersionHeaderSchema } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { inputError } from '../../framework/errors.js';
import type { Progress } from '../../framework/progress.js';

/** Chunk size of uploads: big enough to keep the stream busy, far below gRPC's message limits. */
export const UPLOAD_CHUNK_BYTES = 1024 * 1024;

type CreateVersionRequestInit = MessageInitShape<typeof CreateVersionRequestSchema>;

/**
 * The CreateVersion request stream: the header, then the file in chunks read from disk as the
 * upload consumes them (backpressure from the call), so the file is never in memory whole.
 */
export async function* versionUploadRequests(
  header: MessageInitShape<typeof VersionHeaderSchema>,
  path: string,
  display: string,
  progress: Progress,
): AsyncGenerator<CreateVersionRequestInit> {
  yield { part: { case: 'header', value: header } };
  // Chunks are read behind reserved bytes, so each request is serialized around its chunk in place.
  const chunks = readFileChunks(path, UPLOAD_CHUNK_BYTES);
  try {
    for await (const chunk of chunks) {
      yield { part: { case: 'chunk', value: chunk } };
      progress.advance(chunk.byteLength);
    }
  } catch (err) {
    throw inputError(`${display}: could not be read (${err instanceof Error ? err.message : String(err)})`);
  } finally {
    await chunks.return(undefined);
  }
}

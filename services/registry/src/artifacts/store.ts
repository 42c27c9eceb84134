/**
 * Where artifact bytes live. The registry only ever streams through this interface, so an
 * object-store implementation (S3, GCS) can replace the directory without touching the API.
 */
export interface ArtifactStore {
  /** Starts an upload into a private staging area; nothing is visible under its hash until `commit`. */
  begin(): Promise<ArtifactUpload>;
  /** The stored artifact with this sha256, or undefined when there is none. */
  open(sha256: string): Promise<StoredArtifact | undefined>;
  /** Removes staging files older than `olderThanMs` (uploads interrupted by a crash). */
  sweepStaging(olderThanMs: number): Promise<number>;
}

export interface ArtifactUpload {
  /** Appends a chunk; resolves when the bytes are handed to the OS, which is the upload's backpressure. */
  write(chunk: Uint8Array): Promise<void>;
  readonly bytesWritten: number;
  /**
   * Ends the writes and returns what was received; the staged file is then complete at
   * `localPath`. Making it durable (fsync) may go on in the background: `commit` waits for it.
   */
  finish(): Promise<StagedArtifact>;
  /** Makes the finished file durable, then moves it to its content address (atomically; an identical artifact may already be there). */
  commit(): Promise<StoredArtifact>;
  /** Deletes the staged bytes. Safe to call at any point and more than once. */
  abort(): Promise<void>;
}

export interface StagedArtifact {
  readonly sha256: string;
  readonly size: number;
  /** A local file holding the staged bytes, for inspection (loading it with onnxruntime) before commit. */
  readonly localPath: string;
}

export interface StoredArtifact {
  readonly sha256: string;
  readonly size: number;
  /**
   * Reads the artifact in chunks of at most `chunkSize` bytes, one chunk in memory at a time, each
   * in a buffer of its own with room in front for a gRPC message to be serialized around it.
   */
  read(chunkSize: number): AsyncIterable<Uint8Array>;
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;

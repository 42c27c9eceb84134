import { createHash, randomUUID, type Hash } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { readFileChunks } from '@mlops/grpc';
import { SHA256_HEX, type ArtifactStore, type ArtifactUpload, type StagedArtifact, type StoredArtifact } from './store.js';

/*
 * Artifacts live in a content-addressed directory, `<root>/sha256/<ab>/<hash>`, not in
 * PostgreSQL large objects, because:
 * - an upload of up to 2 GiB would hold a database transaction (and a pooled connection) open
 *   for the whole transfer, and the bytes would pass through the WAL and every backup;
 * - a file streams in and out with bounded memory and without the lo_* API, and a hash-named
 *   file never changes, so readers need no locks and identical artifacts are stored once;
 * - the same `ArtifactStore` interface fits an object store, which is where large artifacts
 *   belong in a cluster (the database keeps only the hash, size and metadata).
 * Writes go to `<root>/staging` on the same filesystem, are fsynced, then renamed into place,
 * so a crash leaves either the whole file under its hash or an unreferenced staging file. The
 * fsync starts at `finish` and `commit` waits for it, so it overlaps the artifact's inspection.
 */
export function createDirectoryArtifactStore(root: string): ArtifactStore {
  const stagingDir = join(root, 'staging');
  const blobPath = (sha256: string) => join(root, 'sha256', sha256.slice(0, 2), sha256);

  return {
    async begin() {
      await mkdir(stagingDir, { recursive: true });
      const localPath = join(stagingDir, `${randomUUID()}.part`);
      const file = await open(localPath, 'wx');
      return new DirectoryUpload(file, localPath, blobPath);
    },

    async open(sha256) {
      if (!SHA256_HEX.test(sha256)) return undefined;
      const path = blobPath(sha256);
      const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      });
      if (info === undefined) return undefined;
      return {
        sha256,
        size: info.size,
        read: (chunkSize) => readFileChunks(path, chunkSize),
      } satisfies StoredArtifact;
    },

    async sweepStaging(olderThanMs) {
      const names = await readdir(stagingDir).catch(() => [] as string[]);
      let removed = 0;
      for (const name of names) {
        const path = join(stagingDir, name);
        const info = await stat(path).catch(() => undefined);
        if (info !== undefined && Date.now() - info.mtimeMs > olderThanMs) {
          await rm(path, { force: true });
          removed++;
        }
      }
      return removed;
    },
  };
}

type UploadState =
  | { kind: 'writing'; file: FileHandle; hash: Hash }
  /** `durable` settles once the staged bytes are fsynced and the file closed (or that failed). */
  | { kind: 'finished'; staged: StagedArtifact; durable: Promise<void> }
  | { kind: 'committed'; stored: StoredArtifact }
  | { kind: 'aborted' };

class DirectoryUpload implements ArtifactUpload {
  #state: UploadState;
  #bytesWritten = 0;

  constructor(
    file: FileHandle,
    private readonly localPath: string,
    private readonly blobPath: (sha256: string) => string,
  ) {
    this.#state = { kind: 'writing', file, hash: createHash('sha256') };
  }

  get bytesWritten(): number {
    return this.#bytesWritten;
  }

  async write(chunk: Uint8Array): Promise<void> {
    const state = this.#state;
    if (state.kind !== 'writing') throw new Error(`cannot write to an upload that is ${state.kind}`);
    // The write runs on libuv's thread pool while this thread hashes the same (unchanging) bytes.
    const written = writeFully(state.file, chunk);
    state.hash.update(chunk);
    await written;
    this.#bytesWritten += chunk.byteLength;
  }

  async finish(): Promise<StagedArtifact> {
    const state = this.#state;
    if (state.kind === 'finished') return state.staged;
    if (state.kind !== 'writing') throw new Error(`cannot finish an upload that is ${state.kind}`);
    const { file } = state;
    // Every byte is written (readable at localPath), so the artifact can be inspected while the
    // disk catches up: the fsync overlaps the inspection, and `commit` waits for it.
    const durable = (async () => {
      try {
        await file.sync();
      } finally {
        await file.close();
      }
    })();
    // Handled here so an upload aborted before commit leaves no unhandled rejection; commit rethrows it.
    durable.catch(() => undefined);
    const staged = { sha256: state.hash.digest('hex'), size: this.#bytesWritten, localPath: this.localPath };
    this.#state = { kind: 'finished', staged, durable };
    return staged;
  }

  async commit(): Promise<StoredArtifact> {
    const state = this.#state;
    if (state.kind === 'committed') return state.stored;
    if (state.kind !== 'finished') throw new Error(`cannot commit an upload that is ${state.kind}`);
    await state.durable;
    const { sha256, size } = state.staged;
    const target = this.blobPath(sha256);
    const dir = join(target, '..');
    await mkdir(dir, { recursive: true });
    // rename() replaces an existing file atomically; an existing file under this name holds the
    // same bytes (it is named by their hash), so replacing it is harmless.
    await rename(this.localPath, target);
    await fsyncDirectory(dir);
    const stored: StoredArtifact = {
      sha256,
      size,
      read: (chunkSize) => readFileChunks(target, chunkSize),
    };
    this.#state = { kind: 'committed', stored };
    return stored;
  }

  async abort(): Promise<void> {
    const state = this.#state;
    if (state.kind === 'committed' || state.kind === 'aborted') return;
    this.#state = { kind: 'aborted' };
    if (state.kind === 'writing') await state.file.close().catch(() => undefined);
    if (state.kind === 'finished') await state.durable.catch(() => undefined);
    await rm(this.localPath, { force: true });
  }
}

/** FileHandle.write may write fewer bytes than asked; loops until the whole chunk is written. */
async function writeFully(file: FileHandle, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.byteLength) {
    const { bytesWritten } = await file.write(chunk, offset, chunk.byteLength - offset);
    offset += bytesWritten;
  }
}

/** Makes a rename durable: the directory entry itself must reach the disk. */
async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

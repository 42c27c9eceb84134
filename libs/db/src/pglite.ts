import { access, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { KyselyPGlite } from 'kysely-pglite';
import type { Dialect } from 'kysely';
import { DatabaseOpenError } from './errors.js';
import { serializeDialect } from './serialized-driver.js';

export const IN_MEMORY = 'memory://';

// PGlite's default int8 parser returns a number (or a bigint past 2^53); pg returns a string.
// Services run the same queries on both, so PGlite is made to answer like pg: int8 (20) as a
// string, and int8[] follows because PGlite parses array elements with the element's parser.
const PG_COMPATIBLE_PARSERS = { 20: (value: string) => value };

// PGlite is one PostgreSQL backend in this process, writing its files without cross-process
// locking. Two PGlite instances on one directory corrupt it, so each open directory is recorded.
const openDirectories = new Set<string>();

// Most of a new PGlite's start-up is initdb (seconds, many more on a busy machine); loading an image
// of an empty, initialised cluster takes a fraction of that. Every new cluster (in memory, or a
// directory without PG_VERSION) starts from one image made per process, which then stays in memory
// (~40 MB): tests open many. An existing directory is opened as it is.
let emptyCluster: Promise<Blob> | undefined;

function emptyClusterImage(): Promise<Blob> {
  emptyCluster ??= (async () => {
    const pristine = await PGlite.create();
    try {
      return await pristine.dumpDataDir('none');
    } finally {
      await pristine.close();
    }
  })();
  // A failed attempt is not cached, so the next open tries again.
  emptyCluster.catch(() => (emptyCluster = undefined));
  return emptyCluster;
}

async function isNewCluster(location: string): Promise<boolean> {
  if (location === IN_MEMORY) return true;
  return access(join(location, 'PG_VERSION')).then(
    () => false,
    () => true,
  );
}

export interface PGliteTarget {
  readonly dialect: Dialect;
  /** The PGlite data directory, or `memory://`. */
  readonly location: string;
  /** Forget the directory claim; call after the kysely instance is destroyed. */
  readonly unclaim: () => void;
}

/**
 * Starts PGlite for one service schema. On disk the data directory is `<dataDir>/pglite/<schema>`:
 * PGlite serves a single process, so services of the all-in-one launcher (each in its own schema)
 * must not share one directory, and a service's data stays where it was if it later moves out.
 */
export async function openPGlite(opts: { schema: string; dataDir: string }): Promise<PGliteTarget> {
  const location = opts.dataDir === IN_MEMORY ? IN_MEMORY : resolve(opts.dataDir, 'pglite', opts.schema);
  if (location !== IN_MEMORY) {
    if (openDirectories.has(location)) {
      throw new DatabaseOpenError(
        { kind: 'data-dir-in-use', dataDir: location },
        `PGlite data directory ${location} is already open in this process; ` +
          'PGlite serves one instance per directory (use PostgreSQL to run replicas)',
      );
    }
    await mkdir(location, { recursive: true });
    openDirectories.add(location);
  }
  const unclaim = () => {
    if (location !== IN_MEMORY) openDirectories.delete(location);
  };
  let pglite: PGlite | undefined;
  try {
    // In memory: no `dataDir` at all (PGlite's default is memory), because KyselyPGlite creates the
    // directory named by `pglite.dataDir`, which would leave a `./memory:` folder behind.
    const image = (await isNewCluster(location)) ? { loadDataDir: await emptyClusterImage() } : {};
    pglite = await PGlite.create(
      location === IN_MEMORY
        ? { parsers: PG_COMPATIBLE_PARSERS, ...image }
        : { dataDir: location, parsers: PG_COMPATIBLE_PARSERS, ...image },
    );
    // PGlite has one session, so setting search_path once covers every query kysely sends (the
    // schema itself is created by openDatabase; a search_path may name one that does not exist yet).
    await pglite.exec(`set search_path to "${opts.schema}"`);
    return { dialect: serializeDialect(new KyselyPGlite(pglite).dialect), location, unclaim };
  } catch (err) {
    await pglite?.close().catch(() => undefined);
    unclaim();
    throw err;
  }
}

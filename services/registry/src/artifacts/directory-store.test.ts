import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDirectoryArtifactStore, type ArtifactStore } from './index.js';

let root: string;
let store: ArtifactStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'registry-artifacts-'));
  store = createDirectoryArtifactStore(root);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<{ bytes: Buffer; sizes: number[] }> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(Buffer.from(chunk));
  return { bytes: Buffer.concat(parts), sizes: parts.map((p) => p.length) };
}

describe('directory artifact store', () => {
  it('stores chunks under their sha256 and reads them back in bounded chunks', async () => {
    const data = randomBytes(300_000);
    const upload = await store.begin();
    for (let i = 0; i < data.length; i += 64_000) await upload.write(data.subarray(i, i + 64_000));
    const staged = await upload.finish();
    const sha256 = createHash('sha256').update(data).digest('hex');
    expect(staged).toMatchObject({ sha256, size: data.length });
    expect(await store.open(sha256)).toBeUndefined();

    await upload.commit();
    const stored = await store.open(sha256);
    expect(stored?.size).toBe(data.length);
    const { bytes, sizes } = await collect(stored!.read(100_000));
    expect(bytes.equals(data)).toBe(true);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(100_000);
    expect(await readdir(join(root, 'sha256', sha256.slice(0, 2)))).toEqual([sha256]);
    expect(await readdir(join(root, 'staging'))).toEqual([]);
  });

  it('an aborted upload leaves nothing behind', async () => {
    const upload = await store.begin();
    await upload.write(Buffer.from('half an artifact'));
    await upload.abort();
    await upload.abort();
    expect(await readdir(join(root, 'staging'))).toEqual([]);
    await expect(upload.write(Buffer.from('more'))).rejects.toThrow(/aborted/);
  });

  it('an upload aborted after finish (while its fsync may still run) leaves nothing behind and cannot be committed', async () => {
    const upload = await store.begin();
    await upload.write(randomBytes(1_000_000));
    const staged = await upload.finish();
    expect((await readFile(staged.localPath)).byteLength).toBe(1_000_000);
    await upload.abort();
    expect(await readdir(join(root, 'staging'))).toEqual([]);
    await expect(upload.commit()).rejects.toThrow(/aborted/);
    expect(await store.open(staged.sha256)).toBeUndefined();
  });

  it('stores identical content once', async () => {
    for (let i = 0; i < 2; i++) {
      const upload = await store.begin();
      await upload.write(Buffer.from('same bytes'));
      await upload.finish();
      await upload.commit();
    }
    const sha256 = createHash('sha256').update('same bytes').digest('hex');
    const stored = await store.open(sha256);
    expect((await collect(stored!.read(4))).bytes.toString()).toBe('same bytes');
    expect(await readdir(join(root, 'sha256', sha256.slice(0, 2)))).toEqual([sha256]);
  });

  it('refuses a malformed hash and sweeps stale staging files', async () => {
    expect(await store.open('../../etc/passwd')).toBeUndefined();
    const upload = await store.begin();
    await upload.write(Buffer.from('crashed mid-upload'));
    await upload.finish();
    const [name] = await readdir(join(root, 'staging'));
    const old = new Date(Date.now() - 3_600_000);
    await utimes(join(root, 'staging', name!), old, old);
    expect(await store.sweepStaging(60_000)).toBe(1);
    expect(await readdir(join(root, 'staging'))).toEqual([]);
  });
});

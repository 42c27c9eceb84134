import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { CreateVersionRequestSchema } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { describe, expect, it, onTestFinished } from 'vitest';
import { readFileChunks } from './file-chunks.js';
import { messageSerializer } from './serializer.js';

describe('readFileChunks', () => {
  it('reads a file in chunks that are sent as bytes fields without a copy', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'grpc-chunks-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const bytes = Buffer.alloc(250_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = i % 253;
    await writeFile(join(dir, 'f'), bytes);

    const chunks: Uint8Array[] = [];
    for await (const chunk of readFileChunks(join(dir, 'f'), 100_000)) chunks.push(chunk);
    expect(chunks.map((c) => c.byteLength)).toEqual([100_000, 100_000, 50_000]);
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);

    const serialize = messageSerializer(CreateVersionRequestSchema);
    const wire = serialize(create(CreateVersionRequestSchema, { part: { case: 'chunk', value: chunks[0]! } }));
    expect(wire.buffer).toBe(chunks[0]!.buffer);
  });

  it('refuses a chunk size that is not a positive whole number', async () => {
    await expect(readFileChunks('/nonexistent', 0).next()).rejects.toThrow('chunkSize: expected a positive whole number of bytes, got 0');
  });
});

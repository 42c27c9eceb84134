import { createHash } from 'node:crypto';
import { isRpcError, status, type Client } from '@mlops/grpc';
import type { RegistryService } from '@mlops/proto/mlops/registry/v1/registry_pb';
import type { ModelSource, SourceError } from '../models/model-source.js';
import { err, ok, type Result } from '../util/result.js';

// Answers that mean "there is no such thing" rather than "the registry is unwell".
const ABSENT: ReadonlySet<status> = new Set([
  status.NOT_FOUND,
  status.FAILED_PRECONDITION,
  status.INVALID_ARGUMENT,
]);

const sourceError = (what: string, error: unknown): SourceError => {
  if (isRpcError(error) && ABSENT.has(error.code))
    return { kind: 'not_found', message: `${what}: ${error.message}` };
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'unavailable', message: `${what}: the registry did not answer (${message})` };
};

/**
 * The registry as a ModelSource: aliases through ResolveVersion ("name@alias"), artifacts
 * through the DownloadArtifact stream, checked against the size and sha256 its first message
 * announces.
 */
export function registryModelSource(
  client: Client<typeof RegistryService>,
  options: { deadlineMs?: number } = {},
): ModelSource {
  const deadlineMs = options.deadlineMs ?? 30_000;
  return {
    async resolveAlias(model, alias): Promise<Result<string, SourceError>> {
      try {
        const response = await client.resolveVersion({ reference: `${model}@${alias}` }, { deadlineMs });
        if (!response.version)
          return err({ kind: 'not_found', message: `model ${model} has no ${alias} alias` });
        return ok(response.version.version.toString());
      } catch (error) {
        return err(sourceError(`resolving ${model}@${alias}`, error));
      }
    },

    async fetchArtifact(model, version): Promise<Result<Uint8Array, SourceError>> {
      const what = `downloading ${model} version ${version}`;
      const chunks: Uint8Array[] = [];
      let announced: { size: bigint; sha256: string } | undefined;
      try {
        for await (const part of client.downloadArtifact(
          { model, version: BigInt(version) },
          { deadlineMs },
        )) {
          announced ??= { size: part.totalSize, sha256: part.sha256 };
          if (part.chunk.byteLength > 0) chunks.push(part.chunk);
        }
      } catch (error) {
        return err(sourceError(what, error));
      }
      const bytes = Buffer.concat(chunks);
      if (announced && announced.size > 0n && BigInt(bytes.byteLength) !== announced.size) {
        return err({
          kind: 'unavailable',
          message: `${what}: received ${bytes.byteLength} bytes, the registry announced ${announced.size}`,
        });
      }
      if (announced && announced.sha256 !== '') {
        const digest = createHash('sha256').update(bytes).digest('hex');
        if (digest !== announced.sha256.toLowerCase())
          return err({
            kind: 'unavailable',
            message: `${what}: sha256 ${digest} differs from the announced ${announced.sha256}`,
          });
      }
      return ok(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    },
  };
}

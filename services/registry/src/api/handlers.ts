import { createHash } from 'node:crypto';
import { RpcError, status, type AddServiceOptions, type ServiceImpl } from '@mlops/grpc';
import type { RegistryService } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { invalidArgument } from '../domain/result.js';
import { listAuditRecords } from '../registry/audit-log.js';
import { deleteAlias, resolveVersion, setAlias } from '../registry/aliases.js';
import type { RegistryContext } from '../registry/context.js';
import { archiveModel, createModel, getModel, listModels, updateModel } from '../registry/models.js';
import { archiveVersion, createVersion, getVersion, listVersions, openArtifact } from '../registry/versions.js';
import { actorOf } from './actor.js';
import { toRpcError, unwrap } from './errors.js';

export const DEFAULT_DOWNLOAD_CHUNK = 1024 * 1024;
/** A chunk and its framing must fit gRPC's default 4 MiB message limit on both ends. */
export const MAX_DOWNLOAD_CHUNK = 4 * 1024 * 1024 - 1024;

/** Reads need 'read' (the default); everything that changes the registry needs 'deploy'. */
export const REGISTRY_PERMISSIONS: AddServiceOptions<typeof RegistryService>['permissions'] = {
  createModel: 'deploy',
  updateModel: 'deploy',
  archiveModel: 'deploy',
  createVersion: 'deploy',
  archiveVersion: 'deploy',
  setAlias: 'deploy',
  deleteAlias: 'deploy',
};

/** The gRPC face of the registry: input checks and status codes live in the operations. */
export function registryHandlers(ctx: RegistryContext): ServiceImpl<typeof RegistryService> {
  return {
    async createModel(req, call) {
      return { model: unwrap(await createModel(ctx, { actor: actorOf(call) }, req)) };
    },
    async getModel(req) {
      return { model: unwrap(await getModel(ctx, req.name)) };
    },
    async listModels(req) {
      return unwrap(await listModels(ctx, req));
    },
    async updateModel(req, call) {
      return { model: unwrap(await updateModel(ctx, { actor: actorOf(call) }, req)) };
    },
    async archiveModel(req, call) {
      return { model: unwrap(await archiveModel(ctx, { actor: actorOf(call) }, req)) };
    },

    async createVersion(reqs, call) {
      return { version: unwrap(await createVersion(ctx, { actor: actorOf(call) }, reqs)) };
    },
    async getVersion(req) {
      return { version: unwrap(await getVersion(ctx, req.model, req.version)) };
    },
    async listVersions(req) {
      return unwrap(await listVersions(ctx, req));
    },
    async archiveVersion(req, call) {
      return { version: unwrap(await archiveVersion(ctx, { actor: actorOf(call) }, req)) };
    },

    async *downloadArtifact(req) {
      if (req.chunkSize < 0) throw toRpcError(invalidArgument('chunk_size', `0 (default ${DEFAULT_DOWNLOAD_CHUNK}) or more bytes`, req.chunkSize));
      const chunkSize = Math.min(req.chunkSize === 0 ? DEFAULT_DOWNLOAD_CHUNK : req.chunkSize, MAX_DOWNLOAD_CHUNK);
      const { artifact } = unwrap(await openArtifact(ctx, req.model, req.version));
      // The bytes are hashed as they go out: a file damaged on disk ends the stream with
      // DATA_LOSS instead of handing a client a corrupt model with a success status.
      const hash = createHash('sha256');
      let sent = 0;
      // Chunks come with headroom: each response is serialized around its chunk, not copied.
      for await (const chunk of artifact.read(chunkSize)) {
        hash.update(chunk);
        yield sent === 0 ? { totalSize: BigInt(artifact.size), sha256: artifact.sha256, chunk } : { chunk };
        sent += chunk.byteLength;
      }
      const digest = hash.digest('hex');
      if (sent !== artifact.size || digest !== artifact.sha256) {
        throw new RpcError(status.DATA_LOSS, `artifact ${artifact.sha256} is damaged in storage (read ${sent} bytes hashing to ${digest})`);
      }
    },

    async setAlias(req, call) {
      const move = unwrap(await setAlias(ctx, { actor: actorOf(call) }, req));
      return { version: move.version, previousVersion: BigInt(move.previousVersion) };
    },
    async deleteAlias(req, call) {
      const { previousVersion } = unwrap(await deleteAlias(ctx, { actor: actorOf(call) }, req));
      return { previousVersion: BigInt(previousVersion) };
    },
    async resolveVersion(req) {
      return { version: unwrap(await resolveVersion(ctx, req.reference)) };
    },

    async listAuditRecords(req) {
      return unwrap(await listAuditRecords(ctx, req));
    },
  };
}

export { createDirectoryArtifactStore } from './directory-store.js';
export { SHA256_HEX, type ArtifactStore, type ArtifactUpload, type StagedArtifact, type StoredArtifact } from './store.js';

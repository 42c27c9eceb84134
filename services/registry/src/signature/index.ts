export { compareSignatures } from './compare.js';
export { createOnnxInspector, type ArtifactInspector } from './onnx-inspector.js';

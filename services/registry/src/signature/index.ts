export { compareSignatures } from './compare.js';
export { createOnnxInspector, type ArtifactInspector, type OnnxInspector } from './onnx-inspector.js';

import { basename } from 'node:path';
import { CreateVersionResponseSchema } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { defineCommand } from '../../framework/command.js';
import { inputFileSize } from '../../framework/files.js';
import { messageJson } from '../../framework/output.js';
import { LINEAGE_OPTIONS, lineageFromFlags, readReferenceProfile } from './lineage-flags.js';
import { ensureModel } from './registry-calls.js';
import { versionUploadRequests } from './upload.js';

export const registerCommand = defineCommand({
  name: 'register',
  summary: 'upload an .onnx file as a new version of a model (creating the model if needed)',
  description:
    'Prints `version N` on stdout (scripts rely on this form). The registry reads the signature from the\n' +
    'ONNX file itself; the lineage flags record where the version came from.',
  positionals: [
    { name: 'NAME', description: 'model name' },
    { name: 'FILE.onnx', description: 'the ONNX model file to upload' },
  ],
  options: {
    ...LINEAGE_OPTIONS,
    'model-description': { type: 'string', valueName: 'TEXT', description: 'description of the model, when this creates it' },
  },
  services: ['registry'],
  examples: [
    'mlops models register churn model.onnx --metric auc=0.91 --feature-ref customer:age --feature-ref customer:tenure',
    'mlops models register churn model.onnx --dataset-uri s3://data/churn/2024-05 --dataset-digest sha256:ab12… --code-commit $(git rev-parse HEAD)',
  ],
  async run({ args, options }, ctx) {
    const lineage = lineageFromFlags(options);
    if (!lineage.ok) throw ctx.usageError(lineage.error);
    const file = args['FILE.onnx'];
    const path = ctx.resolvePath(file);
    const size = await inputFileSize(path, file);
    const profileFile = options['reference-profile'];
    const referenceProfile = profileFile === undefined ? undefined : await readReferenceProfile(ctx.resolvePath(profileFile), profileFile);

    const registry = ctx.clients.registry();
    const { created } = await ensureModel(registry, args.NAME, options['model-description'] ?? '');
    if (created) ctx.note(`created model ${args.NAME}`);

    const progress = ctx.progress({ label: `uploading ${basename(file)}`, total: size, unit: { kind: 'bytes' } });
    const response = await registry.createVersion(
      versionUploadRequests(
        { model: args.NAME, lineage: { ...lineage.value, ...(referenceProfile ? { referenceProfile } : {}) }, expectedSize: BigInt(size) },
        path,
        file,
        progress,
      ),
    );
    progress.finish();

    if (ctx.json) {
      ctx.printJson(messageJson(CreateVersionResponseSchema, response));
      return;
    }
    ctx.out(`version ${response.version?.version ?? 0n}\n`);
  },
});

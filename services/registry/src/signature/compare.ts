import { ElementType, type Signature, type TensorSpec } from '@mlops/proto/mlops/registry/v1/registry_pb';

/**
 * Differences between a declared signature and the artifact's own, one line each, empty when
 * they agree. The declaration may leave things open: an empty inputs (or outputs) list is not
 * checked, an UNSPECIFIED element type matches any, and an empty shape matches any shape.
 * Dynamic dimensions must be declared as dynamic (-1): a declared fixed size where the model
 * accepts any would mislead every client that reads the signature.
 */
export function compareSignatures(declared: Signature, actual: Signature): string[] {
  return [...compareList('inputs', declared.inputs, actual.inputs), ...compareList('outputs', declared.outputs, actual.outputs)];
}

function compareList(side: 'inputs' | 'outputs', declared: readonly TensorSpec[], actual: readonly TensorSpec[]): string[] {
  if (declared.length === 0) return [];
  const differences: string[] = [];
  if (declared.length !== actual.length) {
    differences.push(
      `${side}: declared ${declared.length} (${names(declared)}), the artifact has ${actual.length} (${names(actual)})`,
    );
  }
  const count = Math.min(declared.length, actual.length);
  for (let i = 0; i < count; i++) {
    const d = declared[i]!;
    const a = actual[i]!;
    const at = `${side}[${i}]`;
    if (d.name !== a.name) differences.push(`${at} name: declared "${d.name}", the artifact has "${a.name}"`);
    if (d.elementType !== ElementType.UNSPECIFIED && d.elementType !== a.elementType) {
      differences.push(`${at} (${a.name}) element type: declared ${typeName(d.elementType)}, the artifact has ${typeName(a.elementType)}`);
    }
    if (d.shape.length > 0 && !sameShape(d.shape, a.shape)) {
      differences.push(`${at} (${a.name}) shape: declared ${shapeText(d.shape)}, the artifact has ${shapeText(a.shape)}`);
    }
  }
  return differences;
}

const names = (specs: readonly TensorSpec[]) => specs.map((s) => s.name).join(', ');
const typeName = (t: ElementType) => ElementType[t] ?? String(t);
const shapeText = (shape: readonly bigint[]) => `[${shape.map((d) => (d < 0n ? '?' : d.toString())).join(', ')}]`;

function sameShape(a: readonly bigint[], b: readonly bigint[]): boolean {
  return a.length === b.length && a.every((d, i) => (d < 0n ? -1n : d) === ((b[i] ?? 0n) < 0n ? -1n : b[i]));
}

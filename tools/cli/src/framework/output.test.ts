import { create } from '@bufbuild/protobuf';
import { ModelSchema, ModelStatus } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { describe, expect, it } from 'vitest';
import { formatBytes, formatNumber, messageJson, renderFields, renderJson, renderTable } from './output.js';

describe('renderTable', () => {
  it('aligns columns two spaces apart, numbers to the right, without trailing spaces', () => {
    const text = renderTable(
      [{ header: 'NAME' }, { header: 'LATEST', align: 'right' }, { header: 'ALIASES' }],
      [
        ['churn', '12', 'production=11'],
        ['fraud-detector', '3', ''],
      ],
    );
    expect(text).toBe(['NAME            LATEST  ALIASES', 'churn               12  production=11', 'fraud-detector       3'].join('\n') + '\n');
  });

  it('counts a multi-byte character as one column', () => {
    const text = renderTable([{ header: 'A' }, { header: 'B' }], [['é', 'x']]);
    expect(text).toBe('A  B\né  x\n');
  });
});

describe('renderFields', () => {
  it('aligns values after their keys', () => {
    expect(renderFields([
      ['name', 'churn'],
      ['latest version', '3'],
    ])).toBe('name:           churn\nlatest version: 3\n');
  });
});

describe('messageJson', () => {
  it('writes the protobuf JSON mapping, default fields included, int64 as strings', () => {
    const model = create(ModelSchema, { name: 'churn', status: ModelStatus.ACTIVE, aliases: { production: 3n }, latestVersion: 4n });
    const json = JSON.parse(renderJson(messageJson(ModelSchema, model))) as Record<string, unknown>;
    expect(json).toMatchObject({ name: 'churn', status: 'MODEL_STATUS_ACTIVE', aliases: { production: '3' }, latestVersion: '4', description: '' });
  });
});

describe('number and size formatting', () => {
  it('keeps integers and shortens long fractions', () => {
    expect(formatNumber(3)).toBe('3');
    expect(formatNumber(0.912345678)).toBe('0.912346');
    expect(formatNumber(0.00001)).toBe('1.000e-5');
  });

  it('uses binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(3 * 1024 * 1024 + 512 * 1024)).toBe('3.5 MiB');
  });
});

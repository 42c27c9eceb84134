import { describe, expect, it } from 'vitest';
import { parseCommandLine } from './args.js';

const positionals = [
  { name: 'NAME', description: '' },
  { name: 'FILE', description: '', arity: 'optional' },
] as const;
const options = {
  gate: { type: 'string', multiple: true, valueName: 'EXPR', description: '' },
  reason: { type: 'string', valueName: 'TEXT', description: '' },
  format: { type: 'string', valueName: 'F', description: '', default: 'csv' },
  json: { type: 'boolean', description: '' },
} as const;

describe('parseCommandLine', () => {
  it('fills positionals by name and options with their defaults', () => {
    const result = parseCommandLine(positionals, options, ['churn']);
    expect(result).toEqual({
      ok: true,
      value: { args: { NAME: 'churn', FILE: undefined }, options: { gate: [], reason: undefined, format: 'csv', json: false } },
    });
  });

  it('collects repeatable options in order, anywhere on the line', () => {
    const result = parseCommandLine(positionals, options, ['--gate', 'auc >= 0.9', 'churn', '--gate=auc >= production.auc - 0.005', 'm.onnx', '--json']);
    expect(result.ok && result.value.options.gate).toEqual(['auc >= 0.9', 'auc >= production.auc - 0.005']);
    expect(result.ok && result.value.args).toEqual({ NAME: 'churn', FILE: 'm.onnx' });
    expect(result.ok && result.value.options.json).toBe(true);
  });

  it('names a missing argument', () => {
    expect(parseCommandLine(positionals, options, [])).toEqual({ ok: false, error: 'missing argument NAME' });
  });

  it('refuses an extra argument', () => {
    expect(parseCommandLine(positionals, options, ['a', 'b', 'c'])).toEqual({ ok: false, error: 'unexpected argument "c"' });
  });

  it('names an unknown option and an option missing its value', () => {
    expect(parseCommandLine(positionals, options, ['a', '--gates', 'x'])).toEqual({ ok: false, error: 'unknown option --gates' });
    expect(parseCommandLine(positionals, options, ['a', '--reason'])).toEqual({ ok: false, error: 'option --reason needs a value' });
    expect(parseCommandLine(positionals, options, ['a', '--json=yes'])).toEqual({ ok: false, error: 'option --json does not take a value' });
  });

  it('takes every remaining word for a variadic positional and needs at least one', () => {
    const variadic = [{ name: 'KEY', description: '', arity: 'variadic' }] as const;
    expect(parseCommandLine(variadic, {}, ['a', 'b'])).toEqual({ ok: true, value: { args: { KEY: ['a', 'b'] }, options: {} } });
    expect(parseCommandLine(variadic, {}, [])).toEqual({ ok: false, error: 'missing argument KEY' });
  });
});

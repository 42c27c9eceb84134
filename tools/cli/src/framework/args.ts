import { parseArgs } from 'node:util';

/** One option of a command, as parseArgs takes it plus what `--help` shows. */
export type OptionSpec =
  | { readonly type: 'boolean'; readonly short?: string; readonly description: string }
  | {
      readonly type: 'string';
      readonly short?: string;
      readonly description: string;
      /** Shown in help: `--dataset-uri URI`. */
      readonly valueName: string;
      readonly multiple?: false;
      readonly default?: string;
    }
  | { readonly type: 'string'; readonly short?: string; readonly description: string; readonly valueName: string; readonly multiple: true };

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** The parsed value of each option: booleans default to false and repeatable options to []. */
export type OptionValues<O extends OptionSpecs> = {
  readonly [K in keyof O]: O[K] extends { type: 'boolean' }
    ? boolean
    : O[K] extends { multiple: true }
      ? readonly string[]
      : O[K] extends { default: string }
        ? string
        : string | undefined;
};

export type PositionalSpec = {
  /** Upper case, as shown in the usage line: NAME, FILE.onnx. */
  readonly name: string;
  readonly description: string;
  /** `optional` may be left out; `variadic` takes every remaining argument (at least one). */
  readonly arity?: 'required' | 'optional' | 'variadic';
};

export type PositionalValues<P extends readonly PositionalSpec[]> = {
  readonly [E in P[number] as E['name']]: E extends { arity: 'variadic' } ? readonly string[] : E extends { arity: 'optional' } ? string | undefined : string;
};

export type ParsedCommandLine<P extends readonly PositionalSpec[], O extends OptionSpecs> = {
  readonly args: PositionalValues<P>;
  readonly options: OptionValues<O>;
};

export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** "--gate" out of Node's "Option '--gate <value>' argument missing". */
const optionIn = (message: string): string | undefined => /'(-{1,2}[^' ]+)/.exec(message)?.[1];

function explainParseError(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  const option = optionIn(message);
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? message}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(message)) return `option ${option} does not take a value`;
      if (/ambiguous/.test(message)) return `option ${option} needs a value (write ${option}=-VALUE for a value starting with "-")`;
      return `option ${option ?? ''} needs a value`.replace('  ', ' ');
    default:
      return message;
  }
}

/**
 * Parses `argv` (the words after the command name) against a command's positionals and
 * options. Every problem becomes a short sentence for a usage error; nothing throws.
 */
export function parseCommandLine<const P extends readonly PositionalSpec[], const O extends OptionSpecs>(
  positionals: P,
  options: O,
  argv: readonly string[],
): ParseResult<ParsedCommandLine<P, O>> {
  let parsed: { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: Object.fromEntries(
        Object.entries(options).map(([name, spec]) => [
          name,
          {
            type: spec.type,
            ...(spec.short === undefined ? {} : { short: spec.short }),
            ...(spec.type === 'string' && spec.multiple === true ? { multiple: true } : {}),
          },
        ]),
      ),
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    return { ok: false, error: explainParseError(err) };
  }

  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(options)) {
    const value = parsed.values[name];
    if (spec.type === 'boolean') values[name] = value === true;
    else if (spec.multiple === true) values[name] = Array.isArray(value) ? value : [];
    else values[name] = value ?? spec.default;
  }

  const args: Record<string, string | readonly string[] | undefined> = {};
  const words = [...parsed.positionals];
  for (const spec of positionals) {
    const arity = spec.arity ?? 'required';
    if (arity === 'variadic') {
      if (words.length === 0) return { ok: false, error: `missing argument ${spec.name}` };
      args[spec.name] = words.splice(0);
    } else {
      const word = words.shift();
      if (word === undefined && arity === 'required') return { ok: false, error: `missing argument ${spec.name}` };
      args[spec.name] = word;
    }
  }
  if (words.length > 0) return { ok: false, error: `unexpected argument ${JSON.stringify(words[0])}` };

  // The records were filled from the specs themselves, so they have exactly the declared keys.
  return { ok: true, value: { args: args as PositionalValues<P>, options: values as OptionValues<O> } };
}

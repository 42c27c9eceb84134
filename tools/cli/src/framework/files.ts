import { readFile, stat } from 'node:fs/promises';
import { inputError } from './errors.js';

const reason = (err: unknown): string => {
  const code = (err as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return err instanceof Error ? err.message : String(err);
};

/** The size of a regular file named on the command line; a clear input error otherwise. */
export async function inputFileSize(path: string, display: string): Promise<number> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw inputError(`${display}: ${reason(err)}`);
  }
  if (!info.isFile()) throw inputError(`${display}: not a regular file`);
  return info.size;
}

/** A small text input (YAML definitions, a JSON profile): read whole, which is fine at that size. */
export async function readInputText(path: string, display: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw inputError(`${display}: ${reason(err)}`);
  }
}

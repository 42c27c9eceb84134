import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments, parseDocument } from 'yaml';
import { DEPLOY_DIR } from './paths.js';

export type ParseOutcome = { ok: true; documents: unknown[] } | { ok: false; error: string };

/** Every *.yml / *.yaml under deploy/, relative to deploy/. */
export function yamlFilesUnderDeploy(dir = DEPLOY_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return yamlFilesUnderDeploy(path);
    return /\.ya?ml$/.test(entry.name) ? [relative(DEPLOY_DIR, path)] : [];
  });
}

/**
 * Parses a (multi-document) YAML file. Merge keys (`<<: *anchor`) are on: docker compose uses
 * them, and YAML 1.2 parsers leave them off by default.
 */
export function parseYamlFile(path: string): ParseOutcome {
  const text = readFileSync(path, 'utf8');
  const documents = parseAllDocuments(text, { merge: true, uniqueKeys: true });
  if (!Array.isArray(documents)) return { ok: false, error: 'not a YAML stream' };
  const errors = documents.flatMap((d) => [...d.errors, ...d.warnings].map((e) => e.message));
  if (errors.length > 0) return { ok: false, error: errors.join('; ') };
  return {
    ok: true,
    documents: documents.map((d) => d.toJS({ maxAliasCount: 100 })).filter((d) => d !== null),
  };
}

/** One document, throwing on a parse error (files the tests know are single-document). */
export function readYaml(path: string): unknown {
  const doc = parseDocument(readFileSync(path, 'utf8'), { merge: true, uniqueKeys: true });
  if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors.map((e) => e.message).join('; ')}`);
  return doc.toJS({ maxAliasCount: 100 });
}

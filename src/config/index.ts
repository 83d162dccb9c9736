/**
 * Loading and validating the YAML configuration. Every failure names the key,
 * the value and what is allowed, and stops start-up.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { configSchema, type Config } from './schema.js';

export { configSchema, type Config, type SourceConfig } from './schema.js';

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid configuration in ${file}:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

function keyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out === '' ? '(top level)' : out;
}

function showValue(v: unknown): string {
  if (v === undefined) return '(missing)';
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** One line per problem: `key = value: what is allowed`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((i) => {
    if (i.code === 'unrecognized_keys') {
      const base = keyPath(i.path);
      const keys = i.keys.map((k) => (base === '(top level)' ? k : `${base}.${k}`));
      return `${keys.join(', ')}: unknown key${keys.length > 1 ? 's' : ''} (check the spelling against docs/sample-config.yaml)`;
    }
    const input = (i as { input?: unknown }).input;
    return `${keyPath(i.path)} = ${showValue(input)}: ${i.message}`;
  });
}

/** Validate an already parsed object. */
export function validateConfig(raw: unknown, file = '(inline)'): Config {
  const r = configSchema.safeParse(raw ?? {}, { reportInput: true });
  if (!r.success) throw new ConfigError(file, describeIssues(r.error.issues));
  return r.data;
}

export function parseConfigText(text: string, file = '(inline)'): Config {
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    const msg = err instanceof YAMLParseError ? err.message : String(err);
    throw new ConfigError(file, [`YAML syntax: ${msg}`]);
  }
  return validateConfig(raw, file);
}

export function loadConfig(file: string): { config: Config; hash: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [`cannot read the file: ${(err as Error).message}`]);
  }
  const config = parseConfigText(text, file);
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  return { config, hash };
}

/**
 * Loading and validating the YAML configuration. Every failure names the key,
 * the value and what is allowed, and stops start-up.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
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

/** Keys whose wrong value may be the secret itself. */
const SECRET_VALUE_KEYS: ReadonlySet<string> = new Set(['password_file', 'key_file']);

/** One line per problem: `key = value: what is allowed`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((i) => {
    if (i.code === 'unrecognized_keys') {
      const base = keyPath(i.path);
      const keys = i.keys.map((k) => (base === '(top level)' ? k : `${base}.${k}`));
      return `${keys.join(', ')}: unknown key${keys.length > 1 ? 's' : ''} (check the spelling against docs/sample-config.yaml)`;
    }
    let input = (i as { input?: unknown }).input;
    // A discriminated union reports the whole object at the discriminator's path: show the key's own value.
    const last = i.path[i.path.length - 1];
    if (typeof last === 'string' && typeof input === 'object' && input !== null && last in input) {
      input = (input as Record<string, unknown>)[last];
    }
    // A password or key pasted where its file's path belongs must not reach the log.
    const shown = typeof last === 'string' && SECRET_VALUE_KEYS.has(last) ? '(not shown)' : showValue(input);
    const message = i.code === 'invalid_union' && 'options' in i ? `expected one of ${(i as { options: unknown[] }).options.map((o) => JSON.stringify(o)).join(' | ')}` : i.message;
    return `${keyPath(i.path)} = ${shown}: ${message}`;
  });
}

/**
 * YAML reads a section whose keys are all commented out (`outbox:`) as null;
 * the user means "defaults", so nulls inside mappings become absent keys.
 */
function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = dropNulls(x);
  return out;
}

/** Validate an already parsed object. */
export function validateConfig(raw: unknown, file = '(inline)'): Config {
  const r = configSchema.safeParse(dropNulls(raw ?? {}), { reportInput: true });
  if (!r.success) throw new ConfigError(file, describeIssues(r.error.issues));
  return r.data;
}

/**
 * The YAML parser, loaded on first use: `replay` without --config and the
 * other commands that read no file skip its start-up cost (issue 7).
 */
let yaml: typeof import('yaml') | undefined;

export function parseConfigText(text: string, file = '(inline)'): Config {
  yaml ??= createRequire(import.meta.url)('yaml') as typeof import('yaml');
  const { parse: parseYaml, YAMLParseError } = yaml;
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

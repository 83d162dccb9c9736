/**
 * Reading systemd unit files the way systemd does, for the unit tests
 * (test/systemd-unit.test.ts, test/systemd-ble-unit.test.ts): assignments,
 * command lines expanded as systemd.service(5) "Command lines" says, the
 * system calls a SystemCallFilter= allows, and what an strace log shows.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function sh(cmd: string, args: readonly string[]): Promise<Result> {
  try {
    const r = await run(cmd, [...args], { maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** A unit's assignments; repeated keys keep every value. */
export function settings(path: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('[')) continue;
    const eq = line.indexOf('=');
    const key = line.slice(0, eq);
    out.set(key, [...(out.get(key) ?? []), line.slice(eq + 1)]);
  }
  return out;
}

/** Splits a unit's command line into words as systemd does (whitespace; '…' and "…" group). */
export function unitWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (const c of line) {
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= '';
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/**
 * A unit's ExecStart= for one instance, as systemd runs it (systemd.service(5),
 * "Command lines"): specifiers, then words, then "$VAR" alone as zero or more words,
 * "${VAR}" inside a word, "$$" as "$". Paths under /run/iomt-sensor/capture/ move to `capDir`.
 */
export function unitArgv(execStart: string, iface: string, env: Record<string, string>, capDir: string): string[] {
  const line = execStart.replace(/%[Ii%]/g, (m) => (m === '%%' ? '%' : iface));
  const out: string[] = [];
  for (const w of unitWords(line)) {
    const whole = /^\$([A-Za-z_]\w*)$/.exec(w);
    if (whole !== null) {
      out.push(...(env[whole[1]!] ?? '').split(/\s+/).filter((x) => x !== ''));
      continue;
    }
    out.push(w.replace(/\$\$|\$\{([A-Za-z_]\w*)\}/g, (m, name: string | undefined) => (m === '$$' ? '$' : env[name!] ?? ''))
      .replaceAll('/run/iomt-sensor/capture/', `${capDir}/`));
  }
  return out;
}

/** KEY=value lines (Environment= words, or an EnvironmentFile=). */
export function envOf(text: string, sep: RegExp): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of text.split(sep)) {
    const eq = kv.indexOf('=');
    if (eq > 0) out[kv.slice(0, eq).trim()] = kv.slice(eq + 1).trim();
  }
  return out;
}

/** The socket families in an `strace -f -o` log, from the execve of `from` on. */
export function tracedFamilies(log: string, from: string): Set<string> {
  const fams = new Set<string>();
  let on = false;
  for (const line of log.split('\n')) {
    if (!on && line.includes(`execve("${from}"`)) on = true;
    const m = on ? /^\d+\s+socket\((AF_\w+)/.exec(line) : null;
    if (m !== null) fams.add(m[1]!);
  }
  return fams;
}

/** The system calls a unit's SystemCallFilter= lines allow, expanded from systemd's own group table. */
export async function allowedSyscalls(u: Map<string, string[]>): Promise<Set<string>> {
  const r = await sh('systemd-analyze', ['syscall-filter']);
  const groups = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const raw of r.stdout.split('\n')) {
    const line = raw.trim();
    if (raw.startsWith('@')) groups.set(line, (current = []));
    else if (current !== undefined && line !== '' && !line.startsWith('#')) current.push(line);
  }
  const expand = (name: string): string[] => (name.startsWith('@') ? (groups.get(name) ?? []).flatMap(expand) : [name]);
  const allowed = new Set<string>();
  for (const value of u.get('SystemCallFilter') ?? []) {
    const deny = value.startsWith('~');
    for (const item of (deny ? value.slice(1) : value).split(/\s+/)) {
      for (const call of expand(item)) {
        if (deny) allowed.delete(call);
        else allowed.add(call);
      }
    }
  }
  return allowed;
}

/** Names of the system calls in an `strace -f -o` log, from the execve of `from` on. */
export function tracedCalls(log: string, from: string): Set<string> {
  const calls = new Set<string>();
  let on = false;
  for (const line of log.split('\n')) {
    if (!on && line.includes(`execve("${from}"`)) on = true;
    if (!on) continue;
    const m = /^\d+\s+([a-z0-9_]+)\(/.exec(line);
    if (m !== null) calls.add(m[1]!);
  }
  return calls;
}


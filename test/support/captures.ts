/**
 * Where the public captures are, for every test that walks them. They are
 * read in place from ../shared/captures beside the repository (never copied
 * into it); IOMT_CAPTURES points the tests elsewhere, e.g. at an empty
 * folder to check that a conformance test fails rather than passes on
 * nothing.
 *
 * A conformance test that finds no captures must fail: a comparison over
 * zero files proves nothing, and a skip reads as green in CI.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sharedPath } from './shared.js';

/** The captures folder: $IOMT_CAPTURES, or ../shared/captures beside the repository. */
export function capturesDir(): string {
  const env = process.env['IOMT_CAPTURES'];
  if (env !== undefined && env !== '') return env;
  return sharedPath('captures');
}

/** .pcap and .pcapng files under `dir` (recursively), sorted; [] when `dir` is missing. */
export function listCaptures(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listCaptures(p));
    else if (/\.(pcap|pcapng)$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

/** The capture files of the named subfolders of the captures folder, sorted. */
export function capturesIn(root: string, dirs: readonly string[]): string[] {
  return dirs.flatMap((d) => listCaptures(join(root, d))).sort();
}

/** tshark's version line, or undefined when it cannot run (build.sh installs it). */
export function tsharkVersion(): string | undefined {
  try {
    return execFileSync('tshark', ['-v'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0];
  } catch {
    return undefined;
  }
}

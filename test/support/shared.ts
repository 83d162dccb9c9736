/**
 * Where `../shared` (captures, feeds, reference notes) is for tests that
 * read it in place, never copied into the repository: the nearest parent of
 * the repository holding `shared/<first part>`. The compiled tests run from
 * dist/; a mutation sandbox (.stryker-tmp/<target>/sandbox-<id>/) sits deeper,
 * so the walk goes up a few levels.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function sharedPath(...parts: string[]): string {
  // This file runs from dist/test/support/: up three is the repository.
  let dir = fileURLToPath(new URL('../../../', import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, '..', 'shared', ...parts);
    if (existsSync(candidate)) return candidate;
    dir = join(dir, '..');
  }
  return fileURLToPath(new URL(`../../../../shared/${parts.join('/')}`, import.meta.url));
}

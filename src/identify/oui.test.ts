/**
 * The OUI registry (oui.ts): the byte-search path a short run takes gives
 * the same vendor as the full parse, for every prefix width, and a capture
 * with many vendors switches to the full parse.
 */
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { OuiRegistry, SCAN_LOOKUPS } from './oui.js';

const DIR = '/usr/share/ieee-data';

/** MACs whose prefix is the first data row of `file`, plus `n` more spread through it. */
function macsFrom(file: string, width: number, n: number): number[] {
  const lines = readFileSync(`${DIR}/${file}`, 'utf8').split('\n').slice(1).filter((l) => l.includes(','));
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const hex = lines[Math.floor((i * lines.length) / n)]!.split(',')[1]!;
    out.push(parseInt(hex, 16) * 2 ** (48 - width) + (i % 7));
  }
  return out;
}

t.test('ieee-data is installed (build.sh)', async (t) => {
  t.ok(existsSync(`${DIR}/oui.csv`), `${DIR}/oui.csv`);
});

t.test('searching the bytes finds what the full parse finds', async (t) => {
  if (!existsSync(`${DIR}/oui.csv`)) return;
  const macs = [
    ...macsFrom('oui.csv', 24, 10), ...macsFrom('mam.csv', 28, 6), ...macsFrom('oui36.csv', 36, 6), ...macsFrom('iab.csv', 36, 4),
    0x080030000001, // a prefix the MA-L registry repeats: the last row wins in both paths
    0x00005e000001, 0x0cffffffffff, // unregistered or reserved prefixes
  ];
  const full = new OuiRegistry();
  t.ok(full.source.entries > 30_000, `${full.source.entries} prefixes parsed`);
  // A new registry per group of SCAN_LOOKUPS, so every MAC is answered by the byte search.
  const wrong: string[] = [];
  for (let i = 0; i < macs.length; i += SCAN_LOOKUPS) {
    const lazy = new OuiRegistry();
    for (const m of macs.slice(i, i + SCAN_LOOKUPS)) if (lazy.lookup(m) !== full.lookup(m)) wrong.push(m.toString(16));
    t.equal((lazy as unknown as { loaded: unknown }).loaded, undefined, `group ${i / SCAN_LOOKUPS}: no full parse`);
  }
  t.same(wrong, [], `${macs.length} lookups agree`);
  const lazy = new OuiRegistry();
  t.equal(lazy.lookup(0x020000000001), undefined, 'locally administered: no owner');
  // More distinct prefixes than the budget: the full parse takes over, with the same answers.
  const many = macsFrom('oui.csv', 24, SCAN_LOOKUPS * 2);
  const wrong2 = many.filter((m) => lazy.lookup(m) !== full.lookup(m));
  t.same(wrong2, []);
  t.not((lazy as unknown as { loaded: unknown }).loaded, undefined, 'parsed in full after the budget');
});

t.test('without ieee-data the npm table answers', async (t) => {
  const npm = new OuiRegistry('/nonexistent');
  t.match(npm.source.origin, /^npm:oui-data/);
  t.match(npm.lookup(0x00095c000001) ?? '', /Philips/i, '00:09:5C is Philips in the MA-L registry');
});

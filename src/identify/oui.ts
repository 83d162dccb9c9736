/**
 * Vendor names from the IEEE registration authority's registries.
 *
 * Medical devices often carry MA-M (28-bit) or MA-S (36-bit) assignments, so
 * the primary source is Debian's `ieee-data` package (all four registries,
 * kept current by apt) at /usr/share/ieee-data. Where it is not installed the
 * `oui-data` npm package (MA-L only) is the fallback. Both are the IEEE's own
 * data; neither is a hand-made list. Loaded on first use, then held as three
 * maps keyed by the prefix as a number so a lookup is three Map reads.
 *
 * Start-up (issue 7): parsing the 4.3 MB of CSV costs a short replay most of
 * its run time and about 10 MB of heap. So the first SCAN_LOOKUPS distinct
 * prefixes are found by searching the raw bytes for the prefix (one
 * Buffer.indexOf per registry file, about 1.5 ms), and only a
 * capture with more distinct vendors than that pays for the full parse;
 * the agent's status (`source`) parses at once. Both paths read rows with
 * the same `readRow`, so they give the same names.
 */
import { readFileSync, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface OuiSource {
  /** Where the registries came from, for the status stream. */
  readonly origin: string;
  readonly entries: number;
  /** The registry's date (ieee-data: oui.csv's modification day) or the npm package version. */
  readonly version: string;
}

type Width = 24 | 28 | 36;

/** Distinct prefixes looked up by searching the bytes before the registries are parsed in full. */
export const SCAN_LOOKUPS = 8;

/** Search order: longest prefix first; iab.csv before oui36.csv because the full parse lets iab.csv overwrite. */
const FILES: ReadonlyArray<readonly [string, Width]> = [
  ['iab.csv', 36],
  ['oui36.csv', 36],
  ['mam.csv', 28],
  ['oui.csv', 24],
];

export class OuiRegistry {
  private readonly maps = new Map<Width, Map<number, string>>([
    [24, new Map()],
    [28, new Map()],
    [36, new Map()],
  ]);
  private loaded: OuiSource | undefined;
  /** Scan mode: the registry files' bytes, and the answers found so far by prefix (36-bit key). */
  private raw: Array<readonly [Buffer, Width]> | undefined;
  private readonly scanned = new Map<number, string | undefined>();

  /** @param ieeeDataDir Debian ieee-data directory; tests may point elsewhere. */
  constructor(private readonly ieeeDataDir = '/usr/share/ieee-data') {}

  get source(): OuiSource {
    return this.ensure();
  }

  /** Vendor of a 48-bit MAC given as a number, or undefined. Locally administered addresses have none. */
  lookup(mac: number): string | undefined {
    const hi24 = Math.floor(mac / 2 ** 24);
    // Bit 1 of the first octet set: a locally administered (often randomised) address, no IEEE owner.
    if ((hi24 >>> 16) & 0x02) return undefined;
    if (this.loaded === undefined && this.scanned.size < SCAN_LOOKUPS && this.canScan()) {
      const key = Math.floor(mac / 2 ** 12);
      if (this.scanned.has(key)) return this.scanned.get(key);
      const v = this.scan(mac);
      this.scanned.set(key, v);
      return v;
    }
    this.ensure();
    return (
      this.maps.get(36)!.get(Math.floor(mac / 2 ** 12)) ??
      this.maps.get(28)!.get(Math.floor(mac / 2 ** 20)) ??
      this.maps.get(24)!.get(hi24)
    );
  }

  /** True when the ieee-data CSVs are there (the npm fallback is one JS table: nothing to scan). */
  private canScan(): boolean {
    if (this.raw !== undefined) return true;
    if (!existsSync(join(this.ieeeDataDir, 'oui.csv'))) return false;
    this.raw = FILES.filter(([f]) => existsSync(join(this.ieeeDataDir, f))).map(([f, w]) => [readFileSync(join(this.ieeeDataDir, f)), w] as const);
    return true;
  }

  /**
   * The longest registered prefix of `mac`, found by searching each file's
   * bytes for `,<HEX>,`; within a file the last row wins, as in the full parse
   * (the registry repeats a few MA-L prefixes).
   */
  private scan(mac: number): string | undefined {
    for (const [buf, width] of this.raw!) {
      let found: string | undefined;
      const digits = width / 4;
      const hex = Math.floor(mac / 2 ** (48 - width)).toString(16).toUpperCase().padStart(digits, '0');
      const needle = `,${hex},`;
      for (let at = buf.indexOf(needle); at >= 0; at = buf.indexOf(needle, at + 1)) {
        // Only the second field of a row counts: the first field (MA-L, IAB ...) has no comma.
        const line = buf.lastIndexOf(0x0a, at) + 1;
        if (buf.indexOf(0x2c, line) !== at) continue;
        const row = readRow(buf, line, width);
        if (row !== undefined) found = row.name;
      }
      if (found !== undefined) return found;
    }
    return undefined;
  }

  private ensure(): OuiSource {
    if (this.loaded) return this.loaded;
    this.raw = undefined;
    const files: Array<[string, Width]> = [
      ['oui.csv', 24],
      ['mam.csv', 28],
      ['oui36.csv', 36],
      ['iab.csv', 36],
    ];
    if (existsSync(join(this.ieeeDataDir, 'oui.csv'))) {
      let n = 0;
      // Vendors own many prefixes: one string per vendor, not one per prefix.
      const names = new Map<string, string>();
      for (const [file, width] of files) {
        const path = join(this.ieeeDataDir, file);
        if (existsSync(path)) n += this.parseCsv(readFileSync(path), width, names);
      }
      const day = statSync(join(this.ieeeDataDir, 'oui.csv')).mtime.toISOString().slice(0, 10);
      this.loaded = { origin: `ieee-data:${this.ieeeDataDir}`, entries: n, version: day };
      return this.loaded;
    }
    const require = createRequire(import.meta.url);
    const table = require('oui-data') as Record<string, string>;
    const m24 = this.maps.get(24)!;
    for (const hex in table) {
      const v = table[hex];
      if (v === undefined) continue;
      const nl = v.indexOf('\n');
      m24.set(parseInt(hex, 16), nl < 0 ? v : v.slice(0, nl));
    }
    // The package exports only its table; its version is in the package.json beside it.
    const pkg = JSON.parse(readFileSync(join(dirname(require.resolve('oui-data')), 'package.json'), 'utf8')) as { version?: string };
    this.loaded = { origin: 'npm:oui-data', entries: m24.size, version: pkg.version ?? 'unknown' };
    return this.loaded;
  }

  /**
   * Reads `Registry,Assignment,"Organization Name",Address` rows straight from
   * the bytes, decoding only the name: splitting the 3 MB file into line and
   * field strings would cost tens of MB of heap on a 512 MB Pi for a moment,
   * and V8 keeps the pages it grew into.
   */
  private parseCsv(buf: Buffer, width: Width, names: Map<string, string>): number {
    const map = this.maps.get(width)!;
    let n = 0;
    let line = buf.indexOf(0x0a) + 1; // skip the header row
    while (line > 0 && line < buf.length) {
      const row = readRow(buf, line, width);
      if (row !== undefined) {
        let name = names.get(row.name);
        if (name === undefined) {
          name = row.name;
          names.set(name, name);
        }
        map.set(row.prefix, name);
        n++;
      }
      const next = buf.indexOf(0x0a, line);
      line = next < 0 ? -1 : next + 1;
    }
    return n;
  }
}

/** The row starting at `line`: its prefix and organisation name, or undefined when it is not a well-formed row. */
function readRow(buf: Buffer, line: number, width: Width): { prefix: number; name: string } | undefined {
  const digits = width / 4;
  const next = buf.indexOf(0x0a, line);
  const end = next < 0 ? buf.length : next;
  const c1 = buf.indexOf(0x2c, line);
  if (!(c1 > 0 && c1 + 1 + digits < end && buf[c1 + 1 + digits] === 0x2c)) return undefined;
  let prefix = 0;
  let ok = true;
  for (let i = c1 + 1; i <= c1 + digits; i++) {
    const h = hexValue(buf[i]!);
    if (h < 0) ok = false;
    prefix = prefix * 16 + h;
  }
  let a = c1 + 2 + digits;
  let b: number;
  if (buf[a] === 0x22) {
    a++;
    b = buf.indexOf(0x22, a);
    while (b >= 0 && b < end && buf[b + 1] === 0x22) b = buf.indexOf(0x22, b + 2);
  } else b = buf.indexOf(0x2c, a);
  if (b < 0 || b > end) b = end;
  const name = buf.toString('utf8', a, b).replaceAll('""', '"').trim();
  return ok && name !== '' ? { prefix, name } : undefined;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

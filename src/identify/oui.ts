/**
 * Vendor names from the IEEE registration authority's registries.
 *
 * Medical devices often carry MA-M (28-bit) or MA-S (36-bit) assignments, so
 * the primary source is Debian's `ieee-data` package (all four registries,
 * kept current by apt) at /usr/share/ieee-data. Where it is not installed the
 * `oui-data` npm package (MA-L only) is the fallback. Both are the IEEE's own
 * data; neither is a hand-made list. Loaded on first use, then held as three
 * maps keyed by the prefix as a number so a lookup is three Map reads.
 */
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export interface OuiSource {
  /** Where the registries came from, for the status stream. */
  readonly origin: string;
  readonly entries: number;
}

type Width = 24 | 28 | 36;

/** Splits one CSV line of the IEEE files (quoted fields may hold commas). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          cur += '"';
          i++;
        } else quoted = false;
      } else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

export class OuiRegistry {
  private readonly maps = new Map<Width, Map<number, string>>([
    [24, new Map()],
    [28, new Map()],
    [36, new Map()],
  ]);
  private loaded: OuiSource | undefined;

  /** @param ieeeDataDir Debian ieee-data directory; tests may point elsewhere. */
  constructor(private readonly ieeeDataDir = '/usr/share/ieee-data') {}

  get source(): OuiSource {
    return this.ensure();
  }

  /** Vendor of a 48-bit MAC given as a number, or undefined. Locally administered addresses have none. */
  lookup(mac: number): string | undefined {
    this.ensure();
    const hi24 = Math.floor(mac / 2 ** 24);
    // Bit 1 of the first octet set: a locally administered (often randomised) address, no IEEE owner.
    if ((hi24 >>> 16) & 0x02) return undefined;
    return (
      this.maps.get(36)!.get(Math.floor(mac / 2 ** 12)) ??
      this.maps.get(28)!.get(Math.floor(mac / 2 ** 20)) ??
      this.maps.get(24)!.get(hi24)
    );
  }

  private ensure(): OuiSource {
    if (this.loaded) return this.loaded;
    const files: Array<[string, Width]> = [
      ['oui.csv', 24],
      ['mam.csv', 28],
      ['oui36.csv', 36],
      ['iab.csv', 36],
    ];
    if (existsSync(join(this.ieeeDataDir, 'oui.csv'))) {
      let n = 0;
      for (const [file, width] of files) {
        const path = join(this.ieeeDataDir, file);
        if (!existsSync(path)) continue;
        const lines = readFileSync(path, 'utf8').split('\n');
        for (let i = 1; i < lines.length; i++) {
          const line = lines[i];
          if (line === undefined || line.length < 10) continue;
          const f = csvFields(line);
          const hex = f[1];
          const name = f[2]?.trim();
          if (hex === undefined || !name || !/^[0-9A-Fa-f]+$/.test(hex) || hex.length * 4 !== width) continue;
          this.maps.get(width)!.set(parseInt(hex, 16), name);
          n++;
        }
      }
      this.loaded = { origin: `ieee-data:${this.ieeeDataDir}`, entries: n };
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
    this.loaded = { origin: 'npm:oui-data', entries: m24.size };
    return this.loaded;
  }
}

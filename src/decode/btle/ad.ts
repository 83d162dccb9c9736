/**
 * Advertising and scan response data: a sequence of AD structures, each
 * `length (1) | AD type (1) | data (length - 1)` (Core Spec 5.4 Vol 3 Part C
 * §11; the types in the Core Specification Supplement Part A §1 and the
 * Assigned Numbers §2.3). The same format is carried by LL advertising PDUs
 * and HCI LE advertising reports, so both decoders hand their AdvData here.
 *
 * `summarizeAd` copies out what identifies a device as owned data (names,
 * UUIDs, company ids ...). Manufacturer and service data values are never
 * kept, only their ids and lengths: a health device may carry a measurement
 * there (Vol 3 Part C §11 puts no limit on what they hold).
 */

/** AD types (Supplement Part A §1; Assigned Numbers §2.3). */
export const AdType = {
  FLAGS: 0x01,
  UUID16_INCOMPLETE: 0x02, UUID16_COMPLETE: 0x03,
  UUID32_INCOMPLETE: 0x04, UUID32_COMPLETE: 0x05,
  UUID128_INCOMPLETE: 0x06, UUID128_COMPLETE: 0x07,
  NAME_SHORT: 0x08, NAME_COMPLETE: 0x09,
  TX_POWER: 0x0a,
  SOLICIT16: 0x14, SOLICIT128: 0x15,
  SERVICE_DATA16: 0x16,
  APPEARANCE: 0x19,
  SOLICIT32: 0x1f,
  SERVICE_DATA32: 0x20, SERVICE_DATA128: 0x21,
  URI: 0x24,
  MANUFACTURER: 0xff,
} as const;

/** What a walk found wrong; '' when nothing. */
export type AdProblem = '' | 'ad.bad_length' | 'ad.bad_field';

/** What AdvData says about its sender, as owned data. */
export interface AdSummary {
  flags: number;
  /** Local name (complete preferred over shortened); '' when none. */
  name: string;
  /** Whether `name` came from a shortened-name structure. */
  nameShort: boolean;
  /** Service UUIDs (list, solicitation and service-data UUIDs), lowercase hex: 4 digits for 16-bit, 8 for 32-bit, 32 for 128-bit. */
  readonly services: string[];
  /** UUIDs that came with service data. */
  readonly serviceData: string[];
  /** Manufacturer-specific data company ids, in order. */
  readonly companies: number[];
  /** TX power level in dBm, or undefined. */
  txPower: number | undefined;
  /** Appearance (Assigned Numbers §2.6), or -1. */
  appearance: number;
  /** URI (scheme code point expanded when it is one of the common ones), or ''. */
  uri: string;
  /** AD structures read. */
  structures: number;
  /** '' or the first problem met. */
  problem: AdProblem;
  /** The longest AD structure (length byte), for the oversized-advertising check. */
  longest: number;
}

export function emptyAdSummary(): AdSummary {
  return { flags: -1, name: '', nameShort: false, services: [], serviceData: [], companies: [], txPower: undefined, appearance: -1, uri: '', structures: 0, problem: '', longest: 0 };
}

const HEX = '0123456789abcdef';

/** Little-endian UUID bytes as lowercase hex in the usual (big-endian) order. */
export function uuidHex(b: Uint8Array, o: number, n: number): string {
  let s = '';
  for (let i = n - 1; i >= 0; i--) {
    const x = b[o + i]!;
    s += HEX[x >>> 4]! + HEX[x & 15]!;
  }
  return s;
}

/** The URI scheme code points of Assigned Numbers §2.7 that devices use; others keep their code point. */
const URI_SCHEMES: Readonly<Record<number, string>> = { 0x16: 'http:', 0x17: 'https:', 0x01: '' };

/** Longest name and URI kept; a name is device-chosen text (Vol 3 Part C §12.1 allows 248 bytes). */
export const MAX_AD_TEXT = 64;

const decoder = new TextDecoder('utf-8', { fatal: false });

function text(b: Uint8Array, o: number, n: number): string {
  // A NUL ends the text, as devices that copy a C string write it and as tshark reads it.
  let e = o;
  const lim = o + Math.min(n, MAX_AD_TEXT);
  while (e < lim && b[e] !== 0) e++;
  const s = decoder.decode(b.subarray(o, e));
  // Control characters never reach the inventory (they would be printed on a console).
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f]/g, '');
}

const MAX_LIST = 16;

function push<T>(list: T[], v: T): void {
  if (list.length < MAX_LIST && !list.includes(v)) list.push(v);
}

/**
 * Reads the AD structures of `b[start, end)` into `out`. A zero length
 * octet ends the data early (Vol 3 Part C §11: the rest is padding); a
 * structure running past the end stops the walk with `ad.bad_length`; a
 * structure too short for its type (a 16-bit UUID list of 3 bytes) is
 * `ad.bad_field` and skipped. Never throws.
 */
export function summarizeAd(b: Uint8Array, start: number, end: number, out: AdSummary = emptyAdSummary()): AdSummary {
  let o = start;
  while (o < end) {
    const len = b[o]!;
    if (len === 0) break;
    if (len > out.longest) out.longest = len;
    if (o + 1 + len > end) {
      out.problem ||= 'ad.bad_length';
      break;
    }
    out.structures++;
    const t = b[o + 1]!;
    const d = o + 2;
    const n = len - 1;
    switch (t) {
      case AdType.FLAGS:
        if (n >= 1) out.flags = b[d]!;
        else out.problem ||= 'ad.bad_field';
        break;
      case AdType.UUID16_INCOMPLETE: case AdType.UUID16_COMPLETE: case AdType.SOLICIT16:
        if (n % 2 !== 0) out.problem ||= 'ad.bad_field';
        for (let i = 0; i + 2 <= n; i += 2) push(out.services, uuidHex(b, d + i, 2));
        break;
      case AdType.UUID32_INCOMPLETE: case AdType.UUID32_COMPLETE: case AdType.SOLICIT32:
        if (n % 4 !== 0) out.problem ||= 'ad.bad_field';
        for (let i = 0; i + 4 <= n; i += 4) push(out.services, uuidHex(b, d + i, 4));
        break;
      case AdType.UUID128_INCOMPLETE: case AdType.UUID128_COMPLETE: case AdType.SOLICIT128:
        if (n % 16 !== 0) out.problem ||= 'ad.bad_field';
        for (let i = 0; i + 16 <= n; i += 16) push(out.services, uuidHex(b, d + i, 16));
        break;
      case AdType.NAME_SHORT: case AdType.NAME_COMPLETE:
        if (out.name === '' || (out.nameShort && t === AdType.NAME_COMPLETE)) {
          out.name = text(b, d, n);
          out.nameShort = t === AdType.NAME_SHORT;
        }
        break;
      case AdType.TX_POWER:
        if (n >= 1) out.txPower = (b[d]! << 24) >> 24;
        else out.problem ||= 'ad.bad_field';
        break;
      case AdType.SERVICE_DATA16: case AdType.SERVICE_DATA32: case AdType.SERVICE_DATA128: {
        const w = t === AdType.SERVICE_DATA16 ? 2 : t === AdType.SERVICE_DATA32 ? 4 : 16;
        if (n < w) {
          out.problem ||= 'ad.bad_field';
          break;
        }
        const u = uuidHex(b, d, w);
        push(out.serviceData, u);
        push(out.services, u);
        break;
      }
      case AdType.APPEARANCE:
        if (n >= 2) out.appearance = b[d]! | (b[d + 1]! << 8);
        else out.problem ||= 'ad.bad_field';
        break;
      case AdType.URI:
        if (n >= 1) {
          const scheme = URI_SCHEMES[b[d]!];
          out.uri = (scheme ?? `${b[d]!}:`) + text(b, d + 1, n - 1);
        } else out.problem ||= 'ad.bad_field';
        break;
      case AdType.MANUFACTURER:
        if (n >= 2) push(out.companies, b[d]! | (b[d + 1]! << 8));
        else out.problem ||= 'ad.bad_field';
        break;
      default:
        break;
    }
    o += 1 + len;
  }
  return out;
}

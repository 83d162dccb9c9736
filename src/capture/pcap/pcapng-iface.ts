/**
 * A pcapng interface as its Interface Description Block describes it
 * (draft-ietf-opsawg-pcapng §4.2), and the conversion of 64-bit packet
 * timestamps in that interface's units into whole seconds and nanoseconds.
 */
import type { FrameMeta } from '../types.js';
import { OPT_ENDOFOPT, OPT_IF_TSOFFSET, OPT_IF_TSRESOL } from './consts.js';

/** Timestamp conversion modes, chosen once per IDB so the per-packet path is a switch on a number. */
export const TS_DECIMAL = 0; // 10^-n, n <= 9: exact with 16-bit long division
export const TS_BINARY = 1; // 2^-n, n <= 32: exact with shifts
export const TS_BIGINT = 2; // anything else: rare, so a bigint per block is fine

export interface NgInterface {
  readonly linkType: number;
  /** 0 means no limit (§4.2). */
  readonly snaplen: number;
  /** Shared by every frame of the interface, so none is allocated per frame. */
  readonly meta: FrameMeta;
  readonly tsMode: number;
  /** TS_DECIMAL: units per second (10^n) and nanoseconds per unit (10^(9-n)). */
  readonly tsDiv: number;
  readonly tsNsPerUnit: number;
  /** TS_BINARY: n of 2^-n. */
  readonly tsShift: number;
  /** TS_BIGINT: units per second. */
  readonly tsUnits: bigint;
  /** if_tsoffset: seconds added to every timestamp. */
  readonly tsOffset: number;
}

/** Where describeInterface() met a bad option; the reader counts it as `pcapng.bad_option`. */
export interface BadOption {
  readonly offset: number;
  readonly detail: string;
}

/**
 * Reads the IDB at `off` (total length `len`, already checked to be at least
 * 20) and appends the interface to `ifaces`. Options it does not use are
 * skipped. A malformed option stops the option walk; the defaults (µs, no
 * offset) stay for what was not read, and the problem is returned.
 */
export function describeInterface(dv: DataView, off: number, len: number, le: boolean,
  ifaces: NgInterface[]): BadOption | undefined {
  const linkType = dv.getUint16(off + 8, le);
  const snaplen = dv.getUint32(off + 12, le);
  let tsresol = 6;
  let tsOffset = 0;
  let bad: BadOption | undefined;
  const optEnd = off + len - 4;
  let p = off + 16;
  while (p + 4 <= optEnd) {
    const code = dv.getUint16(p, le);
    const olen = dv.getUint16(p + 2, le);
    if (code === OPT_ENDOFOPT) break;
    if (p + 4 + olen > optEnd) {
      bad = { offset: p, detail: `option ${code} length ${olen} runs past the block` };
      break;
    }
    if (code === OPT_IF_TSRESOL) {
      if (olen === 1) tsresol = dv.getUint8(p + 4);
      else bad ??= { offset: p, detail: `if_tsresol length ${olen}` };
    } else if (code === OPT_IF_TSOFFSET) {
      if (olen === 8) tsOffset = Number(dv.getBigInt64(p + 4, le));
      else bad ??= { offset: p, detail: `if_tsoffset length ${olen}` };
    }
    p += 4 + ((olen + 3) & ~3);
  }
  // if_tsresol: MSB clear = 10^-n, MSB set = 2^-n (§4.2, option 9).
  const binary = (tsresol & 0x80) !== 0;
  const exp = tsresol & 0x7f;
  let tsMode = TS_BIGINT;
  let tsDiv = 1;
  let tsNsPerUnit = 1;
  if (!binary && exp <= 9) {
    tsMode = TS_DECIMAL;
    tsDiv = 10 ** exp;
    tsNsPerUnit = 10 ** (9 - exp);
  } else if (binary && exp <= 32) {
    tsMode = TS_BINARY;
  }
  ifaces.push({
    linkType,
    snaplen,
    meta: Object.freeze({ iface: ifaces.length }),
    tsMode,
    tsDiv,
    tsNsPerUnit,
    tsShift: exp,
    tsUnits: binary ? 1n << BigInt(exp) : 10n ** BigInt(exp),
    tsOffset,
  });
  return bad;
}

export interface NgTimestamp {
  sec: number;
  nsec: number;
}

const TWO32 = 4294967296;

/**
 * Converts a 64-bit pcapng timestamp (hi:lo, in the interface's units, §4.3)
 * into `out` exactly, truncating sub-nanosecond parts as libwiretap does. No
 * intermediate value passes 2^53.
 */
export function ngTimestamp(iface: NgInterface, hi: number, lo: number, out: NgTimestamp): void {
  let sec: number;
  let nsec: number;
  if (iface.tsMode === TS_DECIMAL) {
    // Long division of hi:lo by d <= 10^9 in 32 + 16 + 16-bit steps; each partial stays below 2^46.
    const d = iface.tsDiv;
    const qh = Math.floor(hi / d);
    const x = (hi - qh * d) * 65536 + (lo >>> 16);
    const q1 = Math.floor(x / d);
    const y = (x - q1 * d) * 65536 + (lo & 0xffff);
    const q0 = Math.floor(y / d);
    sec = qh * TWO32 + q1 * 65536 + q0;
    nsec = (y - q0 * d) * iface.tsNsPerUnit;
  } else if (iface.tsMode === TS_BINARY) {
    const n = iface.tsShift;
    let frac: number;
    if (n === 32) {
      sec = hi;
      frac = lo;
    } else {
      sec = hi * 2 ** (32 - n) + (lo >>> n);
      frac = lo % 2 ** n;
    }
    // frac * 10^9 / 2^n = frac * 5^9 / 2^(n-9); frac < 2^32 and 5^9 < 2^21 keep it below 2^53.
    nsec = n <= 9 ? Math.floor((frac * 1_000_000_000) / 2 ** n) : Math.floor((frac * 1_953_125) / 2 ** (n - 9));
  } else {
    const ts = (BigInt(hi) << 32n) | BigInt(lo);
    const u = iface.tsUnits;
    sec = Number(ts / u);
    nsec = Number(((ts % u) * 1_000_000_000n) / u);
  }
  out.sec = sec + iface.tsOffset;
  out.nsec = nsec;
}

/**
 * Zero-copy reads over a Uint8Array, plus address formatting.
 *
 * Two kinds of read live here, on purpose:
 *
 * - The free functions (`u16be(b, o)` ...) do no bounds check. A decoder
 *   checks the length it needs once (`has`, or `end - offset >= n`) and then
 *   reads with these; this is the hot path and costs one index operation per
 *   byte. Reading past the end of a Uint8Array yields `undefined`, which the
 *   arithmetic turns into 0, so a missing check gives wrong numbers, not a
 *   crash: every decoder's tests cover its length checks for that reason.
 * - `ByteView` checks every read and throws `RangeError` when one is out of
 *   bounds. Use it off the hot path (tools, tests, rarely used getters);
 *   the decode walk counts an escaping `RangeError` as `decoder.bug`.
 *
 * Direct index arithmetic is used rather than a DataView: a DataView per
 * frame is an allocation, and one shared DataView cannot follow the frames of
 * a pooled Node Buffer.
 */

/** True when `n` bytes starting at `offset` lie inside `[0, end)`. */
export function has(end: number, offset: number, n: number): boolean {
  return offset >= 0 && n >= 0 && offset + n <= end;
}

export function u8(b: Uint8Array, o: number): number {
  return b[o]!;
}

export function u16be(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

export function u16le(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}

/** Unsigned: the `>>> 0` keeps values >= 2^31 positive. */
export function u32be(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

export function u32le(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

/**
 * Bounds-checked reads over `[start, end)` of a byte array. Offsets are
 * absolute (from the start of `bytes`), like every offset in a `Layer`.
 */
export class ByteView {
  readonly bytes: Uint8Array;
  readonly start: number;
  readonly end: number;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    if (start < 0 || end > bytes.length || start > end) {
      throw new RangeError(`ByteView [${start}, ${end}) outside [0, ${bytes.length})`);
    }
    this.bytes = bytes;
    this.start = start;
    this.end = end;
  }

  get length(): number {
    return this.end - this.start;
  }

  /** True when `n` bytes starting at absolute `offset` lie inside the view. */
  has(offset: number, n: number): boolean {
    return offset >= this.start && n >= 0 && offset + n <= this.end;
  }

  u8(o: number): number {
    this.check(o, 1);
    return this.bytes[o]!;
  }

  u16be(o: number): number {
    this.check(o, 2);
    return u16be(this.bytes, o);
  }

  u16le(o: number): number {
    this.check(o, 2);
    return u16le(this.bytes, o);
  }

  u32be(o: number): number {
    this.check(o, 4);
    return u32be(this.bytes, o);
  }

  u32le(o: number): number {
    this.check(o, 4);
    return u32le(this.bytes, o);
  }

  /** A zero-copy sub-array (`subarray`, never `slice`). */
  sub(o: number, n: number): Uint8Array {
    this.check(o, n);
    return this.bytes.subarray(o, o + n);
  }

  private check(o: number, n: number): void {
    if (!this.has(o, n)) {
      throw new RangeError(`read of ${n} bytes at ${o} outside [${this.start}, ${this.end})`);
    }
  }
}

/**
 * A 48-bit MAC address as an exact JS number (`hi * 2**32 + lo`, below 2^53),
 * usable as a Map key without building a string per frame.
 */
export function macKey(b: Uint8Array, off: number): number {
  const hi = (b[off]! << 8) | b[off + 1]!;
  const lo = ((b[off + 2]! << 24) | (b[off + 3]! << 16) | (b[off + 4]! << 8) | b[off + 5]!) >>> 0;
  return hi * 4294967296 + lo;
}

const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** "aa:bb:cc:dd:ee:ff" from a `macKey` number. */
export function macString(mac: number): string {
  const hi = Math.floor(mac / 4294967296);
  const lo = mac >>> 0;
  return (
    HEX2[(hi >>> 8) & 0xff]! + ':' + HEX2[hi & 0xff]! + ':' +
    HEX2[lo >>> 24]! + ':' + HEX2[(lo >>> 16) & 0xff]! + ':' +
    HEX2[(lo >>> 8) & 0xff]! + ':' + HEX2[lo & 0xff]!
  );
}

/** The IPv4 address at `off` as an unsigned 32-bit number. */
export function ipv4Number(b: Uint8Array, off: number): number {
  return u32be(b, off);
}

/** Dotted quad from an unsigned 32-bit number. */
export function ipv4String(ip: number): string {
  return `${ip >>> 24}.${(ip >>> 16) & 0xff}.${(ip >>> 8) & 0xff}.${ip & 0xff}`;
}

/**
 * The 16-byte IPv6 address at `off` in RFC 5952 §4 canonical text: lowercase
 * hex, no leading zeros, the longest run of two or more zero groups (the
 * first on a tie) as "::". Like glibc's inet_ntop, which tshark prints with,
 * an address whose first 96 bits are zero (other than "::" and "::1"-like
 * runs of seven) or that is IPv4-mapped (::ffff:0:0/96) ends in dotted
 * quad (RFC 5952 §5).
 */
export function ipv6String(b: Uint8Array, off: number): string {
  const w = new Array<number>(8);
  for (let i = 0; i < 8; i++) w[i] = (b[off + 2 * i]! << 8) | b[off + 2 * i + 1]!;
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (w[i] === 0) {
      if (curBase < 0) {
        curBase = i;
        curLen = 1;
      } else {
        curLen++;
      }
      if (curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
    } else {
      curBase = -1;
      curLen = 0;
    }
  }
  if (bestLen < 2) bestBase = -1;
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) s += ':';
      continue;
    }
    if (i > 0) s += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
      s += `${b[off + 12]}.${b[off + 13]}.${b[off + 14]}.${b[off + 15]}`;
      break;
    }
    s += w[i]!.toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) s += ':';
  return s;
}

/**
 * Text out of protocol bytes, for the discovery decoders (DHCP, DNS, SSDP,
 * LLDP ...). Text fields on the wire are ASCII or UTF-8 by their specs; bytes
 * that are not valid UTF-8 become U+FFFD rather than an exception, and a NUL
 * ends the text (many DHCP clients send a C string, and tshark stops there).
 * Only getters call these: building a string is what a view avoids until an
 * analyzer asks.
 */
const UTF8 = new TextDecoder('utf-8', { fatal: false });

/** The text in `[start, end)` of `b`, cut at the first NUL; '' when the range is empty or outside `b`. */
export function text(b: Uint8Array, start: number, end: number): string {
  if (start < 0 || end > b.length || start >= end) return '';
  let e = start;
  while (e < end && b[e] !== 0) e++;
  // Plain ASCII needs no decoder (the common case for host names and headers).
  let plain = true;
  for (let i = start; i < e; i++) {
    if (b[i]! >= 0x80) {
      plain = false;
      break;
    }
  }
  if (plain) {
    let s = '';
    for (let i = start; i < e; i++) s += String.fromCharCode(b[i]!);
    return s;
  }
  return UTF8.decode(b.subarray(start, e));
}

/** Lowercase hex of `[start, end)` with `sep` between bytes ('' for none). */
export function hexText(b: Uint8Array, start: number, end: number, sep = ''): string {
  const parts: string[] = [];
  for (let i = start; i < end && i < b.length; i++) parts.push(b[i]!.toString(16).padStart(2, '0'));
  return parts.join(sep);
}

/**
 * Byte helpers for the text-based application decoders (HTTP, FTP, SSH,
 * Telnet): find a line end, compare ASCII case-insensitively, and copy out a
 * bounded Latin-1 string only when a getter is asked for one.
 */

/** Offset of the first LF in [from, end), or -1. */
export function findLf(b: Uint8Array, from: number, end: number): number {
  for (let i = from; i < end; i++) if (b[i] === 0x0a) return i;
  return -1;
}

/** True when b[off..] starts with the ASCII bytes of `lit`, compared case-insensitively, within `end`. */
export function startsWithCi(b: Uint8Array, off: number, end: number, lit: Uint8Array): boolean {
  if (end - off < lit.length) return false;
  for (let i = 0; i < lit.length; i++) {
    let c = b[off + i]!;
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== lit[i]) return false;
  }
  return true;
}

/** True when b[off..] starts with exactly the bytes of `lit`. */
export function startsWith(b: Uint8Array, off: number, end: number, lit: Uint8Array): boolean {
  if (end - off < lit.length) return false;
  for (let i = 0; i < lit.length; i++) if (b[off + i] !== lit[i]) return false;
  return true;
}

/** ASCII bytes of a literal (lower case for the *Ci comparisons). */
export function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** Offset of the first byte in [from, end) that is not a space or tab. */
export function skipOws(b: Uint8Array, from: number, end: number): number {
  let i = from;
  while (i < end && (b[i] === 0x20 || b[i] === 0x09)) i++;
  return i;
}

/**
 * [from, end) trimmed of surrounding whitespace and cut to `max` bytes, as
 * printable Latin-1 text: control bytes become '?', so a fact never carries
 * terminal escapes or line breaks.
 */
export function boundedText(b: Uint8Array, from: number, end: number, max: number): string {
  let s = from;
  let e = end;
  while (s < e && (b[s] === 0x20 || b[s] === 0x09 || b[s] === 0x0d || b[s] === 0x0a)) s++;
  while (e > s && (b[e - 1] === 0x20 || b[e - 1] === 0x09 || b[e - 1] === 0x0d || b[e - 1] === 0x0a)) e--;
  if (e - s > max) e = s + max;
  let out = '';
  for (let i = s; i < e; i++) {
    const c = b[i]!;
    out += c < 0x20 || c === 0x7f ? '?' : String.fromCharCode(c);
  }
  return out;
}

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

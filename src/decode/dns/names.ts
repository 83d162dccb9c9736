/**
 * DNS names on the wire (RFC 1035 §3.1, §4.1.4): length-prefixed labels
 * ending in a zero byte, or a two-byte pointer (top bits 11) to an earlier
 * name in the same message. Shared by DNS, mDNS, NBNS and DHCP option 81.
 *
 * Every walk is bounded: a name of more than MAX_NAME_LENGTH bytes, more than
 * MAX_POINTERS jumps (a loop), a pointer outside the message or a reserved
 * label type (01, 10: RFC 6891 §5 retired extended labels) is an error code,
 * never an exception and never an endless loop.
 */
import { text } from '../text.js';

/** RFC 1035 §2.3.4: 255 bytes of name in wire form. */
export const MAX_NAME_LENGTH = 255;
/**
 * Jumps followed per name. A name has at most 127 labels, so a legal name
 * needs far fewer; 32 matches what resolvers such as Unbound allow
 * (MAX_COMPRESS_PTRS is 256 there, Knot and glibc use far less).
 */
export const MAX_POINTERS = 32;

/** Why a name could not be read; the decoder turns these into `<layer>.<code>` anomalies. */
export type NameError = 'truncated_name' | 'bad_label' | 'name_loop' | 'name_too_long' | 'bad_pointer';

const NAME_ERRORS: ReadonlySet<string> = new Set(['truncated_name', 'bad_label', 'name_loop', 'name_too_long', 'bad_pointer']);

export function isNameError(r: string | number): r is NameError {
  return typeof r === 'string' && NAME_ERRORS.has(r);
}

/**
 * Checks the name at `pos` of the message that starts at `msg` and ends at
 * `end`. Returns the offset after the name in place (after its pointer, if
 * it has one), or the error.
 */
export function skipName(b: Uint8Array, msg: number, pos: number, end: number): number | NameError {
  let p = pos;
  let after = -1;
  let jumps = 0;
  let total = 1;
  for (;;) {
    if (p >= end) return 'truncated_name';
    const len = b[p]!;
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (p + 2 > end) return 'truncated_name';
      if (++jumps > MAX_POINTERS) return 'name_loop';
      const target = msg + (((len & 0x3f) << 8) | b[p + 1]!);
      if (after < 0) after = p + 2;
      // A pointer must land inside the message, before the pointer itself
      // (RFC 1035 §4.1.4 "a prior occurrence"); this also rules out loops
      // that only move forward, so MAX_POINTERS only bounds backward chains.
      if (target >= p || target >= end) return 'bad_pointer';
      p = target;
      continue;
    }
    if (kind !== 0) return 'bad_label';
    if (len === 0) return after < 0 ? p + 1 : after;
    total += len + 1;
    if (total > MAX_NAME_LENGTH) return 'name_too_long';
    if (p + 1 + len > end) return 'truncated_name';
    p += 1 + len;
  }
}

/**
 * The labels of a name that `skipName` accepted, outermost first, as raw
 * offsets: `[start, end)` pairs. Returns [] for the root.
 */
export function nameLabels(b: Uint8Array, msg: number, pos: number, end: number): Array<readonly [number, number]> {
  const out: Array<readonly [number, number]> = [];
  let p = pos;
  for (let guard = 0; guard < 2 * MAX_NAME_LENGTH && p < end; guard++) {
    const len = b[p]!;
    if ((len & 0xc0) === 0xc0) {
      if (p + 1 >= end) break;
      const target = msg + (((len & 0x3f) << 8) | b[p + 1]!);
      if (target >= p) break;
      p = target;
      continue;
    }
    if (len === 0 || (len & 0xc0) !== 0 || p + 1 + len > end) break;
    out.push([p + 1, p + 1 + len]);
    p += 1 + len;
  }
  return out;
}

/** The name as dotted text, without the trailing dot ('' for the root), as tshark prints `dns.qry.name`. */
export function nameText(b: Uint8Array, msg: number, pos: number, end: number): string {
  return nameLabels(b, msg, pos, end).map(([s, e]) => labelText(b, s, e)).join('.');
}

/** One label's text; a NUL inside a label does not end it (names are binary, RFC 2181 §11). */
export function labelText(b: Uint8Array, s: number, e: number): string {
  let out = '';
  let from = s;
  for (let i = s; i <= e; i++) {
    if (i === e || b[i] === 0) {
      out += text(b, from, i);
      if (i < e) out += '\\000';
      from = i + 1;
    }
  }
  return out;
}

/**
 * An uncompressed wire name in `[start, end)` (DHCP option 81 with the E
 * flag, RFC 4702 §2.3; DHCPv6 option 39, RFC 4704 §4.2): dotted text, a
 * trailing dot when the name is complete (ends in the root label), none
 * when it is a partial name. An error code when it is malformed.
 */
export function decodeWireName(b: Uint8Array, start: number, end: number): string | NameError {
  const labels: string[] = [];
  let p = start;
  let total = 1;
  while (p < end) {
    const len = b[p]!;
    if ((len & 0xc0) !== 0) return 'bad_label';
    if (len === 0) return labels.join('.') + '.';
    total += len + 1;
    if (total > MAX_NAME_LENGTH) return 'name_too_long';
    if (p + 1 + len > end) return 'truncated_name';
    labels.push(labelText(b, p + 1, p + 1 + len));
    p += 1 + len;
  }
  return labels.join('.');
}

/**
 * Definite-length BER/DER TLV headers (ITU-T X.690 §8.1), shared by SNMP
 * (RFC 3416 uses BER) and X.509 certificates (DER). Low tag numbers only
 * (< 31, §8.1.2.3): neither protocol needs more here. Nothing throws: a bad
 * header is -1.
 */

/**
 * Length of the TLV header at `off` (tag byte plus length octets), or -1
 * when the header is cut by `end`, uses the high-tag form, the indefinite
 * length, or more than three length octets (16 MB is beyond any message here).
 */
export function berHeaderLength(b: Uint8Array, off: number, end: number): number {
  if (off + 2 > end) return -1;
  if ((b[off]! & 0x1f) === 0x1f) return -1;
  const l = b[off + 1]!;
  if (l < 0x80) return 2;
  const n = l & 0x7f;
  if (n === 0 || n > 3 || off + 2 + n > end) return -1;
  return 2 + n;
}

/** The content length of the TLV at `off`, whose header `berHeaderLength` accepted. */
export function berContentLength(b: Uint8Array, off: number): number {
  const l = b[off + 1]!;
  if (l < 0x80) return l;
  const n = l & 0x7f;
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 256 + b[off + 2 + i]!;
  return v;
}

/** Dotted text of the OID content [off, off+len) (X.690 §8.19), or undefined when malformed. */
export function oidText(b: Uint8Array, off: number, len: number): string | undefined {
  if (len <= 0 || len > 128) return undefined;
  const parts: number[] = [];
  let v = 0;
  let first = true;
  for (let i = off; i < off + len; i++) {
    const c = b[i]!;
    v = v * 128 + (c & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER / 128) return undefined;
    if ((c & 0x80) === 0) {
      if (first) {
        const x = v < 40 ? 0 : v < 80 ? 1 : 2;
        parts.push(x, v - 40 * x);
        first = false;
      } else parts.push(v);
      v = 0;
    } else if (i === off + len - 1) return undefined;
  }
  return parts.join('.');
}

/** True when [off, off+len) holds exactly the bytes of `want`. */
export function bytesEqual(b: Uint8Array, off: number, len: number, want: Uint8Array): boolean {
  if (len !== want.length) return false;
  for (let i = 0; i < len; i++) if (b[off + i] !== want[i]) return false;
  return true;
}

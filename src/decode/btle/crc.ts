/**
 * The LE Link Layer CRC-24 (Core Spec 5.4 Vol 6 Part B §3.1.1): polynomial
 * x^24 + x^10 + x^9 + x^6 + x^4 + x^3 + x + 1 over the PDU, bits least
 * significant first, register preset with CRCInit (0x555555 on the
 * advertising channels). Table-driven over the bit-reversed register, so one
 * lookup per byte.
 */

/** The polynomial taps in the reversed (LSB-first) register, as ubertooth and crackle write it. */
const REVERSED_POLY = 0xda6000;

function reverse24(x: number): number {
  let r = 0;
  for (let i = 0; i < 24; i++) if ((x >>> i) & 1) r |= 1 << (23 - i);
  return r >>> 0;
}

const TABLE: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let b = 0; b < 256; b++) {
    let s = b;
    for (let i = 0; i < 8; i++) s = s & 1 ? (s >>> 1) ^ REVERSED_POLY : s >>> 1;
    t[b] = s;
  }
  return t;
})();

/**
 * The CRC of `bytes[start, end)` as the three bytes appear on air after the
 * PDU, read little-endian (byte 0 | byte 1 << 8 | byte 2 << 16).
 */
export function bleCrc24(bytes: Uint8Array, start: number, end: number, crcInit: number): number {
  let s = reverse24(crcInit & 0xffffff);
  for (let i = start; i < end; i++) s = (s >>> 8) ^ TABLE[(s ^ bytes[i]!) & 0xff]!;
  return s & 0xffffff;
}

/**
 * LINKTYPE_PPI (192), the Per-Packet Information header (PPI Header Format
 * 1.0.10, CACE Technologies, §3.1): version (u8, 0), flags (u8), length
 * (u16 LE, the whole PPI header with its fields), DLT (u32 LE) of the packet
 * that follows. The fields themselves (802.11 common, GPS ...) are skipped;
 * the DLT is the route key, so `ppi`/147 reaches the raw BLE LL decoder for
 * Ubertooth's legacy files (crackle), and other media can add their rows.
 */
import { u16le, u32le } from '../bytes.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';

export const PPI_HEADER_LEN = 8;
/** DLT_USER0: what Ubertooth wrote inside PPI for raw LE LL packets (crackle's test captures). */
export const PPI_DLT_USER0 = 147;

export class PpiView implements Layer {
  readonly name = 'ppi';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey: number;
  readonly altKey = -1;

  constructor(bytes: Uint8Array, offset: number, payloadOffset: number, end: number) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = payloadOffset;
    this.payloadEnd = end;
    this.nextKey = u32le(bytes, offset + 4);
  }

  get version(): number {
    return this.bytes[this.offset]!;
  }

  get headerLength(): number {
    return u16le(this.bytes, this.offset + 2);
  }

  get dlt(): number {
    return this.nextKey;
  }
}

class PpiDecoder implements Decoder {
  readonly name = 'ppi';

  decode(bytes: Uint8Array, offset: number, end: number, _ctx: DecodeContext): PpiView | Anomaly {
    const have = end - offset;
    if (have < PPI_HEADER_LEN) return anomaly('ppi.truncated_header', 'ppi', offset, PPI_HEADER_LEN, have);
    if (bytes[offset] !== 0) return anomaly('ppi.bad_version', 'ppi', offset);
    const len = u16le(bytes, offset + 2);
    if (len < PPI_HEADER_LEN) return anomaly('ppi.bad_length', 'ppi', offset + 2);
    if (len > have) return anomaly('ppi.bad_length', 'ppi', offset + 2, len, have);
    return new PpiView(bytes, offset, offset + len, end);
  }
}

export const ppiDecoder: Decoder = new PpiDecoder();

/**
 * Per-Packet Information (LINKTYPE_PPI, 192; the CACE PPI Header Format
 * Specification 1.0.10): version 0, flags, header length and the DLT of
 * what follows, all little-endian, then TLV fields. The 802.11-Common field
 * (type 2, 20 octets, §4.1.2) gives TSF, flags (FCS present 0x1, FCS
 * invalid 0x4), rate, channel frequency and dBm signal and noise. The frame
 * after the header routes on its DLT: 105 is 802.11, and 147 (DLT_USER0) is
 * what Ubertooth wrote for raw LE LL packets (crackle's captures).
 */
import { u16le, u32le } from '../bytes.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';
import { channelOfFreq } from '../radiotap/consts.js';

export const PPI_HEADER_LEN = 8;
export const PPI_80211_COMMON = 2;
export const PPI_BAD_FCS = 'ppi.bad_fcs';
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
  readonly note: string | undefined;
  /** Offset of the 802.11-Common field's data, or -1. */
  readonly common: number;

  constructor(bytes: Uint8Array, offset: number, hdr: number, end: number, dlt: number, common: number) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = offset + hdr;
    this.common = common;
    const flags = common >= 0 ? u16le(bytes, common + 8) : 0;
    this.payloadEnd = (flags & 1) !== 0 && end - this.payloadOffset >= 4 ? end - 4 : end;
    const bad = (flags & 4) !== 0;
    this.nextKey = bad ? -1 : dlt;
    this.note = bad ? PPI_BAD_FCS : undefined;
  }

  get version(): number {
    return this.bytes[this.offset]!;
  }

  /** The whole PPI header with its fields, in octets. */
  get headerLength(): number {
    return u16le(this.bytes, this.offset + 2);
  }

  get dlt(): number {
    return u32le(this.bytes, this.offset + 4);
  }

  get freq(): number | undefined {
    return this.common >= 0 ? u16le(this.bytes, this.common + 12) : undefined;
  }

  get channel(): number {
    const f = this.freq;
    return f === undefined ? -1 : channelOfFreq(f);
  }

  get signal(): number | undefined {
    if (this.common < 0) return undefined;
    const s = this.bytes[this.common + 18]!;
    return s > 127 ? s - 256 : s;
  }
}

class PpiDecoder implements Decoder {
  readonly name = 'ppi';

  decode(bytes: Uint8Array, offset: number, end: number, _ctx: DecodeContext): PpiView | Anomaly {
    const have = end - offset;
    if (have < PPI_HEADER_LEN) return anomaly('ppi.truncated_header', 'ppi', offset, PPI_HEADER_LEN, have);
    if (bytes[offset] !== 0) return anomaly('ppi.bad_version', 'ppi', offset, 0, 0);
    const len = u16le(bytes, offset + 2);
    if (len < PPI_HEADER_LEN) return anomaly('ppi.bad_length', 'ppi', offset + 2, PPI_HEADER_LEN, len);
    if (len > have) return anomaly('ppi.truncated_header', 'ppi', offset, len, have);
    let p = offset + PPI_HEADER_LEN;
    const limit = offset + len;
    let common = -1;
    while (p + 4 <= limit) {
      const t = u16le(bytes, p);
      const n = u16le(bytes, p + 2);
      if (p + 4 + n > limit) return anomaly('ppi.bad_field_length', 'ppi', p, 4 + n, limit - p);
      if (t === PPI_80211_COMMON && n >= 20 && common < 0) common = p + 4;
      p += 4 + n;
    }
    return new PpiView(bytes, offset, len, end, u32le(bytes, offset + 4), common);
  }
}

export const ppiDecoder: Decoder = new PpiDecoder();

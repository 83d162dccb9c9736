/**
 * The IEEE 802.15.4 TAP pseudo-header, LINKTYPE 283
 * (github.com/jkcko/ieee802.15.4-tap, "IEEE 802.15.4 TAP Link Type
 * Specification"): version 0, a reserved byte, the header length
 * (little-endian, TLVs included), then TLVs of type (2), length (2) and a
 * value padded to 4 bytes. The FCS Type TLV (type 0) says whether the
 * 802.15.4 frame after the header ends in no FCS (0), a 16-bit (1) or a
 * 32-bit FCS (2); that is the route key. Without it, the specification's
 * default is a 16-bit FCS.
 */
import { u16le } from '../bytes.js';
import { TapTlv } from '../ieee802154/consts.js';
import { anomaly, type Anomaly, type Decoder, type Layer } from '../types.js';

export const LAYER = 'ieee802154-tap';

export class Ieee802154TapView implements Layer {
  readonly name = LAYER;
  readonly altKey = -1;
  /** Route key: FCS type 0 none, 1 16-bit, 2 32-bit. */
  nextKey = 1;
  payloadOffset: number;
  payloadEnd: number;
  warning: Anomaly | undefined = undefined;
  /** Channel number and page (TLV 3), -1 when absent. */
  channel = -1;
  page = -1;
  /** Received signal strength in dBm (TLV 1, a float32), NaN when absent. */
  rss = Number.NaN;
  /** Link quality indicator 0..255 (TLV 10), -1 when absent. */
  lqi = -1;
  /** TLV types seen, in order. */
  readonly tlvs: number[] = [];

  constructor(readonly bytes: Uint8Array, readonly offset: number, headerLen: number, end: number) {
    this.payloadOffset = offset + headerLen;
    this.payloadEnd = end;
  }
}

class TapDecoder implements Decoder {
  readonly name = LAYER;

  decode(b: Uint8Array, offset: number, end: number): Ieee802154TapView | Anomaly {
    const have = end - offset;
    if (have < 4) return anomaly('ieee802154-tap.truncated_header', LAYER, offset, 4, have);
    if (b[offset] !== 0) return anomaly('ieee802154-tap.bad_version', LAYER, offset, 0, b[offset]!);
    const hlen = u16le(b, offset + 2);
    if (hlen < 4 || hlen % 4 !== 0) return anomaly('ieee802154-tap.bad_length', LAYER, offset + 2, 4, hlen);
    if (hlen > have) return anomaly('ieee802154-tap.truncated_header', LAYER, offset, hlen, have);
    const v = new Ieee802154TapView(b, offset, hlen, end);
    const hend = offset + hlen;
    let o = offset + 4;
    while (o + 4 <= hend) {
      const type = u16le(b, o);
      const len = u16le(b, o + 2);
      const padded = (len + 3) & ~3;
      if (o + 4 + padded > hend) return anomaly('ieee802154-tap.truncated_tlv', LAYER, o, 4 + padded, hend - o);
      const val = o + 4;
      v.tlvs.push(type);
      if (type === TapTlv.fcsType && len >= 1) {
        const f = b[val]!;
        if (f > 2) return anomaly('ieee802154-tap.bad_fcs_type', LAYER, val, 0, f);
        v.nextKey = f;
      } else if (type === TapTlv.rss && len >= 4) {
        v.rss = Buffer.from(b.buffer, b.byteOffset + val, 4).readFloatLE(0);
      } else if (type === TapTlv.channel && len >= 3) {
        v.channel = u16le(b, val);
        v.page = b[val + 2]!;
      } else if (type === TapTlv.lqi && len >= 1) {
        v.lqi = b[val]!;
      }
      o += 4 + padded;
    }
    if (o !== hend) v.warning = anomaly('ieee802154-tap.bad_length', LAYER, o, 4, hend - o);
    return v;
  }
}

export const ieee802154TapDecoder: Decoder = new TapDecoder();

/**
 * LINKTYPE_IEEE802_15_4_NONASK_PHY (215, tcpdump.org/linktypes.html): the
 * O-QPSK PHY header in front of the MAC frame (IEEE 802.15.4-2020 §12.1):
 * a 4-byte preamble, the start-of-frame delimiter 0xA7, and the PHR whose
 * low 7 bits are the PSDU length (FCS included). The MAC frame follows with
 * a 16-bit FCS; the route key is always 1 (a 16-bit FCS, as in the TAP routes).
 */
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';

export const LAYER = 'ieee802154-phy';
export const SFD = 0xa7;
const HEADER_LEN = 6;

export class Ieee802154PhyView implements Layer {
  readonly name = LAYER;
  readonly nextKey = 1;
  readonly altKey = -1;
  readonly payloadOffset: number;
  constructor(readonly bytes: Uint8Array, readonly offset: number, readonly payloadEnd: number, readonly warning: Anomaly | undefined) {
    this.payloadOffset = offset + HEADER_LEN;
  }

  /** The PHR frame length (PSDU octets). */
  get frameLength(): number {
    return this.bytes[this.offset + 5]! & 0x7f;
  }
}

class PhyDecoder implements Decoder {
  readonly name = LAYER;

  decode(b: Uint8Array, offset: number, end: number, ctx: DecodeContext): Ieee802154PhyView | Anomaly {
    const have = end - offset;
    if (have < HEADER_LEN) return anomaly('ieee802154-phy.truncated_header', LAYER, offset, HEADER_LEN, have);
    if (b[offset + 4] !== SFD) return anomaly('ieee802154-phy.bad_sfd', LAYER, offset + 4, 0, b[offset + 4]!);
    const len = b[offset + 5]! & 0x7f;
    let payloadEnd = offset + HEADER_LEN + len;
    let warning: Anomaly | undefined;
    if (payloadEnd > end) {
      if (ctx.frame.bytes.length >= ctx.frame.origLen) warning = anomaly('ieee802154-phy.bad_length', LAYER, offset + 5, len, have - HEADER_LEN);
      payloadEnd = end;
    }
    return new Ieee802154PhyView(b, offset, payloadEnd, warning);
  }
}

export const ieee802154PhyDecoder: Decoder = new PhyDecoder();

/**
 * IEEE 802.1Q VLAN tag (IEEE 802.1Q-2018 §9.6): after the parent's TPID
 * (0x8100 C-tag, 0x88a8 S-tag, 0x9100 pre-standard), two bytes of TCI
 * (PCP 3 bits, DEI 1 bit, VID 12 bits) and the encapsulated type/length.
 * Stacked tags (802.1ad QinQ) are a vlan layer routed to another vlan layer.
 */
import { u16be } from '../bytes.js';
import { ETHER_KEY_LLC, ETHER_MAX_LENGTH, ETHERTYPE_MIN } from '../ethernet/consts.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';

export const VLAN_TAG_LEN = 4;

export class VlanView implements Layer {
  readonly name = 'vlan';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey: number;
  readonly altKey: number;
  /** `vlan.bad_length` when an inner 802.3 length field exceeds an unsnapped frame. */
  readonly warning: Anomaly | undefined;

  constructor(bytes: Uint8Array, offset: number, payloadEnd: number, nextKey: number, warning?: Anomaly) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = offset + VLAN_TAG_LEN;
    this.payloadEnd = payloadEnd;
    this.nextKey = nextKey;
    this.altKey = -1;
    this.warning = warning;
  }

  get tci(): number {
    return u16be(this.bytes, this.offset);
  }

  /** Priority code point (IEEE 802.1Q-2018 §6.9.3). */
  get pcp(): number {
    return this.bytes[this.offset]! >>> 5;
  }

  /** Drop eligible indicator. */
  get dei(): boolean {
    return (this.bytes[this.offset]! & 0x10) !== 0;
  }

  /** VLAN identifier, 0..4095 (0: priority tag only; 4095 reserved). */
  get vid(): number {
    return this.tci & 0x0fff;
  }

  /** The encapsulated type/length field. */
  get typeOrLength(): number {
    return u16be(this.bytes, this.offset + 2);
  }

  /** The inner EtherType, or -1 when the field is an 802.3 length. */
  get etherType(): number {
    const t = this.typeOrLength;
    return t >= ETHERTYPE_MIN ? t : -1;
  }
}

class VlanDecoder implements Decoder {
  readonly name = 'vlan';

  decode(bytes: Uint8Array, offset: number, end: number, ctx: DecodeContext): VlanView | Anomaly {
    const have = end - offset;
    if (have < VLAN_TAG_LEN) return anomaly('vlan.truncated_header', 'vlan', offset, VLAN_TAG_LEN, have);
    const t = u16be(bytes, offset + 2);
    if (t >= ETHERTYPE_MIN) return new VlanView(bytes, offset, end, t);
    let payloadEnd = end;
    let warning: Anomaly | undefined;
    let key = -1;
    if (t <= ETHER_MAX_LENGTH) {
      // An inner 802.3 length: LLC follows, as after an untagged header.
      key = ETHER_KEY_LLC;
      const lenEnd = offset + VLAN_TAG_LEN + t;
      if (lenEnd < end) payloadEnd = lenEnd;
      // As in the Ethernet decoder: a length past an unsnapped frame is kept with a warning.
      else if (lenEnd > end && ctx.frame.bytes.length >= ctx.frame.origLen) {
        warning = anomaly('vlan.bad_length', 'vlan', offset + 2, VLAN_TAG_LEN + t, have);
      }
    }
    return new VlanView(bytes, offset, payloadEnd, key, warning);
  }
}

export const vlanDecoder: Decoder = new VlanDecoder();

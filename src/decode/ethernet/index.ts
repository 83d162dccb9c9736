/**
 * Ethernet II / IEEE 802.3 MAC header (IEEE 802.3-2022 §3.2): destination,
 * source, then a type/length field. A trailing FCS is not assumed: capture
 * on Linux and most SPAN ports strips it, and guessing it wrong would eat
 * four bytes of payload. Bytes after an IP packet (padding to 60 bytes) are
 * left to the IP layer's own length field.
 */
import { macKey, macString, u16be } from '../bytes.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';
import { ETHER_KEY_LLC, ETHER_MAX_LENGTH, ETHERTYPE_MIN } from './consts.js';

export const ETHERNET_HEADER_LEN = 14;

/**
 * An all-zero source MAC is no station's address (IEEE 802-2014 §8.2: the
 * 0 OUI is Xerox's, and no NIC carries 00:00:00:00:00:00); it shows up from
 * broken drivers, some embedded stacks and test gear. The inventory keys
 * devices by MAC and cannot keep it, so the frames are counted here instead.
 */
export const ETHERNET_ZERO_SOURCE = 'ethernet.zero_source';

function isZeroMac(b: Uint8Array, o: number): boolean {
  return (b[o]! | b[o + 1]! | b[o + 2]! | b[o + 3]! | b[o + 4]! | b[o + 5]!) === 0;
}

export class EthernetView implements Layer {
  readonly name = 'ethernet';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey: number;
  readonly altKey: number;
  /** `ethernet.zero_source` when the source MAC is 00:00:00:00:00:00. */
  readonly note: string | undefined;
  /** `ethernet.bad_length` when an 802.3 length field exceeds an unsnapped frame. */
  readonly warning: Anomaly | undefined;

  constructor(bytes: Uint8Array, offset: number, payloadEnd: number, nextKey: number, warning?: Anomaly) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = offset + ETHERNET_HEADER_LEN;
    this.payloadEnd = payloadEnd;
    this.nextKey = nextKey;
    this.altKey = -1;
    this.note = isZeroMac(bytes, offset + 6) ? ETHERNET_ZERO_SOURCE : undefined;
    this.warning = warning;
  }

  /** Destination MAC as a `macKey` number. */
  get dst(): number {
    return macKey(this.bytes, this.offset);
  }

  /** Source MAC as a `macKey` number. */
  get src(): number {
    return macKey(this.bytes, this.offset + 6);
  }

  get dstString(): string {
    return macString(this.dst);
  }

  get srcString(): string {
    return macString(this.src);
  }

  /** The raw type/length field. */
  get typeOrLength(): number {
    return u16be(this.bytes, this.offset + 12);
  }

  /** The EtherType, or -1 when the field is an 802.3 length (the frame carries LLC). */
  get etherType(): number {
    const t = this.typeOrLength;
    return t >= ETHERTYPE_MIN ? t : -1;
  }

  /** True for an IEEE 802.3 frame with a length field (LLC follows). */
  get isLlc(): boolean {
    return this.typeOrLength < ETHERTYPE_MIN;
  }
}

class EthernetDecoder implements Decoder {
  readonly name = 'ethernet';

  decode(bytes: Uint8Array, offset: number, end: number, ctx: DecodeContext): EthernetView | Anomaly {
    const have = end - offset;
    if (have < ETHERNET_HEADER_LEN) {
      return anomaly('ethernet.truncated_header', 'ethernet', offset, ETHERNET_HEADER_LEN, have);
    }
    const t = u16be(bytes, offset + 12);
    if (t >= ETHERTYPE_MIN) return new EthernetView(bytes, offset, end, t);
    // IEEE 802.3-2022 §3.2.6: a value up to 1500 is the length of the LLC
    // data that follows, routed to the llc layer (ETHER_KEY_LLC); 1501..1535
    // is undefined and not routed.
    let payloadEnd = end;
    let key = -1;
    let warning: Anomaly | undefined;
    if (t <= ETHER_MAX_LENGTH) {
      key = ETHER_KEY_LLC;
      const lenEnd = offset + ETHERNET_HEADER_LEN + t;
      if (lenEnd < payloadEnd) payloadEnd = lenEnd;
      // A length past an unsnapped frame: kept with a warning, like IPv4's
      // total length (tshark: "Length field value goes past the end of the payload").
      else if (lenEnd > end && ctx.frame.bytes.length >= ctx.frame.origLen) {
        warning = anomaly('ethernet.bad_length', 'ethernet', offset + 12, ETHERNET_HEADER_LEN + t, have);
      }
    }
    return new EthernetView(bytes, offset, payloadEnd, key, warning);
  }
}

export const ethernetDecoder: Decoder = new EthernetDecoder();

/**
 * UDP header (RFC 768): ports, length (header included), checksum (not
 * verified). The payload ends at the length field; when the capture was
 * snapped it is clamped to the bytes there are. Routes on the destination
 * port, then the source port.
 */
import { u16be } from '../bytes.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';

export const UDP_HEADER_LEN = 8;

export class UdpView implements Layer {
  readonly name = 'udp';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey: number;
  readonly altKey: number;
  /** `udp.bad_length` when the length field exceeds an unsnapped frame. */
  readonly warning: Anomaly | undefined;

  constructor(bytes: Uint8Array, offset: number, payloadEnd: number, dport: number, sport: number, warning: Anomaly | undefined) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = offset + UDP_HEADER_LEN;
    this.payloadEnd = payloadEnd;
    this.nextKey = dport;
    this.altKey = sport;
    this.warning = warning;
  }

  get srcPort(): number {
    return this.altKey;
  }

  get dstPort(): number {
    return this.nextKey;
  }

  /** The length field as sent (header plus data). */
  get length(): number {
    return u16be(this.bytes, this.offset + 4);
  }

  get checksum(): number {
    return u16be(this.bytes, this.offset + 6);
  }

  get payloadLength(): number {
    return this.payloadEnd - this.payloadOffset;
  }
}

class UdpDecoder implements Decoder {
  readonly name = 'udp';

  decode(bytes: Uint8Array, offset: number, end: number, ctx: DecodeContext): UdpView | Anomaly {
    const have = end - offset;
    if (have < UDP_HEADER_LEN) return anomaly('udp.truncated_header', 'udp', offset, UDP_HEADER_LEN, have);
    const len = u16be(bytes, offset + 4);
    let payloadEnd = end;
    let warning: Anomaly | undefined;
    // Length 0 is how an IPv6 jumbogram's UDP datagram says "see the IP
    // layer" (RFC 2675 §4); take the parent's end.
    if (len !== 0) {
      if (len < UDP_HEADER_LEN) return anomaly('udp.bad_length', 'udp', offset + 4, UDP_HEADER_LEN, len);
      if (len <= have) {
        payloadEnd = offset + len;
      } else if (ctx.frame.bytes.length >= ctx.frame.origLen) {
        // Kept with a warning, like IPv4's total length.
        warning = anomaly('udp.bad_length', 'udp', offset + 4, len, have);
      }
    }
    return new UdpView(bytes, offset, payloadEnd, u16be(bytes, offset + 2), u16be(bytes, offset), warning);
  }
}

export const udpDecoder: Decoder = new UdpDecoder();

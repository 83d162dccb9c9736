/**
 * ICMP for IPv4 (RFC 792): type, code, checksum (not verified) and the
 * four-byte rest of header, 8 bytes for every message RFC 792 defines.
 * The body of an error message quotes the offending IP header and 8 bytes
 * of its payload (RFC 1122 §3.2.2); it is not routed, so an inner packet is
 * never mistaken for traffic of its own.
 */
import { u16be, u32be } from '../bytes.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';

export const ICMP_HEADER_LEN = 8;
export const ICMP_ECHO_REPLY = 0;
export const ICMP_ECHO_REQUEST = 8;

export class IcmpView implements Layer {
  readonly name = 'icmp';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey: number;
  readonly altKey: number;

  constructor(bytes: Uint8Array, offset: number, payloadEnd: number) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = offset + ICMP_HEADER_LEN;
    this.payloadEnd = payloadEnd;
    this.nextKey = -1;
    this.altKey = -1;
  }

  get type(): number {
    return this.bytes[this.offset]!;
  }

  get code(): number {
    return this.bytes[this.offset + 1]!;
  }

  get checksum(): number {
    return u16be(this.bytes, this.offset + 2);
  }

  /** Bytes 4..7, whose meaning depends on the type. */
  get restOfHeader(): number {
    return u32be(this.bytes, this.offset + 4);
  }

  /** Echo identifier (types 0 and 8). */
  get identifier(): number {
    return u16be(this.bytes, this.offset + 4);
  }

  /** Echo sequence number (types 0 and 8). */
  get sequence(): number {
    return u16be(this.bytes, this.offset + 6);
  }
}

class IcmpDecoder implements Decoder {
  readonly name = 'icmp';

  decode(bytes: Uint8Array, offset: number, end: number, _ctx: DecodeContext): IcmpView | Anomaly {
    const have = end - offset;
    if (have < ICMP_HEADER_LEN) return anomaly('icmp.truncated_header', 'icmp', offset, ICMP_HEADER_LEN, have);
    return new IcmpView(bytes, offset, end);
  }
}

export const icmpDecoder: Decoder = new IcmpDecoder();

/**
 * ICMPv6 (RFC 4443 §2.1): type, code, checksum (not verified); the message
 * body starts at byte 4. Neighbor discovery (RFC 4861 §4) is a later
 * decoder's job.
 */
import { u16be } from '../bytes.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';

export const ICMPV6_HEADER_LEN = 4;

export class Icmpv6View implements Layer {
  readonly name = 'icmpv6';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey: number;
  readonly altKey: number;

  constructor(bytes: Uint8Array, offset: number, payloadEnd: number) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = offset + ICMPV6_HEADER_LEN;
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

  /** True for error messages (types 0..127, RFC 4443 §2.1). */
  get isError(): boolean {
    return this.type < 128;
  }
}

class Icmpv6Decoder implements Decoder {
  readonly name = 'icmpv6';

  decode(bytes: Uint8Array, offset: number, end: number, _ctx: DecodeContext): Icmpv6View | Anomaly {
    const have = end - offset;
    if (have < ICMPV6_HEADER_LEN) return anomaly('icmpv6.truncated_header', 'icmpv6', offset, ICMPV6_HEADER_LEN, have);
    return new Icmpv6View(bytes, offset, end);
  }
}

export const icmpv6Decoder: Decoder = new Icmpv6Decoder();

/**
 * IPv4 header (RFC 791 §3.1). Lengths are checked in this order: the fixed
 * 20 bytes, the version, IHL >= 5, the header with options, then the total
 * length. The payload ends at the total length, not at the end of the
 * frame, so Ethernet padding is not taken for payload; when the capture was
 * snapped the payload is clamped to the bytes there are. The header checksum
 * is not verified (checksum offload makes it wrong in captures taken on
 * the sending host).
 */
import { ipv4String, u16be, u32be } from '../bytes.js';
import { IPPROTO_IGMP, IPPROTO_UDP } from './consts.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';

export const IPV4_MIN_HEADER_LEN = 20;

export const IPV4_ZERO_SOURCE = 'ipv4.zero_source';
export const IPV4_MULTICAST_SOURCE = 'ipv4.multicast_source';
export const IPV4_RESERVED_SOURCE = 'ipv4.reserved_source';

/** Flag bits in the high three bits of bytes 6..7 (RFC 791 §3.1 "Flags"). */
export const IPV4_FLAG_DF = 0x2;
export const IPV4_FLAG_MF = 0x1;

export class Ipv4View implements Layer {
  readonly name = 'ipv4';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey: number;
  readonly altKey: number;
  /** `ipv4.bad_total_length` when the total length exceeds an unsnapped frame. */
  readonly warning: Anomaly | undefined;
  /** A source address that names no host (see sourceNote). */
  readonly note: string | undefined;

  constructor(
    bytes: Uint8Array, offset: number, payloadOffset: number, payloadEnd: number, nextKey: number, warning: Anomaly | undefined,
    note?: string,
  ) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = payloadOffset;
    this.payloadEnd = payloadEnd;
    this.nextKey = nextKey;
    this.altKey = -1;
    this.warning = warning;
    this.note = note;
  }

  /** Header length in bytes (IHL * 4). */
  get headerLength(): number {
    return (this.bytes[this.offset]! & 0x0f) << 2;
  }

  get tos(): number {
    return this.bytes[this.offset + 1]!;
  }

  /** Differentiated services code point (RFC 2474 §3). */
  get dscp(): number {
    return this.tos >>> 2;
  }

  /** ECN bits (RFC 3168 §5). */
  get ecn(): number {
    return this.tos & 0x3;
  }

  /** The total length field as sent (0 on some TSO captures, see the decoder). */
  get totalLength(): number {
    return u16be(this.bytes, this.offset + 2);
  }

  get id(): number {
    return u16be(this.bytes, this.offset + 4);
  }

  /** The three flag bits: reserved, DF (2), MF (1). */
  get flags(): number {
    return this.bytes[this.offset + 6]! >>> 5;
  }

  get dontFragment(): boolean {
    return (this.flags & IPV4_FLAG_DF) !== 0;
  }

  get moreFragments(): boolean {
    return (this.flags & IPV4_FLAG_MF) !== 0;
  }

  /** Fragment offset field, in units of 8 bytes. */
  get fragmentOffset(): number {
    return u16be(this.bytes, this.offset + 6) & 0x1fff;
  }

  /** True for any fragment, first or not. */
  get isFragment(): boolean {
    return this.moreFragments || this.fragmentOffset !== 0;
  }

  get ttl(): number {
    return this.bytes[this.offset + 8]!;
  }

  get protocol(): number {
    return this.bytes[this.offset + 9]!;
  }

  /** The header checksum as sent; not verified. */
  get checksum(): number {
    return u16be(this.bytes, this.offset + 10);
  }

  /** Source address as an unsigned 32-bit number. */
  get src(): number {
    return u32be(this.bytes, this.offset + 12);
  }

  /** Destination address as an unsigned 32-bit number. */
  get dst(): number {
    return u32be(this.bytes, this.offset + 16);
  }

  get srcString(): string {
    return ipv4String(this.src);
  }

  get dstString(): string {
    return ipv4String(this.dst);
  }

  /** Options occupy [offset + 20, payloadOffset). */
  get optionsOffset(): number {
    return this.offset + IPV4_MIN_HEADER_LEN;
  }
}

/**
 * Whether there is an upper-layer header to route to. RFC 791 §3.1 defines
 * Total Length as the datagram's length including the header, so a total
 * length equal to IHL * 4 is a valid datagram with no data: there is nothing
 * to decode after it, and no anomaly either. A frame that ends exactly at the
 * header likewise carries no data; when the capture was snapped the data
 * existed on the wire, so it is routed and the next decoder reports the
 * truncation. tshark dissects no upper layer in either empty case.
 */
function hasPayload(total: number, hl: number, payloadOffset: number, payloadEnd: number, ctx: DecodeContext): boolean {
  if (total === hl) return false;
  if (payloadEnd > payloadOffset) return true;
  return ctx.frame.bytes.length < ctx.frame.origLen;
}

class Ipv4Decoder implements Decoder {
  readonly name = 'ipv4';

  decode(bytes: Uint8Array, offset: number, end: number, ctx: DecodeContext): Ipv4View | Anomaly {
    const have = end - offset;
    if (have < IPV4_MIN_HEADER_LEN) {
      return anomaly('ipv4.truncated_header', 'ipv4', offset, IPV4_MIN_HEADER_LEN, have);
    }
    const vihl = bytes[offset]!;
    if (vihl >>> 4 !== 4) return anomaly('ipv4.bad_version', 'ipv4', offset);
    const hl = (vihl & 0x0f) << 2;
    if (hl < IPV4_MIN_HEADER_LEN) return anomaly('ipv4.bad_ihl', 'ipv4', offset);
    if (have < hl) return anomaly('ipv4.truncated_header', 'ipv4', offset, hl, have);
    const total = u16be(bytes, offset + 2);
    let payloadEnd = end;
    let warning: Anomaly | undefined;
    if (total !== 0) {
      if (total < hl) return anomaly('ipv4.bad_total_length', 'ipv4', offset + 2, hl, total);
      if (total <= have) {
        payloadEnd = offset + total;
      } else if (ctx.frame.bytes.length >= ctx.frame.origLen) {
        // The packet claims more bytes than the unsnapped frame holds (old
        // captures cut frames without saying so). The header is sound, so
        // keep it and say what is wrong, as tshark does.
        warning = anomaly('ipv4.bad_total_length', 'ipv4', offset + 2, total, have);
      }
    }
    // A total length of 0 is not valid per RFC 791, but captures taken on a
    // host with TCP segmentation offload show it on large segments; like
    // Wireshark, take the packet to run to the end of the frame.
    const fragWord = u16be(bytes, offset + 6);
    // Only the first fragment (offset 0) carries the upper-layer header.
    const nextKey = (fragWord & 0x1fff) === 0 && hasPayload(total, hl, offset + hl, payloadEnd, ctx) ? bytes[offset + 9]! : -1;
    const first = bytes[offset + 12]!;
    const note = first === 0 || first >= 224 ? sourceNote(bytes, offset, offset + hl, payloadEnd) : undefined;
    return new Ipv4View(bytes, offset, offset + hl, payloadEnd, nextKey, warning, note);
  }
}

/**
 * Source addresses that name no host, which the inventory cannot keep and
 * so are counted here:
 * - 0.0.0.0/8 "this network" (RFC 1122 §3.2.1.3, RFC 6890 §2.2.2) except
 *   0.0.0.0 itself where a host without an address must use it: a DHCP
 *   client (UDP 68 -> 67, RFC 2131 §4.1) and an IGMP report (RFC 3376 §4.2.13);
 * - 224.0.0.0/4 multicast, never a source (RFC 1112 §4);
 * - 240.0.0.0/4 reserved (RFC 1112 §4, RFC 6890 §2.2.2) except the limited
 *   broadcast 255.255.255.255, which is a destination and counted nowhere.
 */
function sourceNote(bytes: Uint8Array, offset: number, payloadOffset: number, payloadEnd: number): string | undefined {
  const src = u32be(bytes, offset + 12);
  if (src >>> 24 === 0) {
    if (src !== 0) return IPV4_ZERO_SOURCE;
    const proto = bytes[offset + 9]!;
    if (proto === IPPROTO_IGMP) return undefined;
    const dhcp = proto === IPPROTO_UDP && payloadEnd - payloadOffset >= 4
      && u16be(bytes, payloadOffset) === 68 && u16be(bytes, payloadOffset + 2) === 67;
    return dhcp ? undefined : IPV4_ZERO_SOURCE;
  }
  if (src >>> 28 === 0xe) return IPV4_MULTICAST_SOURCE;
  return src === 0xffffffff ? undefined : IPV4_RESERVED_SOURCE;
}

export const ipv4Decoder: Decoder = new Ipv4Decoder();

/**
 * IPv6 header and extension headers (RFC 8200 §3, §4). The decoder walks
 * hop-by-hop options (0), routing (43), fragment (44), destination options
 * (60) and AH (51, RFC 4302 §2.2, whose length is in 4-byte units), so that
 * `nextKey` is the upper-layer protocol and `payloadOffset` where it starts.
 * ESP (50) and "no next header" (59) end the walk: nothing after them can be
 * read. A non-first fragment has nextKey -1, like IPv4.
 */
import { ipv6String, u16be, u32be } from '../bytes.js';
import {
  IPPROTO_AH, IPPROTO_DSTOPTS, IPPROTO_FRAGMENT, IPPROTO_HOPOPTS, IPPROTO_ROUTING,
} from '../ipv4/consts.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';

export const IPV6_HEADER_LEN = 40;
const FRAGMENT_HEADER_LEN = 8;

export class Ipv6View implements Layer {
  readonly name = 'ipv6';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey: number;
  readonly altKey: number;
  /** The upper-layer protocol after the extension headers (also for non-first fragments). */
  readonly protocol: number;
  /** Offset of the fragment extension header, or -1 when there is none. */
  readonly fragmentHeaderOffset: number;
  /** Number of extension headers walked. */
  readonly extensionCount: number;
  /** `ipv6.bad_payload_length` when the payload length exceeds an unsnapped frame. */
  readonly warning: Anomaly | undefined;

  constructor(
    bytes: Uint8Array, offset: number, payloadOffset: number, payloadEnd: number,
    nextKey: number, protocol: number, fragmentHeaderOffset: number, extensionCount: number,
    warning: Anomaly | undefined,
  ) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = payloadOffset;
    this.payloadEnd = payloadEnd;
    this.nextKey = nextKey;
    this.altKey = -1;
    this.protocol = protocol;
    this.fragmentHeaderOffset = fragmentHeaderOffset;
    this.extensionCount = extensionCount;
    this.warning = warning;
  }

  get trafficClass(): number {
    return (u16be(this.bytes, this.offset) >>> 4) & 0xff;
  }

  get flowLabel(): number {
    return u32be(this.bytes, this.offset) & 0xfffff;
  }

  get payloadLength(): number {
    return u16be(this.bytes, this.offset + 4);
  }

  /** The Next Header field of the fixed header (the first extension header, if any). */
  get nextHeader(): number {
    return this.bytes[this.offset + 6]!;
  }

  get hopLimit(): number {
    return this.bytes[this.offset + 7]!;
  }

  get srcOffset(): number {
    return this.offset + 8;
  }

  get dstOffset(): number {
    return this.offset + 24;
  }

  get srcString(): string {
    return ipv6String(this.bytes, this.offset + 8);
  }

  get dstString(): string {
    return ipv6String(this.bytes, this.offset + 24);
  }

  get isFragment(): boolean {
    return this.fragmentHeaderOffset >= 0;
  }

  /** Fragment offset in 8-byte units (RFC 8200 §4.5); 0 when not a fragment. */
  get fragmentOffset(): number {
    return this.fragmentHeaderOffset < 0 ? 0 : u16be(this.bytes, this.fragmentHeaderOffset + 2) >>> 3;
  }

  get moreFragments(): boolean {
    return this.fragmentHeaderOffset >= 0 && (this.bytes[this.fragmentHeaderOffset + 3]! & 1) !== 0;
  }

  get fragmentId(): number {
    return this.fragmentHeaderOffset < 0 ? 0 : u32be(this.bytes, this.fragmentHeaderOffset + 4);
  }

  /**
   * The Next Header values in order: the fixed header's, then each walked
   * extension header's (RFC 8200 §4), e.g. [0, 43, 6] for hop-by-hop,
   * routing, TCP. Walks the headers again, so it is for tests and tools,
   * not the per-frame path.
   */
  get nextHeaderChain(): number[] {
    const out = [this.nextHeader];
    let p = this.offset + IPV6_HEADER_LEN;
    for (let i = 0; i < this.extensionCount; i++) {
      const nh = out[out.length - 1]!;
      out.push(this.bytes[p]!);
      p += extensionLength(nh, this.bytes, p);
    }
    return out;
  }
}

function isExtension(nh: number): boolean {
  return nh === IPPROTO_HOPOPTS || nh === IPPROTO_ROUTING || nh === IPPROTO_DSTOPTS || nh === IPPROTO_FRAGMENT || nh === IPPROTO_AH;
}

/**
 * Length of the extension header of type `nh` at `p`: 8 for a fragment
 * header (RFC 8200 §4.5), (Hdr Ext Len + 1) * 8 for hop-by-hop, routing and
 * destination options (§4.3, §4.4, §4.6), (Payload Len + 2) * 4 for AH
 * (RFC 4302 §2.2). The caller has checked that byte p + 1 is there.
 */
function extensionLength(nh: number, bytes: Uint8Array, p: number): number {
  if (nh === IPPROTO_FRAGMENT) return FRAGMENT_HEADER_LEN;
  if (nh === IPPROTO_AH) return (bytes[p + 1]! + 2) << 2;
  return (bytes[p + 1]! + 1) << 3;
}

class Ipv6Decoder implements Decoder {
  readonly name = 'ipv6';

  decode(bytes: Uint8Array, offset: number, end: number, ctx: DecodeContext): Ipv6View | Anomaly {
    const have = end - offset;
    if (have < IPV6_HEADER_LEN) return anomaly('ipv6.truncated_header', 'ipv6', offset, IPV6_HEADER_LEN, have);
    if (bytes[offset]! >>> 4 !== 6) return anomaly('ipv6.bad_version', 'ipv6', offset);
    const plen = u16be(bytes, offset + 4);
    let payloadEnd = end;
    let warning: Anomaly | undefined;
    // A payload length of 0 with a hop-by-hop header is a jumbogram
    // (RFC 2675 §2); its real length is in an option. Take the frame's end.
    if (plen !== 0) {
      const want = offset + IPV6_HEADER_LEN + plen;
      if (want <= end) {
        payloadEnd = want;
      } else if (ctx.frame.bytes.length >= ctx.frame.origLen) {
        // Kept with a warning, like IPv4's total length.
        warning = anomaly('ipv6.bad_payload_length', 'ipv6', offset + 4, IPV6_HEADER_LEN + plen, have);
      }
    }
    let nh = bytes[offset + 6]!;
    let p = offset + IPV6_HEADER_LEN;
    let fragOff = -1;
    let count = 0;
    let firstFragment = true;
    // Every extension header is at least 8 bytes, so this loop ends.
    for (;;) {
      if (!isExtension(nh)) break;
      if (nh !== IPPROTO_FRAGMENT && payloadEnd - p < 2) return anomaly('ipv6.truncated_extension', 'ipv6', p, 2, payloadEnd - p);
      const len = extensionLength(nh, bytes, p);
      if (payloadEnd - p < len) return anomaly('ipv6.truncated_extension', 'ipv6', p, len, payloadEnd - p);
      if (nh === IPPROTO_FRAGMENT) {
        fragOff = p;
        if ((u16be(bytes, p + 2) >>> 3) !== 0) firstFragment = false;
      }
      nh = bytes[p]!;
      p += len;
      count++;
      // A non-first fragment's data continues the upper-layer payload
      // mid-stream: it carries no further header to walk.
      if (!firstFragment) break;
    }
    return new Ipv6View(bytes, offset, p, payloadEnd, firstFragment ? nh : -1, nh, fragOff, count, warning);
  }
}

export const ipv6Decoder: Decoder = new Ipv6Decoder();

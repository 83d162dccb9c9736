/**
 * Raw IP link types (LINKTYPE_RAW 101, and the DLT values 12 and 14 that
 * some systems wrote for it): the frame is an IP packet and its version
 * nibble says which (tcpdump.org/linktypes/LINKTYPE_RAW.html). This decoder
 * adds no layer of its own: it hands the bytes to the IPv4 or IPv6 decoder,
 * so the frame's first layer is `ipv4` or `ipv6`, routed from there as usual.
 */
import { ipv4Decoder } from '../ipv4/index.js';
import { ipv6Decoder } from '../ipv6/index.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';

class RawIpDecoder implements Decoder {
  readonly name = 'raw';

  decode(bytes: Uint8Array, offset: number, end: number, ctx: DecodeContext): Layer | Anomaly | undefined {
    if (end - offset < 1) return anomaly('raw.truncated_header', 'raw', offset, 1, end - offset);
    const v = bytes[offset]! >>> 4;
    if (v === 4) return ipv4Decoder.decode(bytes, offset, end, ctx);
    if (v === 6) return ipv6Decoder.decode(bytes, offset, end, ctx);
    return anomaly('raw.bad_version', 'raw', offset);
  }
}

export const rawIpDecoder: Decoder = new RawIpDecoder();

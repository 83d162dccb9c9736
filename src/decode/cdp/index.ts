/**
 * Cisco Discovery Protocol, versions 1 and 2, over 802.3 + LLC/SNAP
 * (OUI 00-00-0C, PID 0x2000): a 4-byte header (version, TTL, checksum) and
 * TLVs of type(2) length(2, header included) value. Sent by Cisco
 * switches and routers, and by Cisco phones and some medical carts' access
 * points. A TLV that runs past the frame ends the walk with
 * `cdp.truncated_tlv`; the TLVs before it stay readable.
 */
import { ipv4String, ipv6String, u16be, u32be } from '../bytes.js';
import { text } from '../text.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';
import {
  CDP_ADDRESSES, CDP_CAPABILITIES, CDP_CAPABILITIES_BITS, CDP_DEVICE_ID, CDP_HEADER_LEN, CDP_MAX_ADDRESSES,
  CDP_MAX_TLVS, CDP_NATIVE_VLAN, CDP_NETWORK_MASK, CDP_PLATFORM, CDP_PORT_ID, CDP_PROTO_8022, CDP_PROTO_NLPID,
  CDP_SOFTWARE_VERSION, NLPID_IPV4,
} from './consts.js';

export class CdpView implements Layer {
  readonly name = 'cdp';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey = -1;
  readonly altKey = -1;
  readonly warning: Anomaly | undefined;
  readonly tlvEnd: number;

  constructor(bytes: Uint8Array, offset: number, end: number, tlvEnd: number, warning: Anomaly | undefined) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = end;
    this.payloadEnd = end;
    this.tlvEnd = tlvEnd;
    this.warning = warning;
  }

  get version(): number {
    return this.bytes[this.offset]!;
  }

  get ttl(): number {
    return this.bytes[this.offset + 1]!;
  }

  /** The value of the first TLV `type`, or undefined. */
  tlv(type: number): Uint8Array | undefined {
    const b = this.bytes;
    let p = this.offset + CDP_HEADER_LEN;
    while (p + 4 <= this.tlvEnd) {
      const len = u16be(b, p + 2);
      if (u16be(b, p) === type) return b.subarray(p + 4, p + len);
      p += len;
    }
    return undefined;
  }

  get tlvTypes(): number[] {
    const out: number[] = [];
    const b = this.bytes;
    let p = this.offset + CDP_HEADER_LEN;
    while (p + 4 <= this.tlvEnd) {
      out.push(u16be(b, p));
      p += u16be(b, p + 2);
    }
    return out;
  }

  get deviceId(): string | undefined {
    return this.textTlv(CDP_DEVICE_ID);
  }

  get portId(): string | undefined {
    return this.textTlv(CDP_PORT_ID);
  }

  get softwareVersion(): string | undefined {
    return this.textTlv(CDP_SOFTWARE_VERSION);
  }

  get platform(): string | undefined {
    return this.textTlv(CDP_PLATFORM);
  }

  /** Capability bits, -1 when absent. */
  get capabilities(): number {
    const d = this.tlv(CDP_CAPABILITIES);
    return d !== undefined && d.length >= 4 ? u32be(d, 0) : -1;
  }

  /** Capability names joined with ',' ("router,switch,igmp"). */
  get capabilityNames(): string {
    const c = this.capabilities;
    return c < 0 ? '' : CDP_CAPABILITIES_BITS.filter((e) => (c & e.id) !== 0).map((e) => e.name).join(',');
  }

  /** True when the sender is a router, bridge, switch or repeater describing its own port. */
  get fromNetworkDevice(): boolean {
    const c = this.capabilities;
    return c > 0 && (c & CDP_NETWORK_MASK) !== 0;
  }

  get nativeVlan(): number {
    const d = this.tlv(CDP_NATIVE_VLAN);
    return d !== undefined && d.length >= 2 ? u16be(d, 0) : -1;
  }

  /**
   * The Addresses TLV: a count(4), then per address protocol type(1),
   * protocol length(1), protocol, address length(2), address. IPv4 (NLPID
   * 0xCC) and IPv6 (802.2 SNAP with EtherType 0x86DD) are kept as text.
   */
  get addresses(): string[] {
    const d = this.tlv(CDP_ADDRESSES);
    const out: string[] = [];
    if (d === undefined || d.length < 4) return out;
    const n = Math.min(u32be(d, 0), CDP_MAX_ADDRESSES);
    let p = 4;
    for (let i = 0; i < n; i++) {
      if (p + 2 > d.length) break;
      const ptype = d[p]!;
      const plen = d[p + 1]!;
      const a = p + 2 + plen;
      if (a + 2 > d.length) break;
      const alen = u16be(d, a);
      if (a + 2 + alen > d.length) break;
      const isV4 = ptype === CDP_PROTO_NLPID && plen === 1 && d[p + 2] === NLPID_IPV4 && alen === 4;
      const isV6 = ptype === CDP_PROTO_8022 && plen === 8 && u16be(d, p + 2 + 6) === 0x86dd && alen === 16;
      if (isV4) out.push(ipv4String(u32be(d, a + 2)));
      else if (isV6) out.push(ipv6String(d, a + 2));
      p = a + 2 + alen;
    }
    return out;
  }

  private textTlv(type: number): string | undefined {
    const d = this.tlv(type);
    return d === undefined ? undefined : text(d, 0, d.length);
  }
}

class CdpDecoder implements Decoder {
  readonly name = 'cdp';

  decode(bytes: Uint8Array, offset: number, end: number, _ctx: DecodeContext): CdpView | Anomaly {
    if (end - offset < CDP_HEADER_LEN) return anomaly('cdp.truncated_header', 'cdp', offset, CDP_HEADER_LEN, end - offset);
    const v = bytes[offset]!;
    if (v !== 1 && v !== 2) return anomaly('cdp.bad_version', 'cdp', offset, 0, v);
    let p = offset + CDP_HEADER_LEN;
    let warning: Anomaly | undefined;
    for (let n = 0; p < end; n++) {
      if (n >= CDP_MAX_TLVS) {
        warning = anomaly('cdp.too_many_tlvs', 'cdp', p, 0, CDP_MAX_TLVS);
        break;
      }
      if (p + 4 > end) {
        warning = anomaly('cdp.truncated_tlv', 'cdp', p, 4, end - p);
        break;
      }
      const len = u16be(bytes, p + 2);
      // The length counts the 4-byte TLV header; less is malformed and would not advance.
      if (len < 4) {
        warning = anomaly('cdp.bad_tlv_length', 'cdp', p + 2, 4, len);
        break;
      }
      if (p + len > end) {
        warning = anomaly('cdp.truncated_tlv', 'cdp', p, len, end - p);
        break;
      }
      p += len;
    }
    return new CdpView(bytes, offset, end, p, warning);
  }
}

export const cdpDecoder: Decoder = new CdpDecoder();

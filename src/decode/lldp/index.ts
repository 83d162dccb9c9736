/**
 * LLDP (IEEE 802.1AB-2016 §8) on EtherType 0x88cc: a list of TLVs, each a
 * 7-bit type and 9-bit length (§8.4). The first three must be Chassis ID,
 * Port ID and TTL (§8.2); an LLDPDU without them is `lldp.missing_mandatory`
 * (kept as a warning, the fields that are there stay readable). A TLV that
 * runs past the frame ends the walk with `lldp.truncated_tlv`.
 */
import { ipv4String, ipv6String, u16be, u32be } from '../bytes.js';
import { hexText, text } from '../text.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';
import {
  AF_802, AF_IPV4, AF_IPV6, CHASSIS_MAC, CHASSIS_NETWORK_ADDRESS, LLDP_CAPABILITIES, LLDP_MAX_TLVS,
  NETWORK_CAPABILITY_MASK, PORT_MAC, PORT_NETWORK_ADDRESS, TLV_CHASSIS_ID, TLV_END, TLV_MGMT_ADDR, TLV_PORT_DESCR,
  TLV_PORT_ID, TLV_SYS_CAPS, TLV_SYS_DESCR, TLV_SYS_NAME, TLV_TTL,
} from './consts.js';

/** A network address as IANA family + bytes (§8.5.2.3, §8.5.9.4), as text. */
export function addressText(b: Uint8Array, family: number, start: number, end: number): string {
  if (family === AF_IPV4 && end - start === 4) return ipv4String(u32be(b, start));
  if (family === AF_IPV6 && end - start === 16) return ipv6String(b, start);
  if (family === AF_802 && end - start === 6) return hexText(b, start, end, ':');
  return hexText(b, start, end);
}

/** Capability bits as the names of `lldp.capabilities` ("bridge,router"). */
export function capabilityNames(bits: number): string {
  return LLDP_CAPABILITIES.filter((c) => (bits & (1 << c.id)) !== 0).map((c) => c.name).join(',');
}

export class LldpView implements Layer {
  readonly name = 'lldp';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey = -1;
  readonly altKey = -1;
  readonly warning: Anomaly | undefined;
  /** One past the last TLV that checked. */
  readonly tlvEnd: number;

  constructor(bytes: Uint8Array, offset: number, end: number, tlvEnd: number, warning: Anomaly | undefined) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = end;
    this.payloadEnd = end;
    this.tlvEnd = tlvEnd;
    this.warning = warning;
  }

  /** The value of the first TLV `type` as a subarray, or undefined. */
  tlv(type: number): Uint8Array | undefined {
    const b = this.bytes;
    let p = this.offset;
    while (p + 2 <= this.tlvEnd) {
      const h = u16be(b, p);
      const t = h >>> 9;
      const len = h & 0x1ff;
      if (t === TLV_END) return undefined;
      if (t === type) return b.subarray(p + 2, p + 2 + len);
      p += 2 + len;
    }
    return undefined;
  }

  /** TLV types in order (End excluded). */
  get tlvTypes(): number[] {
    const out: number[] = [];
    const b = this.bytes;
    let p = this.offset;
    while (p + 2 <= this.tlvEnd) {
      const h = u16be(b, p);
      if (h >>> 9 === TLV_END) break;
      out.push(h >>> 9);
      p += 2 + (h & 0x1ff);
    }
    return out;
  }

  get chassisIdSubtype(): number {
    const d = this.tlv(TLV_CHASSIS_ID);
    return d !== undefined && d.length >= 1 ? d[0]! : -1;
  }

  /** Chassis ID (§8.5.2): a MAC or network address as text, other subtypes as the text they carry. */
  get chassisId(): string | undefined {
    const d = this.tlv(TLV_CHASSIS_ID);
    return d === undefined || d.length < 2 ? undefined : idText(d, CHASSIS_MAC, CHASSIS_NETWORK_ADDRESS);
  }

  get portIdSubtype(): number {
    const d = this.tlv(TLV_PORT_ID);
    return d !== undefined && d.length >= 1 ? d[0]! : -1;
  }

  /** Port ID (§8.5.3): interface name ("Gi1/0/12"), MAC, or the text the subtype carries. */
  get portId(): string | undefined {
    const d = this.tlv(TLV_PORT_ID);
    return d === undefined || d.length < 2 ? undefined : idText(d, PORT_MAC, PORT_NETWORK_ADDRESS);
  }

  /** Time to live in seconds (§8.5.4), -1 when absent. */
  get ttl(): number {
    const d = this.tlv(TLV_TTL);
    return d !== undefined && d.length >= 2 ? u16be(d, 0) : -1;
  }

  get portDescription(): string | undefined {
    return this.textTlv(TLV_PORT_DESCR);
  }

  get systemName(): string | undefined {
    return this.textTlv(TLV_SYS_NAME);
  }

  get systemDescription(): string | undefined {
    return this.textTlv(TLV_SYS_DESCR);
  }

  /** System capabilities bits (§8.5.8.1), -1 when absent. */
  get systemCapabilities(): number {
    const d = this.tlv(TLV_SYS_CAPS);
    return d !== undefined && d.length >= 4 ? u16be(d, 0) : -1;
  }

  /** Enabled capabilities bits (§8.5.8.2), -1 when absent. */
  get enabledCapabilities(): number {
    const d = this.tlv(TLV_SYS_CAPS);
    return d !== undefined && d.length >= 4 ? u16be(d, 2) : -1;
  }

  /**
   * True when the sender is a network device (bridge, router, AP ...) and
   * the LLDPDU describes its port; false for an end station (a phone, a
   * monitor, a PC) describing itself. Decided from the enabled capabilities,
   * or the system capabilities when none are enabled (§8.5.8).
   */
  get fromNetworkDevice(): boolean {
    const en = this.enabledCapabilities;
    const bits = en > 0 ? en : this.systemCapabilities;
    return bits > 0 && (bits & NETWORK_CAPABILITY_MASK) !== 0;
  }

  /** Every management address (§8.5.9) as text. */
  get managementAddresses(): string[] {
    const out: string[] = [];
    const b = this.bytes;
    let p = this.offset;
    while (p + 2 <= this.tlvEnd) {
      const h = u16be(b, p);
      const t = h >>> 9;
      const len = h & 0x1ff;
      if (t === TLV_END) break;
      // Address string length (subtype + address), then the subtype, then the address (§8.5.9.2-4).
      if (t === TLV_MGMT_ADDR && len >= 2) {
        const alen = b[p + 2]!;
        if (alen >= 2 && 1 + alen <= len) out.push(addressText(b, b[p + 3]!, p + 4, p + 3 + alen));
      }
      p += 2 + len;
    }
    return out;
  }

  private textTlv(type: number): string | undefined {
    const d = this.tlv(type);
    return d === undefined ? undefined : text(d, 0, d.length);
  }
}

/** An ID TLV's value: subtype byte, then a MAC, a family + address, or text. */
function idText(d: Uint8Array, macSubtype: number, netSubtype: number): string {
  const sub = d[0]!;
  if (sub === macSubtype && d.length === 7) return hexText(d, 1, 7, ':');
  if (sub === netSubtype && d.length >= 3) return addressText(d, d[1]!, 2, d.length);
  return text(d, 1, d.length);
}

class LldpDecoder implements Decoder {
  readonly name = 'lldp';

  decode(bytes: Uint8Array, offset: number, end: number, _ctx: DecodeContext): LldpView | Anomaly {
    if (end - offset < 2) return anomaly('lldp.truncated_tlv', 'lldp', offset, 2, end - offset);
    let p = offset;
    let n = 0;
    let warning: Anomaly | undefined;
    const first: number[] = [];
    while (p < end) {
      if (p + 2 > end) {
        // Ethernet padding after the End TLV is normal; bytes after the last TLV without End are not.
        warning = anomaly('lldp.truncated_tlv', 'lldp', p, 2, end - p);
        break;
      }
      const h = u16be(bytes, p);
      const len = h & 0x1ff;
      if (p + 2 + len > end) {
        warning = anomaly('lldp.truncated_tlv', 'lldp', p, 2 + len, end - p);
        break;
      }
      if (first.length < 3) first.push(h >>> 9);
      p += 2 + len;
      if (h >>> 9 === TLV_END) break;
      if (++n >= LLDP_MAX_TLVS) {
        warning = anomaly('lldp.too_many_tlvs', 'lldp', p, 0, LLDP_MAX_TLVS);
        break;
      }
    }
    if (p === offset) return warning ?? anomaly('lldp.truncated_tlv', 'lldp', offset, 2, end - offset);
    if (warning === undefined && (first[0] !== TLV_CHASSIS_ID || first[1] !== TLV_PORT_ID || first[2] !== TLV_TTL)) {
      warning = anomaly('lldp.missing_mandatory', 'lldp', offset);
    }
    return new LldpView(bytes, offset, end, p, warning);
  }
}

export const lldpDecoder: Decoder = new LldpDecoder();

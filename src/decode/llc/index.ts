/**
 * IEEE 802.2 LLC and the SNAP extension (IEEE Std 802-2014 §10.3): DSAP,
 * SSAP, a control field of one octet (U format, low two bits 11) or two
 * (I and S formats), then for SNAP (DSAP = SSAP = 0xAA, UI) an OUI and a
 * protocol id. The route key is `snapKey(oui, pid)` (consts.ts): the
 * EtherType under RFC 1042 / 802.1H, `OUI * 0x10000 + PID` otherwise
 * (CDP is 00-00-0C / 0x2000). Non-SNAP LLC (STP, NetBIOS over LLC ...) is
 * not routed yet.
 *
 * The same layer serves 802.3 length frames (routed from ethernet/vlan)
 * and 802.11 data bodies (routed from ieee80211).
 */
import { u16be } from '../bytes.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';
import { SAP_SNAP, snapKey } from './consts.js';

export { OUI_8021H, OUI_RFC1042, SAP_SNAP } from './consts.js';

export class LlcView implements Layer {
  readonly name = 'llc';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey: number;
  readonly altKey = -1;

  constructor(bytes: Uint8Array, offset: number, hdr: number, end: number, nextKey: number) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = offset + hdr;
    this.payloadEnd = end;
    this.nextKey = nextKey;
  }

  get dsap(): number {
    return this.bytes[this.offset]!;
  }

  get ssap(): number {
    return this.bytes[this.offset + 1]!;
  }

  get isSnap(): boolean {
    return this.payloadOffset - this.offset === 8;
  }

  /** SNAP OUI as a 24-bit number, or -1. */
  get oui(): number {
    const b = this.bytes;
    const o = this.offset;
    return this.isSnap ? (b[o + 3]! << 16) | (b[o + 4]! << 8) | b[o + 5]! : -1;
  }

  /** SNAP protocol id (an EtherType under RFC 1042), or -1. */
  get pid(): number {
    return this.isSnap ? u16be(this.bytes, this.offset + 6) : -1;
  }
}

class LlcDecoder implements Decoder {
  readonly name = 'llc';

  decode(bytes: Uint8Array, offset: number, end: number, _ctx: DecodeContext): LlcView | Anomaly {
    const have = end - offset;
    if (have < 3) return anomaly('llc.truncated_header', 'llc', offset, 3, have);
    const dsap = bytes[offset]!;
    const ssap = bytes[offset + 1]!;
    const uFormat = (bytes[offset + 2]! & 3) === 3;
    if (dsap === SAP_SNAP && ssap === SAP_SNAP && uFormat) {
      if (have < 8) return anomaly('llc.truncated_header', 'llc', offset, 8, have);
      const oui = (bytes[offset + 3]! << 16) | (bytes[offset + 4]! << 8) | bytes[offset + 5]!;
      return new LlcView(bytes, offset, 8, end, snapKey(oui, u16be(bytes, offset + 6)));
    }
    const hdr = uFormat ? 3 : 4;
    if (have < hdr) return anomaly('llc.truncated_header', 'llc', offset, hdr, have);
    return new LlcView(bytes, offset, hdr, end, -1);
  }
}

export const llcDecoder: Decoder = new LlcDecoder();

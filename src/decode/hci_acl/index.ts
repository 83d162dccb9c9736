/**
 * HCI ACL data packet (Core Spec 5.4 Vol 4 Part E §5.4.2): handle (12 bits)
 * with the packet boundary flag (2 bits) and broadcast flag (2 bits), data
 * length (u16 LE), data. A first fragment (PB 0b00 or 0b10) routes to
 * `l2cap`; a continuing fragment (0b01) carries no header and is not routed.
 */
import { u16le } from '../bytes.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';

/** Route key of a first fragment. */
export const ACL_NEXT_L2CAP = 0;

export class HciAclView implements Layer {
  readonly name = 'hci_acl';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey: number;
  readonly altKey = -1;
  readonly warning: Anomaly | undefined;

  constructor(bytes: Uint8Array, offset: number, end: number, warning: Anomaly | undefined) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = offset + 4;
    this.payloadEnd = end;
    this.warning = warning;
    this.nextKey = ((bytes[offset + 1]! >>> 4) & 3) === 1 ? -1 : ACL_NEXT_L2CAP;
  }

  get handle(): number {
    return u16le(this.bytes, this.offset) & 0x0fff;
  }

  get packetBoundary(): number {
    return (this.bytes[this.offset + 1]! >>> 4) & 3;
  }

  get dataLength(): number {
    return u16le(this.bytes, this.offset + 2);
  }
}

class HciAclDecoder implements Decoder {
  readonly name = 'hci_acl';

  decode(bytes: Uint8Array, offset: number, end: number, _ctx: DecodeContext): HciAclView | Anomaly {
    const have = end - offset;
    if (have < 4) return anomaly('hci_acl.truncated_header', 'hci_acl', offset, 4, have);
    const need = 4 + u16le(bytes, offset + 2);
    if (need > have) return new HciAclView(bytes, offset, end, anomaly('hci_acl.bad_length', 'hci_acl', offset + 2, need, have));
    return new HciAclView(bytes, offset, offset + need, undefined);
  }
}

export const hciAclDecoder: Decoder = new HciAclDecoder();

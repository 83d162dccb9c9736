/**
 * Linux cooked capture v1 (tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html):
 * 16 bytes of packet type, ARPHRD type, link-layer address length, 8 bytes
 * of address (zero-padded or cut to 8) and protocol. For most ARPHRD types
 * the protocol is an EtherType; the values 1 (Novell 802.3), 4 (802.2 LLC)
 * and the netlink/CAN families do not collide with any EtherType route.
 */
import { macKey, u16be } from '../bytes.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';

export const SLL_HEADER_LEN = 16;
/** Packet types (the first field): to us, broadcast, multicast, to someone else, sent by us. */
export const SLL_HOST = 0;
export const SLL_BROADCAST = 1;
export const SLL_MULTICAST = 2;
export const SLL_OTHERHOST = 3;
export const SLL_OUTGOING = 4;
export const ARPHRD_NETLINK = 824;

export class SllView implements Layer {
  readonly name = 'sll';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey: number;
  readonly altKey: number;

  constructor(bytes: Uint8Array, offset: number, end: number, nextKey: number) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = offset + SLL_HEADER_LEN;
    this.payloadEnd = end;
    this.nextKey = nextKey;
    this.altKey = -1;
  }

  get packetType(): number {
    return u16be(this.bytes, this.offset);
  }

  get arphrdType(): number {
    return u16be(this.bytes, this.offset + 2);
  }

  get addressLength(): number {
    return u16be(this.bytes, this.offset + 4);
  }

  /** Offset of the link-layer address (8 bytes reserved). */
  get addressOffset(): number {
    return this.offset + 6;
  }

  /** The address as a `macKey` number when it is 6 bytes long, else -1. */
  get mac(): number {
    return this.addressLength === 6 ? macKey(this.bytes, this.offset + 6) : -1;
  }

  get protocol(): number {
    return u16be(this.bytes, this.offset + 14);
  }
}

class SllDecoder implements Decoder {
  readonly name = 'sll';

  decode(bytes: Uint8Array, offset: number, end: number, _ctx: DecodeContext): SllView | Anomaly {
    const have = end - offset;
    if (have < SLL_HEADER_LEN) return anomaly('sll.truncated_header', 'sll', offset, SLL_HEADER_LEN, have);
    // Netlink captures put a netlink family in the protocol field.
    const nextKey = u16be(bytes, offset + 2) === ARPHRD_NETLINK ? -1 : u16be(bytes, offset + 14);
    return new SllView(bytes, offset, end, nextKey);
  }
}

export const sllDecoder: Decoder = new SllDecoder();

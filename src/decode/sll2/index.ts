/**
 * Linux cooked capture v2 (tcpdump.org/linktypes/LINKTYPE_LINUX_SLL2.html):
 * 20 bytes of protocol, reserved, interface index, ARPHRD type, packet
 * type, address length and 8 bytes of address. The protocol comes first,
 * otherwise it means what it means in SLL v1.
 */
import { macKey, u16be, u32be } from '../bytes.js';
import { ARPHRD_NETLINK } from '../sll/index.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';

export const SLL2_HEADER_LEN = 20;

export class Sll2View implements Layer {
  readonly name = 'sll2';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey: number;
  readonly altKey: number;

  constructor(bytes: Uint8Array, offset: number, end: number, nextKey: number) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = offset + SLL2_HEADER_LEN;
    this.payloadEnd = end;
    this.nextKey = nextKey;
    this.altKey = -1;
  }

  get protocol(): number {
    return u16be(this.bytes, this.offset);
  }

  get interfaceIndex(): number {
    return u32be(this.bytes, this.offset + 4);
  }

  get arphrdType(): number {
    return u16be(this.bytes, this.offset + 8);
  }

  get packetType(): number {
    return this.bytes[this.offset + 10]!;
  }

  get addressLength(): number {
    return this.bytes[this.offset + 11]!;
  }

  get addressOffset(): number {
    return this.offset + 12;
  }

  /** The address as a `macKey` number when it is 6 bytes long, else -1. */
  get mac(): number {
    return this.addressLength === 6 ? macKey(this.bytes, this.offset + 12) : -1;
  }
}

class Sll2Decoder implements Decoder {
  readonly name = 'sll2';

  decode(bytes: Uint8Array, offset: number, end: number, _ctx: DecodeContext): Sll2View | Anomaly {
    const have = end - offset;
    if (have < SLL2_HEADER_LEN) return anomaly('sll2.truncated_header', 'sll2', offset, SLL2_HEADER_LEN, have);
    const nextKey = u16be(bytes, offset + 8) === ARPHRD_NETLINK ? -1 : u16be(bytes, offset);
    return new Sll2View(bytes, offset, end, nextKey);
  }
}

export const sll2Decoder: Decoder = new Sll2Decoder();

/**
 * ARP (RFC 826, "Packet format"): hardware type, protocol type, their
 * address lengths, opcode, then sender and target hardware and protocol
 * addresses. Addresses of any length are exposed by offset; Ethernet/IPv4
 * (the only kind on a ward LAN) also as numbers.
 */
import { ipv4String, macKey, macString, u16be, u32be } from '../bytes.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';

export const ARP_FIXED_LEN = 8;
export const ARPHRD_ETHER = 1;
export const ARP_REQUEST = 1;
export const ARP_REPLY = 2;

export class ArpView implements Layer {
  readonly name = 'arp';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey: number;
  readonly altKey: number;
  /** True for hardware type 1 / protocol 0x0800 with 6- and 4-byte addresses. */
  readonly isEthernetIpv4: boolean;

  constructor(bytes: Uint8Array, offset: number, payloadOffset: number, end: number, isEthernetIpv4: boolean) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = payloadOffset;
    this.payloadEnd = end;
    this.nextKey = -1;
    this.altKey = -1;
    this.isEthernetIpv4 = isEthernetIpv4;
  }

  get hardwareType(): number {
    return u16be(this.bytes, this.offset);
  }

  get protocolType(): number {
    return u16be(this.bytes, this.offset + 2);
  }

  get hardwareLength(): number {
    return this.bytes[this.offset + 4]!;
  }

  get protocolLength(): number {
    return this.bytes[this.offset + 5]!;
  }

  /** 1 request, 2 reply (RFC 826); 3/4 RARP (RFC 903). */
  get opcode(): number {
    return u16be(this.bytes, this.offset + 6);
  }

  get senderHwOffset(): number {
    return this.offset + ARP_FIXED_LEN;
  }

  get senderProtoOffset(): number {
    return this.senderHwOffset + this.hardwareLength;
  }

  get targetHwOffset(): number {
    return this.senderProtoOffset + this.protocolLength;
  }

  get targetProtoOffset(): number {
    return this.targetHwOffset + this.hardwareLength;
  }

  /** Sender MAC as a `macKey` number; -1 unless `isEthernetIpv4`. */
  get senderMac(): number {
    return this.isEthernetIpv4 ? macKey(this.bytes, this.offset + 8) : -1;
  }

  /** Sender IPv4 address as a number; -1 unless `isEthernetIpv4`. */
  get senderIp(): number {
    return this.isEthernetIpv4 ? u32be(this.bytes, this.offset + 14) : -1;
  }

  get targetMac(): number {
    return this.isEthernetIpv4 ? macKey(this.bytes, this.offset + 18) : -1;
  }

  get targetIp(): number {
    return this.isEthernetIpv4 ? u32be(this.bytes, this.offset + 24) : -1;
  }

  get senderMacString(): string {
    return this.isEthernetIpv4 ? macString(this.senderMac) : '';
  }

  get senderIpString(): string {
    return this.isEthernetIpv4 ? ipv4String(this.senderIp) : '';
  }

  get targetMacString(): string {
    return this.isEthernetIpv4 ? macString(this.targetMac) : '';
  }

  get targetIpString(): string {
    return this.isEthernetIpv4 ? ipv4String(this.targetIp) : '';
  }
}

class ArpDecoder implements Decoder {
  readonly name = 'arp';

  decode(bytes: Uint8Array, offset: number, end: number, _ctx: DecodeContext): ArpView | Anomaly {
    const have = end - offset;
    if (have < ARP_FIXED_LEN) return anomaly('arp.truncated', 'arp', offset, ARP_FIXED_LEN, have);
    const hln = bytes[offset + 4]!;
    const pln = bytes[offset + 5]!;
    const need = ARP_FIXED_LEN + 2 * (hln + pln);
    if (have < need) return anomaly('arp.truncated', 'arp', offset, need, have);
    const ethIp = u16be(bytes, offset) === ARPHRD_ETHER && u16be(bytes, offset + 2) === 0x0800 && hln === 6 && pln === 4;
    return new ArpView(bytes, offset, offset + need, end, ethIp);
  }
}

export const arpDecoder: Decoder = new ArpDecoder();

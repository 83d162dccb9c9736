/**
 * TCP header (RFC 9293 §3.1): ports, sequence and acknowledgment numbers,
 * data offset, flags, window, checksum (not verified), urgent pointer and
 * options. Routes on the destination port, then the source port.
 */
import { u16be, u32be } from '../bytes.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';

export const TCP_MIN_HEADER_LEN = 20;

/** Flag bits of byte 13 (RFC 9293 §3.1; CWR/ECE from RFC 3168 §6.1). */
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;

export class TcpView implements Layer {
  readonly name = 'tcp';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey: number;
  readonly altKey: number;

  constructor(bytes: Uint8Array, offset: number, payloadOffset: number, payloadEnd: number, dport: number, sport: number) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = payloadOffset;
    this.payloadEnd = payloadEnd;
    this.nextKey = dport;
    this.altKey = sport;
  }

  get srcPort(): number {
    return this.altKey;
  }

  get dstPort(): number {
    return this.nextKey;
  }

  get seq(): number {
    return u32be(this.bytes, this.offset + 4);
  }

  get ack(): number {
    return u32be(this.bytes, this.offset + 8);
  }

  /** Header length in bytes (data offset * 4). */
  get headerLength(): number {
    return this.payloadOffset - this.offset;
  }

  /** The eight flag bits CWR..FIN; test with TCP_SYN etc. */
  get flags(): number {
    return this.bytes[this.offset + 13]!;
  }

  get syn(): boolean {
    return (this.flags & TCP_SYN) !== 0;
  }

  get ackFlag(): boolean {
    return (this.flags & TCP_ACK) !== 0;
  }

  get fin(): boolean {
    return (this.flags & TCP_FIN) !== 0;
  }

  get rst(): boolean {
    return (this.flags & TCP_RST) !== 0;
  }

  get window(): number {
    return u16be(this.bytes, this.offset + 14);
  }

  get checksum(): number {
    return u16be(this.bytes, this.offset + 16);
  }

  get urgentPointer(): number {
    return u16be(this.bytes, this.offset + 18);
  }

  /** Bytes of payload present in the capture. */
  get payloadLength(): number {
    return this.payloadEnd - this.payloadOffset;
  }
}

class TcpDecoder implements Decoder {
  readonly name = 'tcp';

  decode(bytes: Uint8Array, offset: number, end: number, _ctx: DecodeContext): TcpView | Anomaly {
    const have = end - offset;
    if (have < TCP_MIN_HEADER_LEN) return anomaly('tcp.truncated_header', 'tcp', offset, TCP_MIN_HEADER_LEN, have);
    const hl = (bytes[offset + 12]! >>> 4) << 2;
    if (hl < TCP_MIN_HEADER_LEN) return anomaly('tcp.bad_data_offset', 'tcp', offset + 12);
    if (have < hl) return anomaly('tcp.truncated_header', 'tcp', offset, hl, have);
    return new TcpView(bytes, offset, offset + hl, end, u16be(bytes, offset + 2), u16be(bytes, offset));
  }
}

export const tcpDecoder: Decoder = new TcpDecoder();

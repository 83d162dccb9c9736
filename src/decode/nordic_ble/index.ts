/**
 * LINKTYPE_NORDIC_BLE (272): a board id byte, then the nRF Sniffer's UART
 * packet as the sniffer sent it, SLIP removed and the radio's padding byte
 * dropped (dongle-protocols.md §1.9). The packet header (§1.4) is the v1
 * layout (HLEN 6, PLEN u8) or the v2/v3 layout (PLEN u16), both with the
 * protocol version at offset 2 and the packet id at offset 5. Event packets
 * (ids 0x02 and 0x06, §1.6) carry a 10-byte BLE header (flags, channel
 * index, RSSI magnitude, event counter, time) and the LL packet from its
 * access address, routed to `btle` (or its coded/encrypted variants).
 *
 * A body starting BE EF is the 0.9.7 legacy format Wireshark still reads;
 * the sniffer has not written it since 2015, so it is an anomaly here.
 */
import { u16le, u32le } from '../bytes.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';
import {
  FLAG_CRC_OK, FLAG_ENCRYPTED, FLAG_MIC_OK, FLAG_PHY_SHIFT, NORDIC_EVENT_HEADER_LEN, NORDIC_HEADER_LEN, NORDIC_NEXT_LL,
  NORDIC_NEXT_LL_CODED, NORDIC_NEXT_LL_ENCRYPTED, NordicPacketId, PHY_CODED,
} from './consts.js';

export class NordicBleView implements Layer {
  readonly name = 'nordic_ble';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey: number;
  readonly altKey = -1;
  /** True when the packet is a BLE event with its 10-byte header. */
  readonly isEvent: boolean;

  constructor(bytes: Uint8Array, offset: number, payloadOffset: number, end: number, nextKey: number, isEvent: boolean) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = payloadOffset;
    this.payloadEnd = end;
    this.nextKey = nextKey;
    this.isEvent = isEvent;
  }

  get boardId(): number {
    return this.bytes[this.offset]!;
  }

  /** UART protocol version (1, 2 or 3). */
  get protocolVersion(): number {
    return this.bytes[this.offset + 3]!;
  }

  get packetCounter(): number {
    return u16le(this.bytes, this.offset + 4);
  }

  get packetId(): number {
    return this.bytes[this.offset + 6]!;
  }

  /** Event flags (consts.ts FLAG_*); 0 when not an event. */
  get flags(): number {
    return this.isEvent ? this.bytes[this.offset + 8]! : 0;
  }

  get crcOk(): boolean {
    return (this.flags & FLAG_CRC_OK) !== 0;
  }

  /** Nordic's own test: CRC good, and the MIC good when the packet was encrypted (§1.6). */
  get ok(): boolean {
    const f = this.flags;
    return (f & FLAG_CRC_OK) !== 0 && ((f & FLAG_ENCRYPTED) === 0 || (f & FLAG_MIC_OK) !== 0);
  }

  get encrypted(): boolean {
    return (this.flags & FLAG_ENCRYPTED) !== 0 && this.packetId !== NordicPacketId.EVENT_PACKET_ADV_PDU;
  }

  /** 0 LE 1M, 1 LE 2M, 2 LE Coded. */
  get phy(): number {
    return (this.flags >>> FLAG_PHY_SHIFT) & 7;
  }

  /** Channel index 0..39 (not the RF channel); -1 when not an event. */
  get channel(): number {
    return this.isEvent ? this.bytes[this.offset + 9]! : -1;
  }

  /** RSSI in dBm: the sniffer sends its magnitude (§1.6). */
  get rssi(): number {
    return this.isEvent ? -this.bytes[this.offset + 10]! : 0;
  }

  get eventCounter(): number {
    return this.isEvent ? u16le(this.bytes, this.offset + 11) : 0;
  }

  /** µs: a delta before protocol 3, the firmware clock from protocol 3 (§1.6). */
  get time(): number {
    return this.isEvent ? u32le(this.bytes, this.offset + 13) : 0;
  }

  /** On a secondary channel, the AUX PDU type of a type-7 advertising PDU (consts AUX_PDU_NAMES index), else -1. */
  get auxType(): number {
    if (!this.isEvent || this.packetId !== NordicPacketId.EVENT_PACKET_ADV_PDU || this.channel >= 37) return -1;
    return (this.flags >>> 1) & 3;
  }
}

class NordicBleDecoder implements Decoder {
  readonly name = 'nordic_ble';

  decode(bytes: Uint8Array, offset: number, end: number, _ctx: DecodeContext): NordicBleView | Anomaly {
    const have = end - offset;
    const hdr = 1 + NORDIC_HEADER_LEN;
    if (have < hdr) return anomaly('nordic_ble.truncated_header', 'nordic_ble', offset, hdr, have);
    if (bytes[offset] === 0xbe && bytes[offset + 1] === 0xef) return anomaly('nordic_ble.legacy_format', 'nordic_ble', offset);
    const ver = bytes[offset + 3]!;
    if (ver < 1 || ver > 3) return anomaly('nordic_ble.bad_version', 'nordic_ble', offset + 3);
    const id = bytes[offset + 6]!;
    const isEvent = id === NordicPacketId.EVENT_PACKET_DATA_PDU || (id === NordicPacketId.EVENT_PACKET_ADV_PDU && ver >= 3);
    if (!isEvent) return new NordicBleView(bytes, offset, offset + hdr, end, -1, false);
    const ev = hdr + NORDIC_EVENT_HEADER_LEN;
    if (have < ev) return anomaly('nordic_ble.truncated_header', 'nordic_ble', offset, ev, have);
    const flags = bytes[offset + 8]!;
    const coded = ((flags >>> FLAG_PHY_SHIFT) & 7) === PHY_CODED;
    // In v1/v2 every packet has id 0x06 and the flags' encrypted bit is only meaningful off the advertising AA;
    // the btle decoder checks the AA, so an "encrypted" advertising packet still decodes as advertising.
    const enc = (flags & FLAG_ENCRYPTED) !== 0 && id === NordicPacketId.EVENT_PACKET_DATA_PDU;
    const next = coded ? NORDIC_NEXT_LL_CODED : enc ? NORDIC_NEXT_LL_ENCRYPTED : NORDIC_NEXT_LL;
    return new NordicBleView(bytes, offset, offset + ev, end, next, true);
  }
}

export const nordicBleDecoder: Decoder = new NordicBleDecoder();

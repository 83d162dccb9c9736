/**
 * nRF Sniffer for Bluetooth LE UART protocol, host side
 * (dongle-protocols.md §1; Nordic SnifferAPI 4.1.0 Types.py, Packet.py,
 * UART.py, Sniffer.py). The packet ids are the decoder's table
 * (src/decode/nordic_ble/consts.ts).
 */
import { NordicPacketId as Id } from '../../decode/nordic_ble/consts.js';

export { Id };

/** SLIP bytes (§1.3). */
export const SLIP_START = 0xab;
export const SLIP_END = 0xbc;
export const SLIP_ESC = 0xcd;
export const SLIP_ESC_START = 0xac;
export const SLIP_ESC_END = 0xbd;
export const SLIP_ESC_ESC = 0xce;

/** SnifferAPI 4.1.0 SNIFFER_BAUDRATES (§1.2): 1 M, then the old 460 800. */
export const BAUDS: readonly number[] = [1_000_000, 460_800];
/** The Nordic host opens the port with rtscts=True (§1.2). */
export const RTSCTS = true;

/** Host commands always use the v1 header (§1.4): HLEN 6, PLEN u8, PROTOVER 1, counter LE16, id. */
export const HOST_HEADER_LEN = 6;
export const HOST_PROTOVER = 1;
/** Highest UART protocol version the Nordic host accepts (§1.1). */
export const MAX_PROTOVER = 3;

/**
 * Every packet id the source ever sends (§1.5, §1.7): the advertising hop
 * sequence, REQ_VERSION and PING_REQ (identification and keep-alive),
 * REQ_SCAN_CONT (start scanning) and REQ_FOLLOW (follow an allow-listed
 * device). The sniffer only listens; left out all the same: key material
 * (SET_*_KEY), the experimental baud switch, GO_IDLE, and REQ_TIMESTAMP
 * (the host anchors time on the first packet instead).
 */
export const ALLOWED_IDS: ReadonlySet<number> = new Set([Id.SET_ADV_CHANNEL_HOP_SEQ, Id.REQ_VERSION, Id.PING_REQ, Id.REQ_SCAN_CONT, Id.REQ_FOLLOW]);

/** REQ_SCAN_CONT flags of firmware 4.x (protocol v3): scan responses and aux packets, coded PHY off (§1.5, §1.7). */
export const SCAN_FLAGS_V3 = 0x03;

/** Offsets in a decoded sniffer packet (§1.4, §1.6). */
export const POS_PROTOVER = 2;
export const POS_ID = 5;
export const POS_FLAGS = 7;
export const POS_CHANNEL = 8;
export const POS_RSSI = 9;
export const POS_TIME = 12;
export const POS_BLE = 16;
/** The radio's padding byte after the LL header and length: removed before a pcap record (§1.6, §1.9). */
export const PAD_OFFSET = 6;
export const PHY_CODED = 2;

/** PING_RESP build numbers of firmware 3.x and older (§1.1). */
export const FIRMWARE_BUILDS: Readonly<Record<number, string>> = { 1116: '3.1.0', 1115: '3.0.0', 1114: '2.0.0', 1113: '2.0.0-beta-3', 1112: '2.0.0-beta-1' };

/** Longest decoded packet kept (an extended advertising PDU is at most 255 + headers). */
export const MAX_PACKET = 1024;
/** Devices the follow allow-list may hold. */
export const MAX_FOLLOW = 16;
/** LINKTYPE_NORDIC_BLE. */
export const LINKTYPE_NORDIC_BLE = 272;
/** Board id written before each packet (§1.9): not 0xBE, which with EF reads as the 0.9.7 format. */
export const BOARD_ID = 0;

/** SLIP-encodes one packet (§1.3). */
export function slipEncode(p: ArrayLike<number>): Uint8Array {
  const out: number[] = [SLIP_START];
  for (let i = 0; i < p.length; i++) {
    const b = p[i]!;
    if (b === SLIP_START) out.push(SLIP_ESC, SLIP_ESC_START);
    else if (b === SLIP_END) out.push(SLIP_ESC, SLIP_ESC_END);
    else if (b === SLIP_ESC) out.push(SLIP_ESC, SLIP_ESC_ESC);
    else out.push(b);
  }
  out.push(SLIP_END);
  return Uint8Array.from(out);
}

/** A host command: v1 header with the host's own counter, then the payload (PacketReader.sendPacket). */
export function hostPacket(counter: number, id: number, payload: ArrayLike<number> = []): Uint8Array {
  return slipEncode([HOST_HEADER_LEN, payload.length, HOST_PROTOVER, counter & 0xff, (counter >> 8) & 0xff, id, ...Array.from(payload)]);
}
